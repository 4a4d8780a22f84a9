from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "fupin.projects"
    label = "projects"
    verbose_name = _("项目资金")

    def ready(self) -> None:
        # A 行业部门 account sees the projects its department leads and their beneficiaries.
        from fupin.accounts import policy

        from .selectors import department_beneficiary_ids, staff_department_id

        policy.register_household_provider("department_beneficiaries", department_beneficiary_ids)
        policy.register_organisation_provider("department", staff_department_id)
