"""农村户籍人口 in the demo: the denominator of 贫困发生率 adds up from village to province."""

from django.db.models import Sum

from fupin.areas.models import Area, Level
from fupin.registry.models import Member, StatusChange


def test_every_village_and_township_has_a_rural_population_that_adds_up(small_demo):
    county = Area.objects.get(level=Level.COUNTY)
    townships = Area.objects.filter(level=Level.TOWNSHIP)
    assert county.rural_population == townships.aggregate(s=Sum("rural_population"))["s"]
    for township in townships:
        villages = Area.objects.filter(parent=township)
        assert township.rural_population == villages.aggregate(s=Sum("rural_population"))["s"]
    assert Area.objects.get(level=Level.PROVINCE).rural_population == county.rural_population


def test_no_village_has_more_registered_people_than_residents(small_demo):
    for village in Area.objects.filter(level=Level.VILLAGE):
        registered = Member.objects.filter(household__area_path__startswith=village.path).count()
        assert village.rural_population >= registered


def test_status_changes_remember_the_household_size_and_members_their_citizen_id(small_demo):
    assert not StatusChange.objects.filter(member_count__isnull=True).exists()
    assert not Member.objects.filter(citizen_id="").exists()
    member = Member.objects.first()
    assert member.citizen_id == member.id_number[:18]
