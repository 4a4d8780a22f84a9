"""Forms of the microcredit pages; the rules are the services' (fupin.credit.rules), the forms only parse."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.web.forms import StyledMixin

from .models import Bank, Purpose, RepaymentMethod
from .rules import TERM_MAX_MONTHS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BankChoiceMixin:
    def __init__(self, *args: Any, banks: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = banks if banks is not None else Bank.objects.none()


class RatingForm(BankChoiceMixin, StyledMixin, forms.Form):
    number = forms.CharField(label=_("户编号"), max_length=32)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    rated_on = forms.DateField(label=_("评级日期"), widget=DATE, initial=timezone.localdate)
    village_rep = forms.CharField(label=_("村委会评议人"), max_length=50)
    team_rep = forms.CharField(label=_("驻村工作队评议人"), max_length=50)
    bank = forms.ModelChoiceField(label=_("参评银行"), queryset=Bank.objects.none())
    bank_rep = forms.CharField(label=_("银行评议人"), max_length=50)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class LoanForm(BankChoiceMixin, StyledMixin, forms.Form):
    number = forms.CharField(label=_("户编号"), max_length=32)
    bank = forms.ModelChoiceField(label=_("承贷银行"), queryset=Bank.objects.none())
    contract_no = forms.CharField(label=_("合同编号"), max_length=40)
    borrower = forms.CharField(label=_("借款人"), max_length=50, required=False, help_text=_("空 = 户主"))
    # The limits (50,000 yuan, 36 months) are the service's, refused in its words: the form takes any
    # positive amount and term so that the refusal names the rule.
    principal = forms.DecimalField(label=_("贷款金额（元）"), max_digits=14, decimal_places=2)
    term_months = forms.IntegerField(label=_("期限（月）"), min_value=0, max_value=600, initial=TERM_MAX_MONTHS)
    disbursed_on = forms.DateField(label=_("放款日期"), widget=DATE, initial=timezone.localdate)
    purpose = forms.ChoiceField(label=_("贷款用途"), choices=Purpose.choices)
    method = forms.ChoiceField(label=_("还款方式"), choices=RepaymentMethod.choices)


class RepaymentForm(StyledMixin, forms.Form):
    paid_on = forms.DateField(label=_("还款日期"), widget=DATE, initial=timezone.localdate)
    principal = forms.DecimalField(label=_("归还本金（元）"), max_digits=14, decimal_places=2, min_value=0, initial=0)
    interest = forms.DecimalField(label=_("支付利息（元）"), max_digits=14, decimal_places=2, min_value=0, initial=0)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class DepositForm(StyledMixin, forms.Form):
    amount = forms.DecimalField(label=_("注入金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    on = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class BankForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("银行名称"), max_length=100, help_text=_("例如：罗平县农村信用合作联社"))
    code = forms.CharField(label=_("机构代码"), max_length=30)
    area = forms.ChoiceField(label=_("所在县"))
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args: Any, areas: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {a.code: a for a in areas}
        self.fields["area"].choices = [(a.code, a.name) for a in self.areas.values()]

    def clean_area(self) -> Any:
        return self.areas[self.cleaned_data["area"]]


class BankUserForm(StyledMixin, forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150, validators=[UnicodeUsernameValidator()],
                               help_text=_("登录用，字母、数字和 @.+-_"))
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)


class RecoveryForm(StyledMixin, forms.Form):
    amount = forms.DecimalField(label=_("追回金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    on = forms.DateField(label=_("追回日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=200, required=False, help_text=_("例如：借款人归还、处置抵债物"))


class RecoveryReversalForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=200, help_text=_("例如：金额录错、重复登记"))


class BankLinkForm(StyledMixin, forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150, widget=forms.TextInput(attrs={"list": "bank-accounts"}),
                               help_text=_("已有的“银行”角色账号；若已关联其他银行，将改为本行"))


class TermsForm(StyledMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    annual_rate = forms.DecimalField(label=_("年利率（%）"), max_digits=6, decimal_places=4, min_value=0, max_value=24)
    subsidy_share = forms.DecimalField(label=_("贴息比例（0–1）"), max_digits=5, decimal_places=4, min_value=0,
                                       max_value=1)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class SchemeForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    year = forms.IntegerField(label=_("起始年度"), min_value=2000, max_value=2100)
    valid_years = forms.IntegerField(label=_("授信有效期（年）"), min_value=1, max_value=5, initial=1)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


#: Rows the scheme editor offers (blank rows are ignored).
INDICATOR_ROWS = 8
GRADE_ROWS = 6


def rows_from_post(data: Any) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The indicator and grade rows typed into the editor, blank rows left out (the rules check the rest)."""
    indicators = [{"key": data.get(f"ind-{n}-key", "").strip(), "label": data.get(f"ind-{n}-label", "").strip(),
                   "max": data.get(f"ind-{n}-max", "").strip()} for n in range(INDICATOR_ROWS)]
    grades = [{"grade": data.get(f"grade-{n}-grade", "").strip(), "min": data.get(f"grade-{n}-min", "").strip(),
               "line": data.get(f"grade-{n}-line", "").strip()} for n in range(GRADE_ROWS)]
    return [i for i in indicators if any(i.values())], [g for g in grades if any(g.values())]


def padded(rows: list[dict[str, Any]], n: int, blank: dict[str, str]) -> list[dict[str, Any]]:
    return [*rows, *[dict(blank) for _i in range(max(0, n - len(rows)))]]


def month_of(value: str | None, today: datetime.date) -> tuple[int, int]:
    """"2025-06" → (2025, 6); the previous month by default (a statement is of a closed month)."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        datetime.date(year, month, 1)
        return year, month
    except (TypeError, ValueError):
        first = today.replace(day=1) - datetime.timedelta(days=1)
        return first.year, first.month
