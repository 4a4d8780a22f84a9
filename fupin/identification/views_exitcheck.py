"""退出核查: the exit check of the households in the user's scope (/exit-check/), its download, and the
panel of one household's check shown on the household page (issue 13 item 4; REFERENCE §4)."""

from __future__ import annotations

import datetime
import io
import tempfile
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from fupin.accounts import policy
from fupin.areas.models import Area, Level
from fupin.audit.services import audit_export
from fupin.registry import rules
from fupin.registry import selectors as registry_selectors
from fupin.registry.choices import Status
from fupin.registry.models import Household, Member, PovertyLine, YearlyRecord
from fupin.standards.models import RuleKind, RuleSet

from . import exitcheck

CONCLUSIONS = (("", gettext_lazy("全部")), ("yes", exitcheck.EXITABLE), ("no", exitcheck.NOT_EXITABLE),
               ("undecided", exitcheck.UNDECIDED))


def default_year(today: datetime.date | None = None) -> int:
    """The latest year up to last year that has exit criteria; last year when none has."""
    last = rules.default_report_year()
    year = RuleSet.objects.filter(kind=RuleKind.EXIT, year__lte=last).aggregate(y=Max("year"))["y"]
    return year or last


def year_choices() -> list[tuple[int, str]]:
    """Every year with exit criteria or a poverty line, the latest first."""
    years = set(RuleSet.objects.filter(kind=RuleKind.EXIT).values_list("year", flat=True).distinct())
    years |= set(PovertyLine.objects.values_list("year", flat=True).distinct())
    years.add(default_year())
    return [(y, str(y)) for y in sorted(years, reverse=True)]


class ExitCheckForm(forms.Form):
    # A code, not a choice: a code outside the user's subtree is a 404 (browse_area_get), as everywhere.
    area = forms.CharField(label=gettext_lazy("区划"), required=False, widget=forms.Select)
    year = forms.TypedChoiceField(label=gettext_lazy("核查年度"), coerce=int)
    scope = forms.ChoiceField(label=gettext_lazy("核查范围"), required=False, choices=list(exitcheck.SCOPES.items()))
    conclusion = forms.ChoiceField(label=gettext_lazy("结论"), required=False, choices=CONCLUSIONS)

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].widget.choices = [("", _("全部"))] + [
            (a.code, {"township": "\u3000", "village": "\u3000\u3000"}.get(a.level, "") + a.name) for a in areas]
        self.fields["year"].choices = year_choices()
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "input")


def _check_request(request: HttpRequest) -> dict[str, Any] | None:
    """The form, the chosen area, year, scope and filters of the page and its download; None when the user
    has nothing to see."""
    user = request.user
    root = registry_selectors.browse_root(user=user)
    if root is None:
        return None
    areas = list(registry_selectors.browse_areas(user=user)
                 .filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]).order_by("path"))
    data = request.GET.copy()
    data.setdefault("year", str(default_year()))
    form = ExitCheckForm(data, areas=areas)
    area, year, scope, conclusion = None, default_year(), exitcheck.POOR, ""
    if form.is_valid():
        cd = form.cleaned_data
        if cd["area"]:
            area = registry_selectors.browse_area_get(user=user, code=cd["area"])
        year, scope, conclusion = cd["year"], cd["scope"] or exitcheck.POOR, cd["conclusion"]
    judged = exitcheck.judge(policy.visible_households(user), year, area=area or _own_area(user, root), scope=scope)
    failed = request.GET.get("failed", "")
    rows = judged.queryset
    if conclusion:
        rows = rows.filter(exitcheck.conclusion_q(judged, conclusion))
    if failed:
        rows = rows.filter(exitcheck.failed_q(judged, failed))
    return {"form": form, "root": root, "area": area, "year": year, "scope": scope, "conclusion": conclusion,
            "failed": failed, "judged": judged, "rows": rows}


def _own_area(user: Any, root: Area) -> Area | None:
    """The area that bounds the check when none is chosen: the user's subtree (none for the whole tree)."""
    return root if policy.scope_path(user) else None


@login_required
@require_GET
def exit_check_list(request: HttpRequest) -> HttpResponse:
    chosen = _check_request(request)
    if chosen is None:
        return render(request, "web/no_scope.html",
                      {"by_households": policy.scoped_by_households(request.user)})
    judged: exitcheck.Judged = chosen["judged"]
    counts = exitcheck.exit_check_counts(judged)
    values = exitcheck.row_values(judged, chosen["rows"])
    paginator = Paginator(values, settings.FUPIN_PAGE_SIZE)
    # The number of rows is already in the counts: a COUNT over the annotated rows would judge them again.
    paginator.count = exitcheck.filtered_count(counts, chosen["conclusion"], chosen["failed"])
    page = paginator.get_page(request.GET.get("page"))
    where = chosen["area"] or chosen["root"]
    page.object_list = list(exitcheck.read_rows(judged, page.object_list, exitcheck.area_names(where)))
    params = request.GET.copy()
    params.pop("page", None)
    base = params.copy()
    for key in ("conclusion", "failed"):
        base.pop(key, None)
    chart = {"labels": [label for label, _n in counts.failed], "values": [n for _label, n in counts.failed],
             "title": _("未达标户数")}
    return render(request, "identification/exit_check.html", {
        **chosen, "counts": counts, "page": page, "query": params.urlencode(), "base_query": base.urlencode(),
        "download_query": params.urlencode(), "chart": chart, "scope_label": exitcheck.SCOPES[chosen["scope"]],
        "where": where,
    })


@login_required
@require_GET
def exit_check_download(request: HttpRequest, kind: str) -> HttpResponse:
    """The rows of the page (same filters, every page) as .xlsx or .csv; audited as an export."""
    if kind not in (exitcheck.CSV, exitcheck.XLSX):
        raise Http404
    chosen = _check_request(request)
    if chosen is None:
        raise Http404
    judged: exitcheck.Judged = chosen["judged"]
    where = chosen["area"] or chosen["root"]
    values = exitcheck.row_values(judged, chosen["rows"])
    names = exitcheck.area_names(where)
    title = _("%(where)s %(y)d 年退出核查（%(scope)s）") % {
        "where": where.name, "y": chosen["year"], "scope": exitcheck.SCOPES[chosen["scope"]]}
    # A temporary file, not memory: a province's list may be large. Gone when the response is closed.
    out = tempfile.TemporaryFile()
    with exitcheck.without_jit():
        rows = exitcheck.read_rows(judged, values.iterator(chunk_size=2000), names)
        if kind == exitcheck.CSV:
            text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
            n = exitcheck.write_csv(rows, text)
            text.flush()
            text.detach()
        else:
            n = exitcheck.write_xlsx(rows, out, title=title)
    out.seek(0)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"{_('退出核查')}-{where.name}-{chosen['year']}-{stamp}.{kind}"
    audit_export(actor=request.user, entity="identification.exit_check", area_path=where.path,
                 summary=(_("下载退出核查 %(y)d 年 %(n)s 户：%(where)s") % {
                     "y": chosen["year"], "n": n, "where": where.name})[:200],
                 data={"kind": "exit_check", "year": chosen["year"], "households": n, "file": name,
                       "filters": {"area": where.code, "scope": chosen["scope"], "conclusion": chosen["conclusion"],
                                   "failed": chosen["failed"]}})
    return FileResponse(out, as_attachment=True, filename=name)


# --- the household page's panel -----------------------------------------------------------------------

#: Households whose page shows the panel: every one in the register (an exited household's check is the
#: 回头看), not one whose application is still open nor a cancelled one.
PANEL_STATUSES = frozenset(Status) - {Status.CANCELLED, Status.APPLYING}


def exit_check_context(household: Household, year: int | None = None, *, members: list[Member] | None = None,
                       records: list[YearlyRecord] | None = None) -> dict[str, Any] | None:
    """The context of identification/_exit_check_panel.html for one household (already found through the
    user's scope): its check for ``year``, by default the latest year it has a record for. ``members`` and
    ``records``: all of the household's, when the page has them loaded. None when the panel is not shown
    for the household's status."""
    if household.status not in PANEL_STATUSES:
        return None
    if year is None:
        if records is not None:
            year = max((r.year for r in records), default=None) or default_year()
        else:
            year = household.yearly_records.aggregate(y=Max("year"))["y"] or default_year()
    check = exitcheck.exit_check(household, year, members=members, records=records)
    return {"check": check, "year": year,
            "retrospective": household.status not in (Status.POOR, Status.RETURNED)}
