"""Test data built through the real services (ARCHITECTURE habit 10)."""

from __future__ import annotations

import datetime
import itertools

from fupin.accounts.models import User
from fupin.areas.models import Area, Level
from fupin.lib import idnumber
from fupin.registry import rules, services
from fupin.registry.choices import Cause, Procedure, Relation

_seq = itertools.count(1)

COUNTY = "530324000000"
TOWNSHIP_A = "530324100000"
TOWNSHIP_B = "530324101000"
VILLAGE_A1 = "530324100201"
VILLAGE_A2 = "530324100202"
VILLAGE_B1 = "530324101201"


def area(code: str, name: str) -> Area:
    from fupin.areas.services import level_for_code

    level = level_for_code(code)
    existing = Area.objects.filter(code=code).first()
    if existing:
        return existing
    parent = None
    if level != Level.PROVINCE:
        from fupin.areas.services import parent_path

        parent = Area.objects.get(path=parent_path(code, level))
    return Area.objects.create(code=code, name=name, level=level, parent=parent, path=Area.path_for(code, level))


def area_tree() -> dict[str, Area]:
    """云南省 > 曲靖市 > 罗平县 > 两个乡镇 > 三个村."""
    return {
        "province": area("530000000000", "云南省"),
        "city": area("530300000000", "曲靖市"),
        "county": area(COUNTY, "罗平县"),
        "township_a": area(TOWNSHIP_A, "甲乡"),
        "township_b": area(TOWNSHIP_B, "乙乡"),
        "village_a1": area(VILLAGE_A1, "甲一村"),
        "village_a2": area(VILLAGE_A2, "甲二村"),
        "village_b1": area(VILLAGE_B1, "乙一村"),
    }


def user(username: str, role: str, area_obj: Area | None, **extra) -> User:
    u = User.objects.create_user(username=username, password="test-pass-123456", role=role, area=area_obj, **extra)
    return u


def person_id(birth: datetime.date | None = None, sex: str = "1", area6: str = "530324") -> str:
    """A fresh valid ID number each call."""
    n = next(_seq)
    birth = birth or datetime.date(1960, 1, 1) + datetime.timedelta(days=n * 37 % 15000)
    return idnumber.make(area6, birth, n % 500, sex)


def member_data(relation: str = Relation.HEAD, sex: str = "1", birth: datetime.date | None = None, **extra) -> dict:
    number = person_id(birth, sex)
    info = idnumber.parse(number)
    data = {"name": extra.pop("name", f"成员{next(_seq)}"), "id_number": number, "sex": sex,
            "birth_date": info.birth_date, "relation": relation}
    data.update(extra)
    return data


def household(village: Area, *, actor=None, members: list[dict] | None = None, **fields):
    members = members or [member_data(Relation.HEAD, "1"), member_data(Relation.SPOUSE, "2")]
    fields.setdefault("main_cause", Cause.ILLNESS)
    fields.setdefault("identified_year", 2014)
    if "status" in fields and "procedure" not in fields \
            and rules.initial_status_error(fields["status"], Procedure.REGISTRATION):
        # Set-up of a household that has already exited, returned …: one carried over from an earlier
        # register, the procedure that may bring a household in with any status but 注销.
        fields["procedure"] = Procedure.IMPORT
    if fields.get("status") in rules.EXITED_STATUSES:
        fields.setdefault("exit_year", max(fields["identified_year"], 2016))
    # Registered in the year it was identified, so that the status changes a test records later (dated
    # 2015 … today) come after it, as rules.status_date_error requires.
    fields.setdefault("date", datetime.date(fields["identified_year"], 1, 1))
    return services.household_create(actor=actor, area=village, number=fields.pop("number", f"H{next(_seq):08d}"),
                                     members=members, **fields)
