"""Issue 11 #6: no existence oracle across areas. Registering (or importing) a person already active in a
household the user may not see, or importing a 户编号 registered outside their scope, is refused with
a message that says the person or number is already registered and whom to ask (县扶贫办) — never
the other household's number (it encodes the village) nor that it lies outside their scope. A user
who may see that household still gets its number."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fupin.accounts.models import Role
from fupin.registry import services
from fupin.registry.choices import Cause, Relation
from fupin.sheets.importer import plan_import
from tests import factories
from tests.sheets.builders import STANDARD_HEADERS
from tests.sheets.test_import import family, sheet

pytestmark = pytest.mark.django_db

ELSEWHERE = "530324101201001"  # in 乙一村, outside 甲一村 and 甲乡


@pytest.fixture
def elsewhere(tree, county_user):
    return factories.household(tree["village_b1"], actor=county_user, number=ELSEWHERE)


def _registering(actor, village, person) -> str:
    data = {"name": person.name, "id_number": person.id_number, "sex": person.sex, "birth_date": person.birth_date,
            "relation": Relation.HEAD}
    with pytest.raises(ValidationError) as caught:
        services.household_create(actor=actor, area=village, number="5303241002010777", members=[data],
                                   main_cause=Cause.ILLNESS, identified_year=2014)
    assert "id_number" in caught.value.message_dict, caught.value.message_dict
    return " ".join(caught.value.message_dict["id_number"])


def test_a_village_cadre_is_not_told_where_a_person_is_registered(tree, village_user, elsewhere):
    person = elsewhere.members.get(relation=Relation.HEAD)
    message = _registering(village_user, tree["village_a1"], person)
    assert ELSEWHERE not in message and "管辖范围" not in message
    assert "已登记为另一户的在户成员" in message and "县扶贫办" in message


def test_a_user_who_sees_the_other_household_is_told_its_number(tree, county_user, elsewhere):
    person = elsewhere.members.get(relation=Relation.HEAD)
    assert f"已是户 {ELSEWHERE} 的在户成员" in _registering(county_user, tree["village_a1"], person)


def _import_messages(actor, rows, **kwargs) -> list[str]:
    return [p.message for p in plan_import(sheet(rows), actor=actor, **kwargs).all_problems()]


def test_an_import_does_not_tell_where_a_person_is_registered(tree, village_user, county_user, elsewhere):
    person = elsewhere.members.get(relation=Relation.HEAD)
    rows = family("5303241002010777", n=5)
    rows[1][STANDARD_HEADERS.index("证件号码")] = person.id_number
    rows[1][STANDARD_HEADERS.index("出生日期")] = person.birth_date.isoformat()
    rows[1][STANDARD_HEADERS.index("性别")] = "男" if person.sex == "1" else "女"
    hidden = [m for m in _import_messages(village_user, rows) if "另一户" in m or "已是户" in m]
    assert hidden and all(ELSEWHERE not in m and "县扶贫办" in m for m in hidden)
    shown = [m for m in _import_messages(county_user, rows) if "已是户" in m]
    assert shown and all(ELSEWHERE in m for m in shown)


def test_an_import_does_not_tell_that_a_number_is_registered_outside_the_scope(tree, village_user, elsewhere):
    messages = _import_messages(village_user, family(ELSEWHERE, n=5))
    taken = [m for m in messages if ELSEWHERE in m]
    assert taken == [f"户编号 {ELSEWHERE} 已被其他户使用，不能导入或修改；如有疑问请联系县扶贫办核实"]


def test_an_import_narrowed_to_a_village_still_names_a_household_the_user_sees(tree, elsewhere):
    township = factories.user("township_b", Role.TOWNSHIP, tree["township_b"])
    other_village = factories.area("530324101202", "乙二村")
    messages = _import_messages(township, family(ELSEWHERE, n=5), area=other_village)
    assert f"户编号 {ELSEWHERE} 已登记在您的管辖范围（或本次导入的区划）以外，不能导入或修改" in messages
