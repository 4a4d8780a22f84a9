import pytest

from fupin.accounts.models import Role
from fupin.registry import services
from tests import factories


@pytest.fixture
def superuser(db):
    return factories.user("root", Role.ADMIN, None, is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def registry_data(tree, county_user):
    """Two households in different townships, each with a yearly record and its status history."""
    households = [
        factories.household(tree["village_a1"], actor=county_user, number="H-A1-0001"),
        factories.household(tree["village_b1"], actor=county_user, number="H-B1-0001"),
    ]
    for h in households:
        services.yearly_record_save(actor=county_user, household=h, year=2016,
                                    data={"wage_income": 3000, "transfer_income": 1200})
    return households
