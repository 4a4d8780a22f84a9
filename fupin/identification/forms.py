"""The case pages' HTML forms (识别与退出). They only shape input; every write goes through
fupin.identification.services, every rule (vote quorum, checklist, who may act) is in rules.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Level
from fupin.web.forms import StyledMixin, apply_errors

from . import rules
from .models import CaseEvent, CaseKind, Origin, Step

#: The vote of a democratic appraisal (rules.VOTED_STEPS), in the words of the minutes.
VOTE_FIELDS = ("representatives", "present", "votes_for", "votes_against", "votes_abstain")
VOTE_LABELS = {"representatives": _("应到代表（人）"), "present": _("实到（人）"), "votes_for": _("同意（票）"),
               "votes_against": _("反对（票）"), "votes_abstain": _("弃权（票）")}
#: A service names the opinion "reason" (the workflow's word) and the state "step".
RENAMED = {"reason": "opinion"}


def put_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's refusal on the form: at the field it names when the form has it, else above it."""
    if hasattr(exc, "error_dict"):
        exc = ValidationError({RENAMED.get(key, key): value for key, value in exc.error_dict.items()})
    apply_errors(form, exc)


def _vote_fields(form: forms.Form) -> None:
    for name in VOTE_FIELDS:
        form.fields[name] = forms.IntegerField(
            label=VOTE_LABELS[name], min_value=0, max_value=9999,
            required=name in ("representatives", "present", "votes_for"),
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input"}),
            error_messages={"required": _("请填写%(f)s") % {"f": VOTE_LABELS[name]},
                            "invalid": _("请填写整数"), "min_value": _("人数不能为负数")})


def _votes(cleaned: dict[str, Any]) -> dict[str, int] | None:
    if "representatives" not in cleaned:
        return None
    return {name: cleaned.get(name) or 0 for name in VOTE_FIELDS}


class CaseFilterForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *CaseKind.choices])
    step = forms.ChoiceField(label=_("当前环节"), required=False, choices=[("", _("全部")), *Step.choices])
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    area = forms.ChoiceField(label=_("区划"), required=False)
    waiting = forms.BooleanField(label=_("只看待我办理"), required=False)
    sort = forms.ChoiceField(label=_("排序"), required=False,
                             choices=[("", _("按村、户主拼音")), ("updated", _("最近办理在前"))])

    def __init__(self, *args: Any, areas: list = (), years: list[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部")), *[(y, str(y)) for y in years]]
        depth = {level: i for i, level in enumerate(Level.values)}
        top = min((depth[a.level] for a in areas), default=0)
        self.fields["area"].choices = [("", _("全部")), *[
            (a.code, "\u3000" * (depth[a.level] - top) + a.name) for a in areas]]


class StepForm(StyledMixin, forms.Form):
    """One step a user may take on a case now: the opinion and date; the vote for a democratic
    appraisal; the home-visit checklist (rules.CHECKLIST, every item 是/否 with a note) for 入户查."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    opinion = forms.CharField(label=_("意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("请填写意见")})
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": _("请填写日期"), "invalid": _("日期格式应为 年-月-日")})

    def __init__(self, *args: Any, case: Any, target: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"s-{target}")
        kwargs.setdefault("initial", {"version": case.version, "date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.case, self.target = case, target
        self.back = rules.is_back(case.step, target)
        self.ending = target in (Step.REJECTED, Step.WITHDRAWN)
        if self.back:
            self.fields["opinion"].label = _("退回理由")
            self.fields["opinion"].error_messages["required"] = _("请填写退回理由")
        elif self.ending:
            self.fields["opinion"].label = _("理由")
            self.fields["opinion"].error_messages["required"] = _("请填写理由")
        # A send-back returns to a step without taking it again: no vote, no checklist.
        if target in rules.VOTED_STEPS and not self.back:
            _vote_fields(self)
        self.items = (rules.checklist_for(target) or {}) if not self.back else {}
        if self.items:
            for key, label in self.items.items():
                self.fields[f"ok_{key}"] = forms.ChoiceField(
                    label=label, choices=[("yes", _("是")), ("no", _("否"))],
                    widget=forms.RadioSelect(attrs={"class": "radios"}),
                    error_messages={"required": _("请选择“是”或“否”")})
                self.fields[f"note_{key}"] = forms.CharField(
                    label=_("说明"), required=False, max_length=200,
                    widget=forms.TextInput(attrs={"class": "input", "placeholder": _("说明（可不填）")}))

    @property
    def label(self) -> str:
        name = rules.step_label(self.target)
        if self.back:
            return str(_("退回到“%(s)s”") % {"s": name})
        return name

    def vote_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in VOTE_FIELDS if name in self.fields]

    def checklist_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"ok_{key}"], self[f"note_{key}"]) for key in self.items if f"ok_{key}" in self.fields]

    def plain_fields(self) -> list[forms.BoundField]:
        return [self["opinion"], self["date"]]

    def votes(self) -> dict[str, int] | None:
        return _votes(self.cleaned_data)

    def checklist(self) -> dict[str, dict[str, Any]] | None:
        if not self.items:
            return None
        return {key: {"ok": self.cleaned_data[f"ok_{key}"] == "yes", "note": self.cleaned_data[f"note_{key}"]}
                for key in self.items}


class OpenIdentificationForm(StyledMixin, forms.Form):
    """申报识别 of a household in 申请中: the reason, and whether the household applied or a cadre reported it."""

    reason = forms.CharField(label=_("申请理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写申请理由")})
    origin = forms.ChoiceField(label=_("来源"), choices=[(Origin.APPLICATION, Origin.APPLICATION.label),
                                                        (Origin.CADRE_REPORT, Origin.CADRE_REPORT.label)],
                               initial=Origin.APPLICATION, widget=forms.RadioSelect(attrs={"class": "radios"}))
    year = forms.IntegerField(label=_("年度"), min_value=2013, max_value=2100,
                              error_messages={"required": _("请填写年度"), "invalid": _("请填写年份")})
    date = forms.DateField(label=_("申报日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": _("请填写日期"), "invalid": _("日期格式应为 年-月-日")})

    kind = CaseKind.IDENTIFICATION

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {"year": today.year, "date": today, "origin": Origin.APPLICATION})
        kwargs.setdefault("prefix", "open-identification")
        super().__init__(*args, **kwargs)

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in VOTE_FIELDS]

    def vote_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in VOTE_FIELDS if name in self.fields]

    def service_kwargs(self) -> dict[str, Any]:
        cd = self.cleaned_data
        return {"kind": self.kind, "year": cd["year"], "reason": cd["reason"], "origin": cd.get("origin"),
                "date": cd["date"], "votes": None}


class OpenExitForm(OpenIdentificationForm):
    """提名退出 (民主评议): the reason and the vote of the village representatives' meeting. The exit check
    (rules in force, each criterion by name) runs in services.case_open."""

    kind = CaseKind.EXIT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "open-exit")
        super().__init__(*args, **kwargs)
        del self.fields["origin"]
        self.fields["reason"].label = _("退出理由")
        self.fields["reason"].error_messages["required"] = _("请填写退出理由")
        self.fields["date"].label = _("评议日期")
        _vote_fields(self)

    def service_kwargs(self) -> dict[str, Any]:
        return {**super().service_kwargs(), "origin": Origin.PROPOSAL, "votes": _votes(self.cleaned_data)}


OPEN_FORMS = {CaseKind.IDENTIFICATION: OpenIdentificationForm, CaseKind.EXIT: OpenExitForm}


class ApplicantForm(OpenIdentificationForm):
    """申报识别 from the 新申请 page: the household chosen among the 申请中 households in scope."""

    household = forms.ModelChoiceField(label=_("申请户"), queryset=None, empty_label=_("请选择"),
                                       error_messages={"required": _("请选择申请户"),
                                                       "invalid_choice": _("所选农户不在可申报的范围内")})

    def __init__(self, *args: Any, households: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "apply")
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["household"].label_from_instance = lambda h: f"{h.number} {h.head_name}（{h.area.name}）"
        self.order_fields(["household", "origin", "reason", "year", "date"])


class AttachmentForm(StyledMixin, forms.Form):
    file = forms.FileField(label=_("附件（JPG、PNG 图片或 PDF 扫描件）"),
                           error_messages={"required": _("请选择要上传的文件"), "empty": _("这是空文件")})
    event = forms.ModelChoiceField(label=_("所属环节"), queryset=CaseEvent.objects.none(), required=False,
                                   empty_label=_("（整个案件）"))

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"
        self.fields["event"].queryset = case.events.all()
        self.fields["event"].label_from_instance = lambda e: f"{e.date:%Y-%m-%d} {rules.step_label(e.to_step)}"
