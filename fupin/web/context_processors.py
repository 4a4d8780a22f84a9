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


def fupin(request: HttpRequest) -> dict[str, Any]:
    return {
        "FUPIN_NAME": settings.FUPIN_NAME,
        # Shown on every page, the login page included: whether demo data is loaded is no secret.
        "SYNTHETIC_DATA": synthetic_data_present(),
    }
