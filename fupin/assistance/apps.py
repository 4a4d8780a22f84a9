from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "fupin.assistance"
    label = "assistance"
    verbose_name = _("精准帮扶")

    def ready(self) -> None:
        # 帮扶责任人 see the households paired to them now (不脱贫不脱钩): the policy asks this app.
        from fupin.accounts import policy

        from .selectors import paired_household_ids

        policy.register_household_provider("pairings", paired_household_ids)

        # issue 15 (card15): the 明白卡 of a township or the county, a background job
        from .cards import register_kind as register_cards_job

        register_cards_job()
