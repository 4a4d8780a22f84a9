"""The 标准 pages: who reads and who edits, the condition editor's rows and its Chinese errors naming the
condition, and editing a used version through the page (a new version; the old decision keeps its own)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent
from fupin.standards import services
from fupin.standards.models import Decision, RuleKind, RuleSet
from tests import factories

from .helpers import YEAR, household, national_line

pytestmark = pytest.mark.django_db

INCOME = [{"field": "per_capita_income", "op": "gt", "value": "@poverty_line", "label": "一超"}]


@pytest.fixture(autouse=True)
def no_seeded_rules(db):
    RuleSet.objects.all().delete()


def create(area=None, conditions=INCOME, kind=RuleKind.EXIT, name="退出标准"):
    return services.ruleset_create(actor=None, kind=kind, year=YEAR, area=area, name=name, conditions=conditions)


def post_rows(rows: list[dict], **head) -> dict:
    data = {"name": "县退出标准", "match": "all", "note": "", **head}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"c-r{i}-{key}"] = value
    return data


def test_a_county_admin_sees_national_county_and_lower_rules_not_another_county(client, tree, county_user):
    far = factories.area("530325000000", "富源县")
    national, county, village = create(name="全国"), create(tree["county"], name="本县"), \
        create(tree["village_a1"], name="甲一村")
    other = create(far, name="富源县的")
    client.force_login(county_user)
    text = client.get(reverse("standards:list"), {"year": YEAR}).content.decode()
    assert all(r.name in text for r in (national, county, village)) and "富源县的" not in text
    assert client.get(reverse("standards:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("standards:edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("standards:edit", args=[village.pk])).status_code == 200
    # The national rules are read-only to a county: it may make its own from them.
    assert client.get(reverse("standards:edit", args=[national.pk])).status_code == 403
    detail = client.get(reverse("standards:detail", args=[national.pk])).content.decode()
    assert "以此为基础制定罗平县标准" in detail and "甲一村" in detail  # where the national rules are not in force


def test_a_township_user_reads_but_cannot_edit(client, tree, township_a_user):
    county = create(tree["county"])
    client.force_login(township_a_user)
    assert client.get(reverse("standards:detail", args=[county.pk])).status_code == 200
    assert client.get(reverse("standards:edit", args=[county.pk])).status_code == 403
    assert client.get(reverse("standards:create")).status_code == 403
    assert client.post(reverse("standards:create"), post_rows(INCOME, kind="exit_criteria", year=YEAR,
                                                              area=tree["township_a"].pk)).status_code == 403
    assert RuleSet.objects.count() == 1


def test_create_through_the_editor_is_audited(client, tree, county_user):
    client.force_login(county_user)
    rows = [{"field": "per_capita_income", "op": "gt", "line": "1", "label": "一超"},
            {"field": "danger_grade", "op": "not_in", "values": ["C", "D"], "label": "非危房"},
            {"field": "member_count", "op": "in", "value": "1、2，3", "label": "小户"}]
    data = post_rows(rows, kind="exit_criteria", year=YEAR, area=tree["county"].pk)
    data["c-r1-values"] = ["C", "D"]
    response = client.post(reverse("standards:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ruleset = RuleSet.objects.get()
    assert (ruleset.area, ruleset.version, ruleset.created_by) == (tree["county"], 1, county_user)
    assert ruleset.conditions == [
        {"field": "per_capita_income", "op": "gt", "value": "@poverty_line", "label": "一超"},
        {"field": "danger_grade", "op": "not_in", "value": ["C", "D"], "label": "非危房"},
        {"field": "member_count", "op": "in", "value": [1, 2, 3], "label": "小户"}]
    assert AuditEvent.objects.filter(entity="standards.ruleset", entity_id=str(ruleset.pk), actor=county_user).exists()


@pytest.mark.parametrize(("row", "message"), [
    ({"field": "house_area", "op": "gt", "value": "很大", "label": "有房"},
     "第 1 条条件（有房）：“住房面积”的比较值应为数值，收到的是“很大”"),
    ({"field": "", "op": "gt", "value": "1", "label": "空"}, "第 1 条条件（空）：字段“”不在可用字段中"),
    ({"field": "danger_grade", "op": "gt", "value": "C", "label": "危房"}, "“危房等级”不能使用运算符“&gt;”（可用：=、≠、属于、不属于）"),
    ({"field": "member_count", "op": "in", "value": "一、二", "label": "人口"}, "“家庭人口”的比较值应为整数"),
])
def test_the_editor_refuses_bad_input_naming_the_condition(client, tree, county_user, row, message):
    client.force_login(county_user)
    response = client.post(reverse("standards:create"), post_rows([row], kind="exit_criteria", year=YEAR,
                                                                  area=tree["county"].pk))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert not RuleSet.objects.exists()


def test_a_scoring_row_without_points_is_refused(client, tree, county_user):
    client.force_login(county_user)
    row = {"field": "house_area", "op": "gt", "value": "0", "label": "有房", "group": "一看房", "points": ""}
    response = client.post(reverse("standards:create"), post_rows([row], kind="scoring", year=YEAR,
                                                                  area=tree["county"].pk, match="any"))
    assert response.status_code == 400
    assert "第 1 条条件（有房）：分值应为大于 0、不超过 100 的数" in response.content.decode()


def test_the_row_follows_its_field(client, tree, county_user):
    client.force_login(county_user)
    url = reverse("standards:condition_row")
    text = client.get(url, {"token": "ab12", "c-ab12-field": "danger_grade", "c-ab12-op": "gt"}).content.decode()
    assert 'value="in"' in text and 'value="gt"' not in text  # the choice field takes no "greater than"
    assert 'name="c-ab12-value"' in text and "C级（局部危险）" in text
    text = client.get(url, {"token": "ab12", "c-ab12-field": "danger_grade", "c-ab12-op": "in"}).content.decode()
    assert 'name="c-ab12-values"' in text  # several choices: ticks
    text = client.get(url, {"token": "ab12", "c-ab12-field": "per_capita_income"}).content.decode()
    assert "当年标准" in text and 'name="c-ab12-line"' in text
    text = client.get(url, {"kind": "scoring"}).content.decode()
    assert "-points" in text and "四看读书郎" in text


def test_editing_a_used_version_makes_a_new_one_and_the_decision_keeps_its_own(client, tree, county_user):
    national_line()
    h = household(tree["village_a1"], income="4000", people=2)
    ruleset = create(tree["county"])
    decision = services.decision_record(actor=None, household=h, ruleset=ruleset, year=YEAR)
    client.force_login(county_user)
    page = client.get(reverse("standards:edit", args=[ruleset.pk])).content.decode()
    assert "已被判定引用：保存后将另存为新版本" in page and "另存为新版本" in page
    rows = [{"field": "house_area", "op": "gt", "value": "0", "label": "有房"}]
    response = client.post(reverse("standards:edit", args=[ruleset.pk]), post_rows(rows))
    assert response.status_code == 302
    new = RuleSet.objects.exclude(pk=ruleset.pk).get()
    assert (new.version, new.conditions[0]["field"], new.name) == (2, "house_area", "县退出标准")
    ruleset.refresh_from_db()
    assert ruleset.conditions == INCOME
    decision.refresh_from_db()
    assert (decision.ruleset_id, decision.ruleset_version) == (ruleset.pk, 1)
    detail = client.get(reverse("standards:detail", args=[ruleset.pk])).content.decode()
    assert "已取代" in detail and "现行" in detail
    versions = client.get(reverse("standards:detail", args=[new.pk])).context["versions"]
    assert [(v.version, v.decision_count) for v in versions] == [(2, 0), (1, 1)]
    assert Decision.objects.count() == 1


def test_an_outsider_township_cannot_see_another_townships_rules(client, tree, township_b_user):
    mine, theirs = create(tree["township_b"], name="乙乡的"), create(tree["village_a1"], name="甲一村的")
    client.force_login(township_b_user)
    text = client.get(reverse("standards:list"), {"year": YEAR}).content.decode()
    assert "乙乡的" in text and "甲一村的" not in text
    assert client.get(reverse("standards:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("standards:detail", args=[mine.pk])).status_code == 200


def test_a_village_reader_role(client, tree):
    cadre = factories.user("cadre_x", Role.CADRE, tree["village_a1"])
    county = create(tree["county"])
    client.force_login(cadre)
    assert client.get(reverse("standards:detail", args=[county.pk])).status_code == 200
    assert client.get(reverse("standards:edit", args=[county.pk])).status_code == 403
