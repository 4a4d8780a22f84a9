"""One rule for compulsory-school age (义务教育阶段适龄, fupin.registry.rules): 6 to 15 on 31 August of the
school year, asked on the same boundary days by the standards' 义务教育 field, the quality check of exited
households and the 控辍保学 warning."""

import datetime
from types import SimpleNamespace

import pytest

from fupin.registry import rules
from fupin.registry.choices import SchoolStatus, Status

D = datetime.date


@pytest.mark.parametrize(("day", "year"), [(D(2024, 8, 31), 2023), (D(2024, 9, 1), 2024), (D(2025, 1, 1), 2024)])
def test_school_year_turns_on_the_first_of_september(day, year):
    assert rules.school_year(day) == year


# In the school year 2024/25: six by 31 August 2024 (born on or before 2018-08-31) and not yet sixteen
# then (born after 2008-08-31).
BOUNDARIES = [
    (D(2018, 8, 31), True),   # six on the cut-off day: starts school
    (D(2018, 9, 1), False),   # six a day late: next year
    (D(2008, 9, 1), True),    # fifteen on the cut-off day: still counted
    (D(2008, 8, 31), False),  # sixteen on the cut-off day
]


@pytest.mark.parametrize(("birth", "expected"), BOUNDARIES)
def test_the_boundary_days_of_compulsory_school_age(birth, expected):
    for day in (D(2024, 9, 1), D(2025, 3, 1), D(2025, 8, 31)):
        assert rules.compulsory_school_age(birth, on=day) is expected
    # the day before, the school year 2023/24: the six-year-olds are a year short, the sixteens still fifteen
    assert rules.compulsory_school_age(birth, on=D(2024, 8, 31)) is (birth.year == 2008)


@pytest.mark.parametrize(("birth", "expected"), BOUNDARIES)
def test_the_standards_field_asks_the_same_rule(birth, expected):
    from fupin.standards.fields import _out_of_school

    member = SimpleNamespace(birth_date=birth, school_status=SchoolStatus.NONE)
    assert _out_of_school(member, 2024) is expected


@pytest.mark.parametrize(("birth", "expected"), BOUNDARIES)
def test_the_quality_check_asks_the_same_rule(birth, expected):
    from fupin.quality.rules import Subject, exit_dropout

    member = SimpleNamespace(birth_date=birth, school_status=SchoolStatus.NONE, pk=1)
    household = SimpleNamespace(status=Status.EXITED)
    subject = Subject(household=household, members=[member], yearly=None, today=D(2025, 3, 1))
    assert bool(list(exit_dropout(subject))) is expected


@pytest.mark.parametrize(("birth", "expected"), BOUNDARIES)
def test_the_dropout_warning_asks_the_same_rule(birth, expected):
    from fupin.monitoring.alerts import _dropout

    person = SimpleNamespace(name="张三", birth_date=birth, household_id=1, member_id=1)
    outcome = _dropout({}, {"since_date": "2025-03-01"}, person, None, None)
    assert outcome.raised is expected
