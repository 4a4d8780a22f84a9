from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "fupin.quality"
    label = "quality"
    verbose_name = _("数据质量")

    def ready(self) -> None:
        from fupin.web.todo import register_todo_provider

        from . import (
            signals,  # noqa: F401 - connects the refresh after registry writes
            todo,
        )

        register_todo_provider("quality.open_findings", todo.todos)
