from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "fupin.credit"
    label = "credit"
    verbose_name = _("扶贫小额信贷")

    def ready(self) -> None:
        # A 银行 account sees the households it lent to or rated with, and its own bank's rows only.
        from fupin.accounts import policy

        from .selectors import bank_client_ids, staff_bank_id

        policy.register_household_provider("bank_clients", bank_client_ids)
        policy.register_organisation_provider("bank", staff_bank_id)
