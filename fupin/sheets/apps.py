from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheetsConfig(AppConfig):
    name = "fupin.sheets"
    label = "sheets"
    verbose_name = _("导入导出")

    def ready(self) -> None:
        from .jobs import register_kinds

        register_kinds()
