"""Forms of the notice pages (公示公告): the list's filter, publishing a notice, recording and resolving an
objection, withdrawing a notice. The rules (who may publish which kind, where, the minimum period, the
objection period) are the services' and fupin.identification.rules'; these forms only collect the input."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.web.forms import StyledMixin

from .models import NoticeKind, ObjectionStatus

STATES = [("", _("全部")), ("running", _("公示中")), ("upcoming", _("未开始")), ("ended", _("已结束")),
          ("withdrawn", _("已撤销"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class NoticeFilterForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False,
                             choices=[("", _("全部类别")), *NoticeKind.choices])
    state = forms.ChoiceField(label=_("状态"), required=False, choices=STATES)
    area = forms.ChoiceField(label=_("区划"), required=False)

    def __init__(self, *args: Any, areas: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部区划"))] + [
            (a.code, ("　" * max(0, len(a.ancestors()) - 3)) + a.name) for a in areas]


class NoticeChooseForm(StyledMixin, forms.Form):
    """Step 1 of publishing: the kind and where it hangs (GET; the page reloads with the eligible cases)."""

    kind = forms.ChoiceField(label=_("公示类别"))
    area = forms.ChoiceField(label=_("发布区划"))

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], areas: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["kind"].widget.attrs["data-autosubmit"] = ""
        self.fields["area"].choices = [(a.code, a.full_name() if hasattr(a, "full_name") else a.name)
                                       for a in areas]
        self.fields["area"].widget.attrs["data-autosubmit"] = ""


class NoticePublishForm(StyledMixin, forms.Form):
    """Step 2: the listed cases (all ticked at first), the period, where objections go."""

    cases = forms.MultipleChoiceField(label=_("公示名单"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("请至少勾选一户（村）列入公示名单")})
    starts_on = forms.DateField(label=_("公示开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("公示结束日期"), widget=DateInput())
    hotline = forms.CharField(label=_("异议受理电话"), max_length=30)
    address = forms.CharField(label=_("异议受理地址"), max_length=100)

    def __init__(self, *args: Any, cases: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(str(c.pk), c.pk) for c in cases]


class ObjectionForm(StyledMixin, forms.Form):
    received_on = forms.DateField(label=_("受理日期"), widget=DateInput())
    entry = forms.ChoiceField(label=_("涉及对象"), required=False)
    raised_by = forms.CharField(label=_("反映人"), max_length=50, required=False, help_text=_("可匿名，留空即为匿名"))
    contact = forms.CharField(label=_("联系方式"), max_length=30, required=False)
    content = forms.CharField(label=_("异议内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, entries: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("整份公示"))] + [
            (str(e.pk), f"{e.position}. {e.name}") for e in entries]
        self.fields["content"].widget.attrs["rows"] = 3


class ResolveForm(StyledMixin, forms.Form):
    status = forms.ChoiceField(label=_("核查结论"), widget=forms.RadioSelect(attrs={"class": "check"}),
                               choices=[(ObjectionStatus.UPHELD, _("异议成立")),
                                        (ObjectionStatus.DISMISSED, _("异议不成立"))])
    resolution = forms.CharField(label=_("核查处理意见"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    resolved_on = forms.DateField(label=_("办结日期"), widget=DateInput(), required=False)


class WithdrawForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


def default_period(start: datetime.date, days: int) -> tuple[datetime.date, datetime.date]:
    return start, start + datetime.timedelta(days=days - 1)
