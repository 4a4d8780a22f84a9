"""Forms of 一户一策 and the measure catalogue (issue 15 item 3, plan15)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.accounts import policy
from fupin.areas.models import Area
from fupin.registry.choices import Cause
from fupin.web.forms import StyledMixin

from .models import Cadre, CatalogueMeasure, HelpingUnit, MeasureCategory, PlanMeasure

DATE = forms.DateInput(attrs={"type": "date"})


class MeasureForm(StyledMixin, forms.ModelForm):
    """A measure written in (not from the menu) or edited."""

    cause = forms.ChoiceField(label=_("针对致贫原因"), required=False,
                              choices=[("", _("（不针对登记的原因）")), *Cause.choices])

    class Meta:
        model = PlanMeasure
        fields = ["category", "name", "cause", "unit", "cadre", "planned_on", "funds", "result"]
        widgets = {"planned_on": DATE, "result": forms.Textarea(attrs={"rows": 2}),
                   "funds": forms.TextInput(attrs={"inputmode": "decimal"})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Units and cadres of the user's county and above (as the catalogue: policy.standards_q).
        self.fields["unit"].queryset = HelpingUnit.objects.filter(policy.standards_q(user, "area"), active=True)
        self.fields["cadre"].queryset = (Cadre.objects.filter(policy.standards_q(user, "area"), left_on__isnull=True)
                                         .select_related("unit"))
        self.fields["planned_on"].required = True


class DoneForm(StyledMixin, forms.Form):
    done_on = forms.DateField(label=_("完成日期"), widget=DATE,
                              error_messages={"required": _("请填写完成日期")})
    result = forms.CharField(label=_("成效"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CatalogueForm(StyledMixin, forms.ModelForm):
    causes = forms.MultipleChoiceField(label=_("对应致贫原因"), choices=Cause.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    area = forms.ModelChoiceField(label=_("适用区划"), queryset=Area.objects.none(), required=False,
                                  empty_label=_("全部区划"))

    class Meta:
        model = CatalogueMeasure
        fields = ["category", "name", "causes", "description", "area", "active"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = MeasureCategory.choices
        # The areas the user may set a catalogue for: their own (a county), or any for the whole tree.
        scope = policy.scope_path(user)
        own = Area.objects.filter(path=scope) if scope else Area.objects.filter(level__in=["province", "city", "county"])
        self.fields["area"].queryset = own
        if scope:
            self.fields["area"].required = True
            self.fields["area"].empty_label = None
