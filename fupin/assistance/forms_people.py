"""Who helps (issue 15, who15): the forms of the units, cadres, teams, links, pairings and rules pages. The
choices are read through the scoped selectors; every rule is the services' (services_people)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level
from fupin.web.forms import StyledMixin

from . import selectors_people as sel
from .models import CadreRank, HelpingUnit, PostRole, UnitKind

DATE = {"type": "date"}


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                           error_messages={"required": _("请填写日期"), "invalid": _("日期格式应为 年-月-日")}, **kwargs)


class AreaField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        indent = {"county": "", "township": "　", "village": "　　"}.get(obj.level, "")
        return f"{indent}{obj.name}"


def area_field(label: Any, user: Any, levels: tuple[str, ...], **kwargs: Any) -> AreaField:
    from fupin.accounts import policy

    qs = policy.visible_areas(user).filter(level__in=levels).order_by("path")
    return AreaField(label=label, queryset=qs, error_messages={"required": _("请选择区划"),
                                                             "invalid_choice": _("无权选择该区划")}, **kwargs)


class CadreField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        unit = f"（{obj.unit.name}）" if obj.unit_id else ""
        return f"{obj.name}{unit}"


def cadre_field(label: Any, user: Any, **kwargs: Any) -> CadreField:
    return CadreField(label=label, queryset=sel.cadre_choices(user),
                      error_messages={"required": _("请选择帮扶干部"), "invalid_choice": _("无权选择该干部")}, **kwargs)


class FilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("姓名/单位"), required=False, max_length=50)


class UnitForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("单位类别"), choices=UnitKind.choices)
    area = forms.ModelChoiceField(label=_("所属区划"), queryset=Area.objects.none())
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = area_field(_("所属区划"), user, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
        self.fields["area"].widget.attrs["class"] = "input"


class CadreForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    unit = forms.ModelChoiceField(label=_("帮扶单位"), queryset=HelpingUnit.objects.none(), required=False)
    post = forms.CharField(label=_("职务"), max_length=50, required=False)
    rank = forms.ChoiceField(label=_("干部类别"), choices=CadreRank.choices, initial=CadreRank.STAFF)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    area = forms.ModelChoiceField(label=_("所属区划"), queryset=Area.objects.none())
    user = forms.ModelChoiceField(label=_("登录账号"), queryset=Area.objects.none(), required=False,
                                  help_text=_("可选：关联本辖区的“帮扶责任人”账号，账号即可看到该干部结对的户"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = sel.units_for(user).filter(active=True).order_by("name")
        self.fields["area"] = area_field(_("所属区划"), user, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
        self.fields["user"].queryset = sel.linkable_accounts(user)
        self.fields["user"].label_from_instance = lambda u: f"{u.username} · {u.display_name or ''}"
        for name in ("unit", "area", "user"):
            self.fields[name].widget.attrs["class"] = "input"


class LeaveForm(StyledMixin, forms.Form):
    left_on = date_field(_("离岗日期"), required=False, help_text=_("清空表示恢复在岗"))


class ReassignForm(StyledMixin, forms.Form):
    """Hand a departed cadre's households to another cadre: which pairings (all by default), to whom, from when."""

    pairings = forms.MultipleChoiceField(label=_("待转交的结对"), widget=forms.CheckboxSelectMultiple,
                                         error_messages={"required": _("请至少选择一户")})
    to_cadre = forms.ModelChoiceField(label=_("新的帮扶责任人"), queryset=HelpingUnit.objects.none())
    on = date_field(_("交接日期"))

    def __init__(self, *args: Any, user: Any, pairings: list, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate(), "pairings": [str(p.pk) for p in pairings]})
        super().__init__(*args, **kwargs)
        self.fields["pairings"].choices = [(str(p.pk), f"{p.household.number} {p.household.head_name}")
                                           for p in pairings]
        self.fields["to_cadre"] = cadre_field(_("新的帮扶责任人"), user)
        self.fields["to_cadre"].widget.attrs["class"] = "input"


class TeamForm(StyledMixin, forms.Form):
    village = forms.ModelChoiceField(label=_("驻村"), queryset=Area.objects.none())
    unit = forms.ModelChoiceField(label=_("派出单位"), queryset=HelpingUnit.objects.none(), required=False)
    start = date_field(_("进驻日期"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"] = area_field(_("驻村"), user, (Level.VILLAGE,))
        self.fields["unit"].queryset = sel.units_for(user).filter(active=True).order_by("name")
        for name in ("village", "unit"):
            self.fields[name].widget.attrs["class"] = "input"


class PostingForm(StyledMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("干部"), queryset=HelpingUnit.objects.none())
    role = forms.ChoiceField(label=_("职责"), choices=PostRole.choices, initial=PostRole.MEMBER)
    full_time = forms.BooleanField(label=_("脱产驻村"), required=False, initial=True)
    start = date_field(_("派驻日期"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cadre"] = cadre_field(_("干部"), user)
        self.fields["cadre"].widget.attrs["class"] = "input"


class EndForm(StyledMixin, forms.Form):
    end = date_field(_("结束日期"))


class PresenceForm(StyledMixin, forms.Form):
    """One month's days in the village, one field per posting of the team in post that month."""

    def __init__(self, *args: Any, postings: list, current: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.postings = postings
        for p in postings:
            self.fields[f"p{p.pk}"] = forms.IntegerField(
                label=f"{p.cadre.name} · {p.get_role_display()}{'' if p.full_time else _('（兼职）')}",
                required=False, min_value=0, max_value=31, initial=current.get(p.pk),
                error_messages={"min_value": _("天数不能为负"), "max_value": _("天数不能超过 31"),
                                "invalid": _("请填写整数天数")},
                widget=forms.NumberInput(attrs={"class": "input", "inputmode": "numeric"}))

    def days(self) -> dict[int, int | None]:
        return {p.pk: self.cleaned_data.get(f"p{p.pk}") for p in self.postings}


class LinkForm(StyledMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("县级领导"), queryset=HelpingUnit.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("县直部门/单位"), queryset=HelpingUnit.objects.none(), required=False)
    area = forms.ModelChoiceField(label=_("挂钩乡镇/联系村"), queryset=Area.objects.none())
    start = date_field(_("挂钩日期"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cadre"] = cadre_field(_("县级领导"), user, required=False,
                                           help_text=_("领导与单位二选一"))
        self.fields["cadre"].queryset = self.fields["cadre"].queryset.filter(rank=CadreRank.COUNTY_LEADER)
        self.fields["unit"].queryset = sel.units_for(user).filter(active=True).order_by("kind", "name")
        self.fields["area"] = area_field(_("挂钩乡镇/联系村"), user, (Level.TOWNSHIP, Level.VILLAGE))
        for name in ("cadre", "unit", "area"):
            self.fields[name].widget.attrs["class"] = "input"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("cadre")) == bool(data.get("unit")):
            raise forms.ValidationError(_("请选择一名县级领导或一个单位（二选一）"))
        return data


class BulkPairForm(StyledMixin, forms.Form):
    """Choose one cadre for many households of one village."""

    cadre = forms.ModelChoiceField(label=_("帮扶责任人"), queryset=HelpingUnit.objects.none())
    households = forms.MultipleChoiceField(label=_("结对户"), widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": _("请至少选择一户")})
    start = date_field(_("结对日期"))

    def __init__(self, *args: Any, user: Any, households: list, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["cadre"] = cadre_field(_("帮扶责任人"), user)
        self.fields["cadre"].widget.attrs["class"] = "input"
        self.fields["households"].choices = [(str(h.pk), h.number) for h in households]


class PairForm(StyledMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("帮扶责任人"), queryset=HelpingUnit.objects.none())
    start = date_field(_("结对日期"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["cadre"] = cadre_field(_("帮扶责任人"), user)
        self.fields["cadre"].widget.attrs["class"] = "input"


class RuleForm(StyledMixin, forms.Form):
    value = forms.IntegerField(label=_("数值"), min_value=0, max_value=10000,
                               error_messages={"required": _("请填写数值"), "min_value": _("数值不能为负")})
    note = forms.CharField(label=_("依据"), max_length=200, required=False)
