from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    label = "monitoring"
    verbose_name = _("动态监测")

    def ready(self) -> None:
        # 年度档案 (archive part): its background job kind.
        from .archive import register_kind as register_archive_kind

        register_archive_kind()
