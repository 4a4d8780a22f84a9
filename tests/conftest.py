import importlib

import pytest
from django.db.models.signals import post_migrate

from fupin.accounts.models import Role

from . import factories


def _restore_migration_data(sender, **kwargs) -> None:
    """A transactional test (``django_db(transaction=True)``) ends by emptying every table; Django then
    sends post_migrate, as after a migration. Put back what the data migrations wrote (the national
    poverty lines, registry 0002; the national exit criteria, standards 0002; 七不进, 四进 and 四看,
    standards 0004; the village and county exit thresholds, identification 0002; all idempotent), so that
    the tests that run next on the same worker — under pytest-xdist any test may — find the database as
    migrated."""
    from django.apps import apps

    if sender.label == "registry":
        lines = importlib.import_module("fupin.registry.migrations.0002_national_poverty_lines")
        lines.add_lines(apps, None)
    elif sender.label == "standards":
        rules = importlib.import_module("fupin.standards.migrations.0002_standards_exit_criteria")
        rules.add_rules(apps, None)
        more = importlib.import_module("fupin.standards.migrations.0004_stdpages_seed_negative_inclusion_scoring")
        more.add_rules(apps, None)
    elif sender.label == "credit":  # (issue 15 #7) the national rating scheme and yearly terms
        importlib.import_module("fupin.credit.migrations.0002_national_scheme_and_terms").add_defaults(apps, None)
        importlib.import_module("fupin.credit.migrations.0004_seed_notes").add_notes(apps, None)
    elif sender.label == "projects":  # (issue 16) the negative list
        importlib.import_module("fupin.projects.migrations.0002_money16").seed(apps, None)
        importlib.import_module("fupin.projects.migrations.0005_seed_004_negative").seed(apps, None)
    elif sender.label == "assistance":  # issue 15 (plan15): the measure catalogue
        catalogue = importlib.import_module("fupin.assistance.migrations.0005_plans_catalogue_seed")
        catalogue.seed(apps, None)
    elif sender.label == "identification":
        thresholds = importlib.import_module("fupin.identification.migrations.0002_villages_thresholds")
        thresholds.add_thresholds(apps, None)


post_migrate.connect(_restore_migration_data, dispatch_uid="tests-restore-migration-data")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached figures (year ranges, the demo-data banner) must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (zh-hans). A request made in English leaves English
    active in the thread (LocaleMiddleware activates, nothing deactivates), and under pytest-xdist the
    next test on that worker is whichever the scheduler picks: a Chinese message would then read
    English only sometimes."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    return factories.area_tree()


@pytest.fixture
def county_user(tree):
    return factories.user("county_officer", Role.COUNTY, tree["county"])


@pytest.fixture
def township_a_user(tree):
    return factories.user("township_a", Role.TOWNSHIP, tree["township_a"])


@pytest.fixture
def township_b_user(tree):
    return factories.user("township_b", Role.TOWNSHIP, tree["township_b"])


@pytest.fixture
def village_user(tree):
    return factories.user("village_a1", Role.VILLAGE, tree["village_a1"])
