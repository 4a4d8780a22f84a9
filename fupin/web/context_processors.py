from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from fupin.registry.models import Household


def synthetic_data_present() -> bool:
    """Whether demo data is loaded; cached briefly, it is asked on every page."""
    value = cache.get("fupin:synthetic")
    if value is None:
        value = Household.objects.filter(synthetic=True).exists()
        cache.set("fupin:synthetic", value, 30)
    return value


#: The pages of 识别与退出 (issue 13), under one menu entry with a bar of their own: {section: names}.
#: A page belongs by its URL name or by its app's namespace.
PROCEDURE_PAGES = frozenset({
    "case_list", "case_detail", "case_new", "notice_list", "notice_detail", "notice_create", "adjustment_list",
    "adjustment_detail", "reconciliation", "reconciliation_list", "incidence", "village_indicators",
    "village_exit_apply", "village_exit_detail"})
PROCEDURE_APPS = frozenset({"exitcheck", "standards"})


#: The pages of 防返贫监测 (issue 14, mproc): the URL names starting with this, under one menu entry.
MONITORING_PREFIX = "monitoring_"
#: … and the apps (namespaces) shown under it: the departments' warnings (alerts); the year-end archive's pages
#: (URL names archive_…) are under it too.
MONITORING_APPS = frozenset({"alerts"})


#: 精准帮扶's pages (issue 15): who helps (namespace assistance), 走访 and 我的帮扶 (visits), 明白卡
#: (assistance_cards), 一户一策 and 措施目录 (plan_*), 帮扶缺口 (gaps_*).
ASSISTANCE_APPS = frozenset({"assistance", "visits", "assistance_cards"})
ASSISTANCE_PREFIXES = ("plan_", "gaps_")


def section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.url_name in PROCEDURE_PAGES or match.app_name in PROCEDURE_APPS:
        return "procedures"
    if (match.url_name or "").startswith(MONITORING_PREFIX) or match.app_name in MONITORING_APPS \
            or (match.url_name or "").startswith("archive_"):
        return "monitoring"
    if match.app_name in ASSISTANCE_APPS or (match.url_name or "").startswith(ASSISTANCE_PREFIXES):
        return "assistance"  # 精准帮扶 (issue 15): its sub-nav is assistance/_nav.html
    return ""


def fupin(request: HttpRequest) -> dict[str, Any]:
    return {
        "FUPIN_NAME": settings.FUPIN_NAME,
        "SECTION": section(request),
        # Shown on every page, the login page included: whether demo data is loaded is no secret.
        "SYNTHETIC_DATA": synthetic_data_present(),
    }
