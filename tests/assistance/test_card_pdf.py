"""明白卡: what a card prints (read back with pdftotext), one A4 page per household, versions that change
with the data and not with a reprint, the role's view of health, characters the font lacks."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.utils import timezone

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.assistance import cards
from fupin.assistance import services as assistance
from fupin.assistance.models import Cadre, CardIssue
from fupin.audit.models import AuditEvent, AuditKind
from fupin.documents.render import UnprintableText
from fupin.identification.models import Notice
from fupin.registry import services
from fupin.registry.choices import Relation, Status
from fupin.registry.models import Household
from tests import factories
from tests.assistance.card_world import (  # noqa: F401 - fixtures
    CADRE_NAME,
    CADRE_PHONE,
    HEAD,
    START,
    UNIT,
    add_plan,
    bare_household_fixture,
    card_cadre_fixture,
    card_household_fixture,
)
from tests.documents.test_render import needs_poppler, pdf_text, squeezed

pytestmark = [pytest.mark.django_db, needs_poppler]


def pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def one(user, household: Household) -> cards.Printed:
    return cards.print_cards(user=user, households=Household.objects.filter(pk=household.pk))


def test_a_card_prints_the_head_masked_ids_cadre_hotline_plan_and_version(card_household, county_user):
    printed = one(county_user, card_household)
    text = squeezed(pdf_text(printed.pdf))
    head_id = card_household.members.get(relation=Relation.HEAD).id_number
    assert "扶贫明白卡" in text and "罗平县" in text and HEAD in text
    assert policy.mask_id(head_id) in text and head_id not in text
    assert CADRE_NAME in text and CADRE_PHONE in text and UNIT in text
    assert "12317" in text and "监督举报电话" in text
    assert "第1版" in text and "首次印制" in text
    assert "生猪养殖补助3头（1）" in text and "缺资金" in text and "长期慢性病" in text
    assert pages(printed.pdf) == 1


def test_a_card_without_plan_cadre_or_income_says_so(bare_household, county_user):
    text = squeezed(pdf_text(one(county_user, bare_household).pdf))
    assert "帮扶明白卡" in text and "防止返贫监测对象" in text  # a monitored household's card
    assert "帮扶计划尚未制定" in text and "尚未结对帮扶责任人" in text and "尚无年度收入记录" in text


def test_the_version_changes_with_the_data_and_not_with_a_reprint(card_household, county_user):
    first = one(county_user, card_household)
    again = one(county_user, card_household)
    assert first.versions == again.versions == {card_household.number: 1}
    assert (first.new, again.new, again.reprinted) == (1, 0, 1)
    issue = CardIssue.objects.get(household=card_household)
    assert issue.reprints == 1 and issue.issued_by == county_user
    services.yearly_record_save(actor=county_user, household=card_household, year=timezone.localdate().year,
                                data={"wage_income": "12000", "member_count": 3})
    changed = one(county_user, card_household)
    assert changed.versions == {card_household.number: 2} and changed.new == 1
    text = squeezed(pdf_text(changed.pdf))
    assert "第2版" in text and "替换旧卡：请撤下第1版" in text
    assert list(CardIssue.objects.filter(household=card_household).values_list("version", flat=True)) == [2, 1]
    rows = AuditEvent.objects.filter(kind=AuditKind.EXPORT, entity_id=str(card_household.pk))
    assert rows.count() == 3 and rows.first().data["versions"] == {card_household.number: 2}


def test_the_card_is_chinese_and_the_same_card_whatever_the_printers_language(card_household, county_user):
    from django.utils import translation

    with translation.override("en"):
        english = one(county_user, card_household)
    chinese = one(county_user, card_household)
    assert english.versions == chinese.versions == {card_household.number: 1} and chinese.new == 0
    assert "户主" in squeezed(pdf_text(english.pdf)) and "贫困户(未脱贫)" in squeezed(pdf_text(english.pdf))


def test_a_plan_added_makes_a_new_version_and_a_birthday_does_not(bare_household, county_user):
    today = timezone.localdate()
    first = cards.print_cards(user=county_user, households=Household.objects.filter(pk=bare_household.pk),
                              now=timezone.now() - datetime.timedelta(days=400))
    later = cards.print_cards(user=county_user, households=Household.objects.filter(pk=bare_household.pk))
    # a year on, every age is one more: the same card
    assert first.versions == later.versions == {bare_household.number: 1}
    add_plan(bare_household, year=today.year, measures=1)
    assert one(county_user, bare_household).versions == {bare_household.number: 2}


def test_health_is_left_out_for_the_roles_that_may_not_see_it_and_that_is_no_new_version(card_household, tree,
                                                                                         county_user):
    leader = factories.user("leader", Role.LEADER, tree["county"])
    county_text = pdf_text(one(county_user, card_household).pdf)
    leader_printed = one(leader, card_household)
    leader_text = pdf_text(leader_printed.pdf)
    assert "健康状况" in county_text and "长期慢性病" in county_text
    assert "健康状况" not in leader_text and "长期慢性病" not in leader_text
    assert leader_printed.versions == {card_household.number: 1} and leader_printed.new == 0


def test_the_hotline_of_the_villages_notices_is_printed_before_12317(card_household, tree, county_user):
    today = timezone.localdate()
    Notice.objects.create(kind="first", area=tree["village_a1"], area_path=tree["village_a1"].path, year=today.year,
                          starts_on=today, ends_on=today + datetime.timedelta(days=6), hotline="0874-8212345",
                          address="甲一村村委会")
    text = squeezed(pdf_text(one(county_user, card_household).pdf))
    assert "0874-8212345" in text and "12317" in text


@pytest.mark.parametrize(("members", "measures", "cadres", "long_names"), [
    (10, 12, 0, False),  # crowded: set smaller
    (10, 0, 2, False),  # the most a card holds in full size without a plan
    (6, 3, 1, True),  # long measure names wrap
    (4, 7, 2, True),
])
def test_every_card_is_one_page_whatever_the_household(members, measures, cadres, long_names, tree, county_user,
                                                        card_cadre):
    big = factories.household(
        tree["village_a1"], actor=county_user, number="5303241002010103", status=Status.POOR,
        members=[factories.member_data(Relation.HEAD, "1", name="欧阳大伟")]
        + [factories.member_data(Relation.SON if i % 2 else Relation.DAUGHTER, "1" if i % 2 else "2",
                                 birth=datetime.date(1990 + i, 1, 1), name=f"欧阳子{i}") for i in range(members - 1)])
    if measures:
        plan = add_plan(big, measures=measures)
        if long_names:
            plan.measures.update(name="发展特色种植产业：种植高原特色蔬菜和中药材，由合作社统一收购，签订保底收购协议，预计年增收八千元")
    other = Cadre.objects.create(name="钱多多", unit=card_cadre.unit, post="科员", phone="13700000000",
                                 area=tree["county"])
    for cadre in [card_cadre, other][:cadres]:
        assistance.pairing_create(actor=county_user, cadre=cadre, household=big, start=START)
    services.yearly_record_save(actor=county_user, household=big, year=timezone.localdate().year,
                                data={"wage_income": "30000", "member_count": members})
    printed = one(county_user, big)
    assert pages(printed.pdf) == 1
    if measures > cards.MAX_MEASURES:
        assert f"另有{measures - cards.MAX_MEASURES}项措施" in squeezed(pdf_text(printed.pdf))


def test_a_card_that_runs_over_its_page_after_all_is_set_again_in_smaller_type(monkeypatch, tree, county_user):
    monkeypatch.setattr(cards, "CROWDED_ROWS", 1000)  # every card estimated to fit in full size
    big = factories.household(
        tree["village_a1"], actor=county_user, number="5303241002010104", status=Status.POOR,
        members=[factories.member_data(Relation.HEAD, "1", name="欧阳大伟")]
        + [factories.member_data(Relation.SON, "1", birth=datetime.date(1990 + i, 1, 1)) for i in range(9)])
    add_plan(big, measures=12)
    small = factories.household(tree["village_a1"], actor=county_user, number="5303241002010105",
                                status=Status.POOR, members=[factories.member_data(Relation.HEAD, "1", name="李小户")])
    printed = cards.print_cards(user=county_user, households=Household.objects.filter(pk__in=[big.pk, small.pk]))
    assert pages(printed.pdf) == 2 == cards.page_count(printed.pdf)


def test_a_village_file_has_a_page_a_household(card_household, bare_household, tree, county_user):
    village = cards.print_cards(user=county_user, households=Household.objects.filter(area=tree["village_a1"]))
    assert village.count == 2 and pages(village.pdf) == 2
    text = squeezed(pdf_text(village.pdf))
    assert HEAD in text and "李有田" in text and "第1版" in text


def test_a_character_the_font_lacks_is_refused_naming_the_household_and_nothing_is_issued(tree, county_user):
    h = factories.household(tree["village_a1"], actor=county_user, number="5303241002010109", status=Status.POOR,
                            members=[factories.member_data(Relation.HEAD, "1", name="李\U0002B5E7")])
    with pytest.raises(UnprintableText) as exc:
        one(county_user, h)
    assert "5303241002010109" in exc.value.messages[0] and "户主姓名" in exc.value.messages[0]
    assert not CardIssue.objects.exists()


def test_applications_and_cancelled_records_get_no_card(tree, county_user):
    factories.household(tree["village_a1"], actor=county_user, number="5303241002010110", status=Status.APPLYING,
                        members=[factories.member_data(Relation.HEAD, "1", name="申请人")])
    assert cards.village_paths(Household.objects.all()) == []


def test_a_villages_print_costs_the_same_queries_for_two_households_or_five(tree, county_user, card_cadre):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def households(n: int, start: int) -> list[Household]:
        made = []
        for i in range(n):
            h = factories.household(tree["village_a1"], actor=county_user, number=f"53032410020102{start + i:02d}",
                                    status=Status.POOR, members=[factories.member_data(Relation.HEAD, "1"),
                                                                 factories.member_data(Relation.SPOUSE, "2")])
            add_plan(h, measures=2)
            assistance.pairing_create(actor=county_user, cadre=card_cadre, household=h, start=START)
            made.append(h)
        return made

    def queries(made: list[Household]) -> int:
        with CaptureQueriesContext(connection) as captured:
            cards.print_cards(user=county_user, households=Household.objects.filter(pk__in=[h.pk for h in made]))
        return len(captured)

    # prefetched: members, years, plans and measures, pairings and cadres; one hotline and area per village
    assert queries(households(2, 10)) == queries(households(5, 20))
