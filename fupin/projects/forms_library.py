"""Forms of the project library pages (issue 16, life16). The services check and refuse; the forms only
turn the posted text into values (targets: one line per indicator, "指标|单位|目标值|实际值")."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Project
from .rules import Category, Nature

DATE = forms.DateInput(attrs={"type": "date", "class": "input"}, format="%Y-%m-%d")


class Styled(forms.Form):
    """The site's inputs (class "input"); ``id_prefix``: ids of their own when several forms share a page."""

    id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if not isinstance(f.widget, (forms.CheckboxInput, forms.FileInput, forms.HiddenInput)):
                f.widget.attrs.setdefault("class", "input")


def targets_text(targets: list[dict[str, str]]) -> str:
    return "\n".join("|".join(t.get(k, "") for k in ("indicator", "unit", "target", "actual")).rstrip("|")
                     for t in targets or [])


def targets_parse(text: str) -> list[dict[str, str]]:
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if parts and parts[0]:
            parts += [""] * (4 - len(parts))
            out.append(dict(zip(("indicator", "unit", "target", "actual"), parts[:4], strict=True)))
    return out


class ProjectForm(Styled):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    category = forms.ChoiceField(label=_("项目类别"), choices=Category.choices)
    nature = forms.ChoiceField(label=_("建设性质"), choices=Nature.choices, initial=Nature.NEW)
    area = forms.ChoiceField(label=_("建设地点（区划）"))
    site = forms.CharField(label=_("建设地点（详细）"), max_length=200, required=False)
    lead = forms.ChoiceField(label=_("责任单位（牵头部门）"), required=False,
                             help_text=_("不选：按项目类别取县里的牵头部门（种子 000）"))
    implementer = forms.CharField(label=_("实施单位"), max_length=100, required=False)
    year = forms.IntegerField(label=_("计划年度"), min_value=2000, max_value=2100)
    starts_on = forms.DateField(label=_("计划开工"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("计划完工"), required=False, widget=DATE)
    budget = forms.DecimalField(label=_("总投资（元）"), max_digits=14, decimal_places=2, min_value=0, required=False)
    financing = forms.CharField(label=_("资金筹措方式"), max_length=300, required=False)
    households = forms.IntegerField(label=_("受益户数"), min_value=0, required=False)
    people = forms.IntegerField(label=_("受益人数"), min_value=0, required=False)
    tasks = forms.CharField(label=_("建设任务（规模及内容）"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    targets = forms.CharField(label=_("绩效目标"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("每行一个指标：指标|单位|目标值|实际值，如 新建道路|公里|3.5"))
    participation = forms.CharField(label=_("群众参与"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    mechanism = forms.CharField(label=_("带贫减贫机制"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, areas: list[tuple[str, str]], units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas
        self.fields["lead"].choices = [("", "—"), *units]
        if not self.initial.get("year"):
            self.initial["year"] = timezone.localdate().year + 1

    def values(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["targets"] = targets_parse(d.get("targets", ""))
        for k in ("households", "people"):
            if d.get(k) is None:
                d[k] = 0
        if d.get("budget") is None:
            d["budget"] = 0
        return d

    @staticmethod
    def initial_of(project: Project) -> dict[str, Any]:
        out = {k: getattr(project, k) for k in ("name", "category", "nature", "site", "implementer", "year",
                                                 "starts_on", "ends_on", "budget", "financing", "households",
                                                 "people", "tasks", "participation", "mechanism")}
        out["area"] = project.area.code
        out["lead"] = str(project.lead_id or "")
        out["targets"] = targets_text(project.targets)
        return out


class StepForm(Styled):
    kind = forms.ChoiceField(choices=(("forward", "forward"), ("back", "back"), ("cancel", "cancel")))
    reason = forms.CharField(label=_("意见/原因"), max_length=500, required=False)
    date = forms.DateField(label=_("日期"), required=False, widget=DATE)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BeneficiaryForm(Styled):
    id_prefix = "bn"

    numbers = forms.CharField(label=_("户编号"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("每行一个户编号（本项目建设地点内的建档立卡户）"))
    note = forms.CharField(label=_("受益内容"), max_length=200, required=False)


class ContractForm(Styled):
    id_prefix = "ct"

    number = forms.CharField(label=_("合同编号"), max_length=60)
    party = forms.CharField(label=_("乙方（中标单位）"), max_length=200)
    procurement = forms.CharField(label=_("采购方式"), max_length=50, required=False)
    amount = forms.DecimalField(label=_("合同金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)


class ProgressForm(Styled):
    id_prefix = "pg"

    progress = forms.IntegerField(label=_("形象进度（%）"), min_value=0, max_value=100)
    on = forms.DateField(label=_("填报日期"), widget=DATE, initial=datetime.date.today)
    finished_on = forms.DateField(label=_("实际完工"), required=False, widget=DATE)
    note = forms.CharField(label=_("进度说明"), max_length=500, required=False)


class ImportForm(Styled):
    file = forms.FileField(label=_("项目库 Excel（.xlsx）"))


class DepartmentStaffForm(Styled):
    user = forms.ChoiceField(label=_("行业部门账号"))
    department = forms.ChoiceField(label=_("部门"))

    def __init__(self, *args: Any, users: list[tuple[str, str]], units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = users
        self.fields["department"].choices = units
