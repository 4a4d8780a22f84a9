from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentificationConfig(AppConfig):
    name = "fupin.identification"
    label = "identification"
    verbose_name = _("识别与退出")

    def ready(self) -> None:
        from .adjustment import register_kind

        register_kind()

        from fupin.web.todo import register_todo_provider

        from . import todo

        register_todo_provider("identification.cases_waiting", todo.todos)
