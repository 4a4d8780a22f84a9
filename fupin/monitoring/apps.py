from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    label = "monitoring"
    verbose_name = _("动态监测")

    def ready(self) -> None:
        # (alerts) the upload page's background job: pushing a sector list
        from .alerts import register_kind

        register_kind()
