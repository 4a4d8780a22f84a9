"""The full demo county (seed 000's figures) and the province-sized set's counties."""

import dataclasses
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from fupin.areas.models import Area, AreaDesignation
from fupin.demo import counties
from fupin.demo.generator import county_spec, generate_county, scaled_quotas
from fupin.lib import idnumber
from fupin.registry.models import Household, Member, StatusChange


def test_default_scale_counts(db):
    """12,285 households, 41,685 people, first exits of 7,685 / 17,000 / 17,000 people (seed 000)."""
    out = io.StringIO()
    call_command("demo", "--no-progress", stdout=out)
    out = out.getvalue()
    # The generated county's registered poor (建档立卡: identified 2014–2016), beside the households that
    # applied this year (fupin.demo.cases) and those monitoring enrolled without registering them (2021–).
    registered = Household.objects.filter(status_changes__procedure="identification", identified_year__lte=2016)
    assert registered.count() == 12285
    assert Member.objects.filter(household__in=registered).count() == 41685
    assert "12,285 户" in out and "41,685 人" in out
    monitored_only = Household.objects.filter(status_changes__procedure="monitoring", status_changes__from_status="")
    assert monitored_only.exists() and not monitored_only.filter(pk__in=registered).exists()
    applied = Household.objects.filter(cases__kind="identification")
    assert Household.objects.count() == 12285 + monitored_only.count() + applied.count()
    assert "2015 年 7,685 / 7,685，2016 年 17,000 / 17,000，2017 年 17,000 / 17,000" in out

    sizes = Counter(Member.objects.values_list("household_id", flat=True))
    first_exit: dict[int, int] = {}
    for household_id, year in StatusChange.objects.filter(to_status="exited", date__year__lte=2020).order_by("date", "id").values_list(
            "household_id", "date__year"):
        first_exit.setdefault(household_id, year)
    people = defaultdict(int)
    for household_id, year in first_exit.items():
        people[year] += sizes[household_id]
    assert dict(people) == {2015: 7685, 2016: 17000, 2017: 17000}
    returned = StatusChange.objects.filter(to_status="returned", date__year__lte=2020).values_list("household_id",
                                                                                                  flat=True)
    assert set(returned) and all(StatusChange.objects.filter(household_id=h, from_status="returned",
                                                              to_status="exited").exists() for h in returned[:20])

    assert AreaDesignation.objects.filter(kind="poor_township", year=2015).count() == 3
    assert AreaDesignation.objects.filter(kind="poor_village", year=2015).count() == 24
    assert 140 <= Area.objects.filter(level="village").count() <= 160
    assert Household.objects.values("area__parent").distinct().count() > 100


def test_scaled_quotas_keep_seed_000_proportions():
    assert scaled_quotas(41685) == {2015: 7685, 2016: 17000, 2017: 17000}
    q = scaled_quotas(1000)
    assert sum(q.values()) == 1000 and q[2015] == 184 and q[2016] == q[2017] == 408


def test_province_counties_are_real_yunnan_county_codes():
    refs = counties.yunnan_counties()
    assert refs[0].code == "530324" and refs[0].name == "罗平县" and refs[0].city_name == "曲靖市"
    assert len(refs) >= 100
    assert len({r.code for r in refs}) == len(refs)
    assert all(r.code.startswith("53") and idnumber.area_code_known(r.code) for r in refs)
    assert [r.code for r in counties.counties_for_scale(5)] == [r.code for r in refs[:5]]
    with pytest.raises(ValueError):
        counties.counties_for_scale(len(refs) + 1)


def test_another_county_gets_its_own_codes_names_and_id_numbers():
    ref = counties.yunnan_counties()[3]
    spec = county_spec(ref, 2015)
    assert spec == county_spec(ref, 2015)  # deterministic
    assert 0.8 * 12285 <= spec.households <= 1.2 * 12285
    small = dataclasses.replace(spec, households=200, people=700, villages=40, quotas=scaled_quotas(700))
    data = generate_county(small, seed=2015)
    assert data.stats["registered_households"] == 200 and data.stats["registered_people"] == 700
    extra = data.stats["monitored_only_households"]  # found by monitoring since 2021, never registered poor
    assert len(data.households) == 200 + extra and len(data.members) == 700 + data.stats["monitored_only_people"]
    assert sum(data.stats["first_exits"].values()) == 700
    assert all(m["id_number"].startswith(ref.code) for m in data.members)
    assert all(a["code"].startswith(ref.code) for a in data.areas)
    assert all(h["number"].startswith(ref.code) for h in data.households)
    townships = [a for a in data.areas if a["level"] == "township"]
    assert 9 <= len(townships) <= 15 and len({a["name"] for a in townships}) == len(townships)


def test_a_small_province_loads_county_by_county(db):
    """--scale 3 in miniature: three real counties, each with its own tree, numbers and ID prefixes,
    each stored exactly as generated (and the first is the scale-1 demo county)."""
    from fupin.demo.generator import generate_county, shrink_spec
    from fupin.demo.loader import load_demo

    from .helpers import digest_database, digest_generated

    result = load_demo(scale=3, households=60, seed=9, cases=False)
    refs = counties.counties_for_scale(3)
    assert result.counties == [r.name for r in refs]
    assert Household.objects.count() == 180
    assert Area.objects.filter(level="province").count() == 1
    assert sum(result.first_exits.values()) == Member.objects.count()
    for ref in refs:
        county = Area.objects.get(code=ref.code + "000000")
        assert county.name == ref.name and county.parent.code == ref.city_code + "00000000"
        assert Household.objects.filter(area_path__startswith=ref.code).count() == 60
        ids = Member.objects.filter(household__area_path__startswith=ref.code).values_list("id_number", flat=True)
        assert all(n.startswith(ref.code) for n in ids)
        expected = digest_generated(generate_county(shrink_spec(county_spec(ref, 9), 60), seed=9))
        assert digest_database(prefix=ref.code) == expected
