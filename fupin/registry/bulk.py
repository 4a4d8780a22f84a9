"""Bulk actions on 贫困户名册 (issue 12 #16): the households ticked on a page of the list are exported
(through the export job of fupin.sheets, scoped and audited there) or given one value of one field
(批量更正: ``services.households_correct``, audited per household, all or nothing, version-checked).

The list posts the ticked households as ``ids``; ``ticked_ids`` reads them for both actions.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fupin.web.forms import StyledMixin, apply_errors

from . import rules, selectors, services
from .models import Household


def ticked_ids(data: QueryDict) -> list[int]:
    """The household ids ticked on the list (at most rules.BATCH_LIMIT, each once, in order)."""
    out: list[int] = []
    for raw in data.getlist("ids"):
        if raw.isdigit() and int(raw) not in out:
            out.append(int(raw))
    return out[:rules.BATCH_LIMIT]


def _field(name: str) -> Any:
    return Household._meta.get_field(name)


class BatchCorrectForm(StyledMixin, forms.Form):
    """One drop-down: the field and its new value together (“主要致贫原因 → 因病”)."""

    change = forms.ChoiceField(label=gettext_lazy("更正为"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change"].choices = [("", "—")] + [
            (str(_field(name).verbose_name), [(f"{name}={value}", label) for value, label in _field(name).choices
                                              if value])
            for name in rules.BATCH_FIELDS]

    def clean_change(self) -> tuple[str, str]:
        name, _sep, value = self.cleaned_data["change"].partition("=")
        return name, value


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("household_list")


@login_required
@require_POST
def household_bulk_correct(request: HttpRequest) -> HttpResponse:
    """批量更正: first the ticked households and the choice (their versions kept in the form), then the
    change. A household outside the user's scope is not found (404), as on its own page."""
    from .views import require_write

    require_write(request)
    ids = ticked_ids(request.POST)
    back = _back(request)
    if not ids:
        messages.error(request, _("请先勾选要更正的户"))
        return redirect(back)
    households = list(selectors.household_scope(request.user).filter(pk__in=ids)
                      .select_related("area__parent").order_by("number"))
    if len(households) != len(ids):
        raise Http404
    form = BatchCorrectForm(request.POST if request.POST.get("change") else None)
    if form.is_bound and form.is_valid():
        name, value = form.cleaned_data["change"]
        versions = {h.pk: int(v) for h in households if (v := request.POST.get(f"v{h.pk}", "")).isdigit()}
        try:
            changed = services.households_correct(actor=request.user, households=households, versions=versions,
                                                  field=name, value=value)
        except ValidationError as exc:
            apply_errors(form, exc)
            # Show what is stored now: the user sees the other person's change before trying again.
            households = list(selectors.household_scope(request.user).filter(pk__in=ids)
                              .select_related("area__parent").order_by("number"))
        else:
            label = dict(_field(name).choices).get(value, value)
            messages.success(request, _("已将 %(n)d 户的“%(f)s”更正为“%(v)s”（%(same)d 户原已是该值）") % {
                "n": len(changed), "f": _field(name).verbose_name, "v": label,
                "same": len(households) - len(changed)})
            return redirect(back)
    columns = [(name, _field(name).verbose_name) for name in rules.BATCH_FIELDS]
    rows = [{"h": h, "values": [getattr(h, f"get_{name}_display")() or "—" for name in rules.BATCH_FIELDS]}
            for h in households]
    return render(request, "registry/household_bulk_correct.html", {
        "form": form, "rows": rows, "columns": columns, "next": back, "count": len(households)})
