from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    label = "monitoring"
    verbose_name = _("动态监测")

    def ready(self) -> None:
        from fupin.web.todo import register_todo_provider

        from . import todo

        register_todo_provider("monitoring.objects", todo.todos)  # mproc: applications, visits, overdue

        # 年度档案 (archive part): its background job kind.
        from .archive import register_kind as register_archive_kind

        register_archive_kind()
        # (alerts) the upload page's background job: pushing a sector list
        from .alerts import register_kind

        register_kind()
