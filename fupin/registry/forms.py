"""The registry's HTML forms. They only shape input; every write goes through fupin.registry.services."""

from __future__ import annotations

from collections.abc import Container, Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area
from fupin.lib import idnumber
from fupin.web.forms import RuleChoiceField, StyledMixin

from . import counts, rules
from .choices import (
    Attribute,
    CancelReason,
    Cause,
    Procedure,
    Relation,
    RemovalReason,
    Status,
)
from .models import LIVING_FIELDS, NEGATIVE_LIST_FIELDS, Household, Member, YearlyRecord

#: A form's fields in titled groups, as the templates lay them out.
Groups = list[tuple[str, list[forms.BoundField]]]

BASIC_FIELDS = ["address", "phone", "bank_name", "bank_account", "standard", "attribute", "main_cause",
                "other_causes", "identified_year", "exit_year_planned", "exit_year"]


def _status_choices(statuses: Container[str]) -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in Status if s in statuses]


class HouseholdForm(StyledMixin, forms.ModelForm):
    other_causes = forms.MultipleChoiceField(label=_("其他致贫原因"), choices=Cause.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Household
        fields = BASIC_FIELDS + LIVING_FIELDS + NEGATIVE_LIST_FIELDS
        widgets = {"address": forms.TextInput(attrs={"size": 40})}

    groups = [
        (_("基本信息"), BASIC_FIELDS),
        (_("生产条件"), LIVING_FIELDS[:9]),
        (_("生活条件"), LIVING_FIELDS[9:20]),
        (_("易地扶贫搬迁"), LIVING_FIELDS[20:]),
        (_("七不进核查"), NEGATIVE_LIST_FIELDS),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # 0 means "no house" (rules.house_area_required): a new household's form starts empty, and the
        # field is required, so that a house left blank is never recorded as none.
        house = self.fields["house_area"]
        house.required = True
        house.error_messages["required"] = rules.house_area_required()
        if self.instance.pk is None and "house_area" not in (kwargs.get("initial") or {}):
            self.initial.pop("house_area", None)
            house.initial = None

    def grouped(self) -> Groups:
        return [(title, [self[name] for name in names]) for title, names in self.groups]


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name}（{obj.code}）"


class HouseholdCreateForm(HouseholdForm):
    number = forms.CharField(label=_("户编号"), max_length=32, error_messages={"required": _("请填写户编号；选定村或村民小组后会自动建议")},
                             help_text=_("选定村或村民小组后自动建议下一个空闲户编号（村代码 12 位 + 顺序号 4 位）"))
    # Chosen with the cascading picker (乡镇 → 行政村 → 村民小组, with search): the picker posts the id.
    area = AreaChoiceField(label=_("所在村/村民小组"), queryset=Area.objects.none(), widget=forms.HiddenInput,
                           error_messages={"required": _("请选择行政村或村民小组")})
    # A registration (建档立卡登记) starts where rules.INITIAL_STATUSES says; the service asks the same rule.
    status = RuleChoiceField(label=_("登记状态"), choices=_status_choices(rules.initial_statuses(Procedure.REGISTRATION)),
                             rule=lambda s: rules.initial_status_error(s, Procedure.REGISTRATION),
                             initial=Status.POOR)

    class Meta(HouseholdForm.Meta):
        fields = ["number", "area", "status", *HouseholdForm.Meta.fields]

    groups = [(_("登记"), ["status"]), *HouseholdForm.groups]

    def __init__(self, *args: Any, areas: QuerySet[Area] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas

    def _get_validation_exclusions(self) -> set[str]:
        # The 户编号 is the service's to check (rules.number_duplicate_error links to the household that has
        # it, for those who may see it); the model's own unique check would only say "已存在".
        return {*super()._get_validation_exclusions(), "number"}


MEMBER_FIELDS = ["name", "id_number", "sex", "birth_date", "ethnicity", "relation", "education", "school_status",
                 "health", "disability_category", "disability_grade", "disability_cert_no", "labour",
                 "work_status", "work_months", "work_place", "medical_insurance", "serious_illness_insurance",
                 "pension_insurance", "on_dibao", "dibao_amount", "on_tekun", "tekun_amount", "soldier", "phone",
                 "public_servant", "village_official"]


class MemberForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"birth_date": _("可不填，按证件号码自动生成"), "id_number": _("18 位身份证号；15 位旧号自动升级")}

    groups = [
        (_("身份"), MEMBER_FIELDS[:6]),
        (_("教育与健康"), MEMBER_FIELDS[6:12]),
        (_("劳动与务工"), MEMBER_FIELDS[12:16]),
        (_("保障"), MEMBER_FIELDS[16:25]),
        (_("七不进核查"), MEMBER_FIELDS[25:]),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].required = False
        self.fields["sex"].required = False
        # fupin/static/fupin/app.js fills 出生日期 and 性别 from the number as it is typed (issue 12, item 10).
        self.fields["id_number"].widget.attrs.update({
            "data-id-fill": "1", "data-id-note": _("已按证件号码填写出生日期和性别，请核对。")})

    def grouped(self) -> Groups:
        return [(title, [self[name] for name in names]) for title, names in self.groups]

    def clean(self) -> dict[str, Any]:
        """出生日期 and 性别 follow a valid ID number when left blank, or left as they were while the number
        was corrected (they then belong to the old number). A date or sex the user changed is kept, and
        Member.clean reports it if it does not match the number."""
        data = super().clean()
        try:
            info = idnumber.parse(data.get("id_number") or "")
        except idnumber.IdNumberError:
            return data  # the service reports the number at its field
        for name, derived in (("sex", info.sex), ("birth_date", info.birth_date)):
            value = data.get(name)
            if value in (None, "") or (name not in self.changed_data and value != derived):
                data[name] = derived
        return data

    def _post_clean(self) -> None:
        # Model validation happens in the service (one place, with the database checks); the form
        # only converts types, so that a refused value is reported once, at its field.
        pass


class MemberBriefForm(StyledMixin, forms.ModelForm):
    """A further member entered with the head when a household is registered: who they are; the rest
    (education, health, work …) on the member's own form later."""

    class Meta:
        model = Member
        fields = MEMBER_FIELDS[:6]
        widgets = MemberForm.Meta.widgets

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].required = False
        self.fields["sex"].required = False
        self.fields["relation"].choices = [("", "—"), *[(r.value, r.label) for r in Relation if r != Relation.HEAD]]
        self.fields["birth_date"].help_text = _("可不填，按证件号码自动生成")

    def _post_clean(self) -> None:
        pass


#: The further members of a registration (prefix "x"); rows are added by htmx, left blank rows are skipped.
MemberBriefFormSet = forms.formset_factory(MemberBriefForm, extra=0, max_num=20, validate_max=True)


class YearlyRecordForm(StyledMixin, forms.ModelForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    class Meta:
        model = YearlyRecord
        fields = ["year", "member_count", "wage_income", "business_income", "property_income", "transfer_income",
                  "business_expense", "food_clothing_secure", "education_secure", "medical_secure",
                  "housing_secure", "water_secure", "note"]
        widgets = {name: forms.NullBooleanSelect() for name in
                   ["food_clothing_secure", "education_secure", "medical_secure", "housing_secure", "water_secure"]}

    def _post_clean(self) -> None:
        pass


class StatusChangeForm(StyledMixin, forms.Form):
    """A status change by hand: the statuses the status machine allows from the current one, and only
    the procedures a person may name (rules.MANUAL_PROCEDURES); 贫困识别 and 脱贫退出 are recorded by
    their own procedures. ``version`` is the household's as the page showed it: a change made by
    someone else since is refused, not overwritten."""

    to_status = RuleChoiceField(label=_("变更为"), rule=lambda s: None)
    procedure = RuleChoiceField(label=_("程序"), rule=rules.manual_procedure_error, initial=Procedure.CORRECTION,
                                choices=[(p, Procedure(p).label) for p in rules.MANUAL_PROCEDURES])
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.TextInput(attrs={"size": 50}))
    cancel_reason = forms.ChoiceField(label=_("注销原因"), required=False,
                                      choices=[("", "—"), *CancelReason.choices])
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_status"]
        field.choices = _status_choices(rules.next_statuses(household.status))
        field.rule = lambda s: rules.transition_error(household.status, s)
        self.fields["version"].initial = household.version


class MakeHeadForm(StyledMixin, forms.Form):
    old_head_relation = forms.ChoiceField(label=_("原户主改为"), required=False)

    def __init__(self, *args: Any, old_head: Member | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["old_head_relation"]
        field.choices = [(r.value, r.label) for r in Relation if r != Relation.HEAD]
        field.required = old_head is not None
        if old_head is None:
            field.widget = forms.HiddenInput()


class MemberRemoveForm(StyledMixin, forms.Form):
    reason = forms.ChoiceField(label=_("减员原因"), choices=RemovalReason.choices)
    date = forms.DateField(label=_("减员日期"), widget=forms.DateInput(attrs={"type": "date"}))


class HouseholdFilterForm(StyledMixin, forms.Form):
    township = forms.ChoiceField(label=_("乡镇"), required=False)
    village = forms.ChoiceField(label=_("行政村"), required=False)
    # "" lists 在册户 (not 注销), as every figure counts them (fupin.registry.counts).
    status = forms.ChoiceField(label=_("户状态"), required=False,
                               choices=[("", _("在册户（不含注销）")), (counts.ALL_STATUSES, _("全部（含注销）")),
                                        *Status.choices])
    attribute = forms.ChoiceField(label=_("贫困户属性"), required=False, choices=[("", _("全部")), *Attribute.choices])
    cause = forms.ChoiceField(label=_("主要致贫原因"), required=False, choices=[("", _("全部")), *Cause.choices])
    identified_year = forms.TypedChoiceField(label=_("识别年度"), required=False, coerce=int, empty_value=None)
    exit_year = forms.TypedChoiceField(label=_("脱贫年度"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("搜索"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"placeholder": _("姓名 / 证件号码或其后 4、6 位 / 户编号"), "type": "search"}))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, townships: Iterable[Area] = (), villages: Iterable[Area] = (),
                 years: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", _("全部")), *[(a.code, a.name) for a in townships]]
        self.fields["village"].choices = [("", _("全部")), *[(a.code, a.name) for a in villages]]
        year_choices = [("", _("全部")), *[(y, str(y)) for y in years]]
        self.fields["identified_year"].choices = year_choices
        self.fields["exit_year"].choices = year_choices
