from django.conf import settings
from django.core.cache import cache

from fupin.registry.models import Household


def synthetic_data_present() -> bool:
    """Whether demo data is loaded; cached briefly, it is asked on every page."""
    value = cache.get("fupin:synthetic")
    if value is None:
        value = Household.objects.filter(synthetic=True).exists()
        cache.set("fupin:synthetic", value, 30)
    return value


def fupin(request):
    return {
        "FUPIN_NAME": settings.FUPIN_NAME,
        # Shown on every page, the login page included: whether demo data is loaded is no secret.
        "SYNTHETIC_DATA": synthetic_data_present(),
    }
