"""Forms of the fund ledger's pages (money16): they only parse; the rules are the services'
(fupin.projects.services_funds)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.web.forms import StyledMixin

from .models import Contract
from .rules import Channel, Level, PaymentKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT = forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"})


class DocumentForm(StyledMixin, forms.Form):
    number = forms.CharField(label=_("文号"), max_length=80, help_text=_("如：罗财农〔2024〕12号"))
    title = forms.CharField(label=_("文件标题"), max_length=200)
    level = forms.ChoiceField(label=_("资金级次"), choices=Level.choices)
    channel = forms.ChoiceField(label=_("资金渠道"), choices=Channel.choices)
    year = forms.IntegerField(label=_("资金年度"), min_value=2000, max_value=2100,
                              initial=lambda: timezone.localdate().year)
    amount = forms.CharField(label=_("金额（元）"), max_length=20, widget=AMOUNT)
    purpose = forms.CharField(label=_("资金用途"), max_length=300)
    original_use = forms.CharField(label=_("原用途（整合资金）"), max_length=200, required=False)
    issued_on = forms.DateField(label=_("下达日期"), widget=DATE, initial=timezone.localdate)
    received_on = forms.DateField(label=_("到账日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


#: The allocation form's selects get a text box filtering their options as one types (fupin/app.js,
#: ``data-filter-select``); without JavaScript the page's 查找 form narrows them on the server (``dq``/``pq``).
FILTERED = {"data-filterable": "1"}


class AllocationForm(StyledMixin, forms.Form):
    document = forms.ModelChoiceField(label=_("资金文件"), queryset=None, widget=forms.Select(attrs=FILTERED))
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, widget=forms.Select(attrs=FILTERED))
    area = forms.ModelChoiceField(label=_("资金拨付至"), queryset=None, help_text=_("县级报账，或拨付至乡镇"))
    amount = forms.CharField(label=_("分配金额（元）"), max_length=20, widget=AMOUNT)
    allocated_on = forms.DateField(label=_("分配日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args: Any, documents: Any, projects: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents
        self.fields["project"].queryset = projects
        self.fields["area"].queryset = areas


class PaymentForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(label=_("支付类别"), choices=[(PaymentKind.CONTRACT, PaymentKind.CONTRACT.label),
                                                       (PaymentKind.OTHER, PaymentKind.OTHER.label)])
    contract = forms.ModelChoiceField(label=_("合同"), queryset=Contract.objects.none(), required=False)
    amount = forms.CharField(label=_("支付金额（元）"), max_length=20, widget=AMOUNT)
    paid_on = forms.DateField(label=_("支付日期"), widget=DATE, initial=timezone.localdate)
    payee = forms.CharField(label=_("收款方"), max_length=200)
    purpose = forms.CharField(label=_("用途"), max_length=300)
    voucher = forms.CharField(label=_("凭证号"), max_length=60, required=False)

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts


class BatchForm(StyledMixin, forms.Form):
    title = forms.CharField(label=_("批次名称"), max_length=200, help_text=_("如：甲一村 2024 年肉牛养殖到户补助（第一批）"))
    drawn_on = forms.DateField(label=_("造册日期"), widget=DATE, initial=timezone.localdate)
    file = forms.FileField(label=_("发放清单（Excel）"), help_text=_(
        "须有“补助金额”列和“证件号码”（或“户编号”）列；可有“户主姓名”“一卡通账号”“补助内容”。按证件号码与贫困户档案匹配。"))


class PayBatchForm(StyledMixin, forms.Form):
    paid_on = forms.DateField(label=_("发放日期"), widget=DATE, initial=timezone.localdate)
    voucher = forms.CharField(label=_("凭证号"), max_length=60, required=False)
    names_checked = forms.BooleanField(required=False)

    def __init__(self, *args: Any, warned: int = 0, **kwargs: Any) -> None:
        """``warned``: how many lines' names differ from the registry's; none, no confirmation box."""
        super().__init__(*args, **kwargs)
        if warned:
            from .services_funds import names_confirm_label

            self.fields["names_checked"].label = names_confirm_label(warned)
        else:
            del self.fields["names_checked"]


class CancelBatchForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=300,
                             help_text=_("如：清单有误，重新造册"),
                             error_messages={"required": _("请填写作废原因")})


class NegativeForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("禁止用途"), max_length=100)
    keywords = forms.CharField(label=_("关键词"), widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("每行一个，或用顿号、逗号分隔；出现在项目名称、建设任务或支付用途中即拒绝"))
    note = forms.CharField(label=_("依据"), max_length=300, required=False)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)


class TrailForm(forms.Form):
    year_from = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    year_to = forms.IntegerField(min_value=2000, max_value=2100, required=False)

    def years(self) -> tuple[int, int]:
        today = datetime.date.today().year
        data = self.cleaned_data if self.is_valid() else {}
        y_to = data.get("year_to") or today
        y_from = data.get("year_from") or y_to - 9
        return min(y_from, y_to), max(y_from, y_to)
