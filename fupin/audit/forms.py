"""The audit page's filter form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.web.forms import StyledMixin

from .models import AuditKind


def _audit_entities():
    from .display import entity_label
    entities = ["registry.household", "registry.member", "registry.yearlyrecord", "registry.povertyline",
                "accounts.user", "areas.area"]
    return [("", _("全部")), *[(e, entity_label(e)) for e in entities]]


class AuditFilterForm(StyledMixin, forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150,
                            widget=forms.TextInput(attrs={"placeholder": _("账号包含…"), "type": "search"}))
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *AuditKind.choices])
    entity = forms.ChoiceField(label=_("对象类型"), required=False)
    entity_id = forms.CharField(label=_("对象编号"), required=False, max_length=40)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("摘要包含"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("户编号 / 姓名 …"), "type": "search"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = _audit_entities()
