"""The monitoring pages' forms (mproc): the list's filters, registering a found household, a measure, the
即时帮扶 flag, the entry and risk-elimination visits, and the public mobile application. Every rule is the
services' (fupin.monitoring.services / rules); the forms only read typed values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.identification import rules as case_rules
from fupin.registry.choices import Relation
from fupin.registry.forms import HouseholdCreateForm, MemberBriefForm
from fupin.web.forms import StyledMixin

from .models import Channel, ObjectKind, ObjectState, RiskType, Sector

DATE = {"type": "date"}


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                           error_messages={"required": _("请填写日期"), "invalid": _("日期格式应为 年-月-日")}, **kwargs)


class ObjectFilterForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *ObjectKind.choices])
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *ObjectState.choices])
    risk = forms.ChoiceField(label=_("风险类型"), required=False, choices=[("", _("全部")), *RiskType.choices])
    village = forms.ChoiceField(label=_("村"), required=False)
    instant = forms.BooleanField(label=_("只看即时帮扶"), required=False)
    overdue = forms.BooleanField(label=_("只看超期"), required=False)

    def __init__(self, *args: Any, villages: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("全部")), *[(v.code, v.name) for v in villages]]


class FoundForm(StyledMixin, forms.Form):
    """Register a household found by any channel (object_found)."""

    household = forms.CharField(label=_("户编号"), max_length=30, error_messages={"required": _("请填写户编号")})
    kind = forms.ChoiceField(label=_("监测对象类别"), choices=ObjectKind.choices)
    risk_types = forms.MultipleChoiceField(label=_("风险类型"), choices=RiskType.choices,
                                           widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": _("至少选择一种风险类型")})
    channel = forms.ChoiceField(label=_("发现途径"), choices=Channel.choices, initial=Channel.VISIT)
    found_on = _date_field(_("发现日期"))
    income_12m = forms.DecimalField(label=_("近12个月人均纯收入（元）"), required=False, max_digits=12,
                                    decimal_places=2,
                                    help_text=_("入户核算的申请前12个月人均纯收入；不填则按上年度人均纯收入估算"))
    note = forms.CharField(label=_("情况说明"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"found_on": timezone.localdate(), "channel": Channel.VISIT})
        super().__init__(*args, **kwargs)


class NewFoundForm(FoundForm):
    """The monitoring side of registering a household not yet in the registry (no 户编号 to look up): a
    边缘易致贫户, or a 突发严重困难户 never registered."""

    household = None
    kind = forms.ChoiceField(label=_("监测对象类别"), choices=[(k.value, k.label) for k in (ObjectKind.EDGE, ObjectKind.SUDDEN)],
                             initial=ObjectKind.EDGE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "o")
        kwargs.setdefault("initial", {"found_on": timezone.localdate(), "channel": Channel.VISIT, "kind": ObjectKind.EDGE})
        super().__init__(*args, **kwargs)


class NewHouseholdForm(HouseholdCreateForm):
    """The registry's registration form (its place picker and 户编号, its rules in the service) cut to what a
    household found for monitoring is registered with; the status is the monitoring procedure's."""

    status = None
    other_causes = None

    class Meta(HouseholdCreateForm.Meta):
        fields = ["number", "area", "main_cause", "address", "phone", "house_area"]

    groups = [(_("农户"), ["main_cause", "address", "phone", "house_area"])]


class HeadBriefForm(MemberBriefForm):
    """户主: who they are (name, ID number, sex, birth date, ethnicity); the rest on the member's page later."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"relation": Relation.HEAD})
        super().__init__(*args, **kwargs)
        self.fields["relation"].choices = [(Relation.HEAD.value, Relation.HEAD.label)]
        self.fields["id_number"].error_messages["required"] = _("请填写户主的身份证号码")
        self.fields["name"].error_messages["required"] = _("请填写户主姓名")


class MeasureForm(StyledMixin, forms.Form):
    sector = forms.ChoiceField(label=_("责任部门"), choices=Sector.choices)
    category = forms.CharField(label=_("措施类型"), max_length=30,
                               widget=forms.TextInput(attrs={"list": "measure-categories"}),
                               error_messages={"required": _("请填写措施类型")})
    date = _date_field(_("实施日期"))
    amount = forms.DecimalField(label=_("金额（元）"), required=False, max_digits=12, decimal_places=2, min_value=0)
    description = forms.CharField(label=_("措施内容"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        kwargs.setdefault("prefix", "m")
        super().__init__(*args, **kwargs)


#: Short names the measure form suggests (free text: a county has its own).
MEASURE_CATEGORIES = ("产业帮扶", "就业帮扶", "公益岗位", "医疗救助", "临时救助", "低保", "教育资助", "危房改造",
                      "饮水安全", "小额信贷", "保险理赔", "消费帮扶")


class InstantForm(StyledMixin, forms.Form):
    on = _date_field(_("标注日期"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        kwargs.setdefault("prefix", "i")
        super().__init__(*args, **kwargs)


class _VisitForm(StyledMixin, forms.Form):
    """入户核实: the checklist (fupin.identification.rules.MONITOR_CHECKLIST, the consent must be 是)."""

    opinion = forms.CharField(label=_("核实意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("请填写核实意见")})
    date = _date_field(_("核实日期"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        for key, label in case_rules.MONITOR_CHECKLIST.items():
            self.fields[f"ok_{key}"] = forms.ChoiceField(
                label=label, choices=[("yes", _("是")), ("no", _("否"))],
                widget=forms.RadioSelect(attrs={"class": "radios"}), error_messages={"required": _("请选择“是”或“否”")})

    def checklist_rows(self) -> list[forms.BoundField]:
        return [self[f"ok_{key}"] for key in case_rules.MONITOR_CHECKLIST]

    def checklist(self) -> dict[str, dict[str, Any]]:
        return {key: {"ok": self.cleaned_data[f"ok_{key}"] == "yes", "note": ""} for key in case_rules.MONITOR_CHECKLIST}


class EntryForm(_VisitForm):
    income_12m = forms.DecimalField(label=_("近12个月人均纯收入（元）"), required=False, max_digits=12, decimal_places=2,
                                    help_text=_("入户核算后填写，将替换发现时的数字"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "e")
        super().__init__(*args, **kwargs)


class ClearForm(_VisitForm):
    income_12m = forms.DecimalField(label=_("近12个月人均纯收入（元）"), max_digits=12, decimal_places=2,
                                    error_messages={"required": _("请填写入户核算的近12个月人均纯收入")})
    income_above_since = _date_field(_("收入稳定超过监测标准起始日期"))
    rigid_resolved = forms.BooleanField(label=_("大额刚性支出问题已解决"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "c")
        super().__init__(*args, **kwargs)


class DismissForm(StyledMixin, forms.Form):
    note = forms.CharField(label=_("走访情况和不纳入的理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("请填写走访情况和不纳入的理由")})


class ApplyForm(forms.Form):
    """The public mobile page: nothing but what the household types (no household is looked up)."""

    name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("请填写姓名")})
    phone = forms.CharField(label=_("联系电话"), max_length=20, error_messages={"required": _("请填写联系电话")},
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    village = forms.ChoiceField(label=_("所在村"), error_messages={"required": _("请选择所在村"),
                                                                  "invalid_choice": _("请选择所在村")})
    situation = forms.CharField(label=_("家庭遇到的困难"), max_length=500, widget=forms.Textarea(attrs={"rows": 5}),
                                error_messages={"required": _("请简要说明家庭遇到的困难")})

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("请选择")), *villages]
