from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "fupin.assessment"
    label = "assessment"
    verbose_name = _("考核评估")

    def ready(self) -> None:
        # 评估人员 see the households of the samples assigned to them: the policy asks this app.
        from fupin.accounts import policy

        from .selectors import sampled_household_ids

        policy.register_household_provider("samples", sampled_household_ids)
