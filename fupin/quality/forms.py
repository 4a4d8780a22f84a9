"""Forms of the data-quality pages: they only shape input; writes go through fupin.quality.services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area

from .models import Category, Source
from .rules import Rule
from .selectors import ALL, OPEN, RESOLVED


class FindingFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("区划"), required=False)
    category = forms.ChoiceField(label=_("疑点类别"), required=False)
    rule = forms.ChoiceField(label=_("核查规则"), required=False)
    source = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部")), *Source.choices])
    state = forms.ChoiceField(label=_("处理情况"), required=False,
                              choices=[(OPEN, _("待核实")), (RESOLVED, _("已处理")), (ALL, _("全部"))])

    def __init__(self, *args: Any, areas: Iterable[Area] = (), rules: Iterable[Rule] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Villages indented under their township: one drop-down for the whole subtree.
        self.fields["area"].choices = [("", _("全部"))] + [
            (a.code, ("\u3000" if a.level == "village" else "") + a.name) for a in areas]
        self.fields["category"].choices = [("", _("全部"))] + list(Category.choices)
        self.fields["rule"].choices = [("", _("全部"))] + [(r.code, r.title) for r in rules]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "input")


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("处理说明"), max_length=300,
                           help_text=_("写明已核实更正的内容，或情况属实的理由（如“经入户核实，该成员确在省外务工，务工时间已补录”）"),
                           widget=forms.Textarea(attrs={"rows": 3, "class": "input"}))
