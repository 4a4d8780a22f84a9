from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheetsConfig(AppConfig):
    name = "fupin.sheets"
    label = "sheets"
    verbose_name = _("导入导出")

    def ready(self) -> None:
        from fupin.web.todo import register_todo_provider

        from . import todo
        from .jobs import register_kinds

        register_kinds()
        register_todo_provider("sheets.pending_checks", todo.todos)
