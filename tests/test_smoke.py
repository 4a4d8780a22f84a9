from fupin.registry.models import Household

from . import factories


def test_a_household_registers_with_its_members(tree, county_user):
    h = factories.household(tree["village_a1"], actor=county_user)
    h.refresh_from_db()
    assert h.member_count == 2
    assert h.head_name
    assert h.area_path == tree["village_a1"].path
    assert Household.objects.filter(area_path__startswith=tree["township_a"].path).count() == 1
    assert Household.objects.filter(area_path__startswith=tree["township_b"].path).count() == 0
