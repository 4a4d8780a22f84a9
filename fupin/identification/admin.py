"""The identification app in the admin."""

from . import admin_villages  # noqa: F401  (the village/county exit standards and records)
