"""The credit rules as data, against the seed documents (issue 15, fin15; README notes of fin15): the seeds
(000 罗平县, 004 吴忠市) name no rating indicator, point, grade, credit line, rate or subsidy share, so the
national defaults are REFERENCE §10's configurable reference, marked 待核实 with the seeds' own words; what
the seeds do fix — credit loans without guarantee, the purposes that are subsidised, a county risk fund —
the model follows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fupin.credit import rules
from fupin.credit.models import CreditTerms, Purpose, RatingScheme, RiskFund

pytestmark = pytest.mark.django_db


def test_the_national_scheme_is_the_reference_and_says_what_the_seeds_say():
    scheme = RatingScheme.objects.get(area__isnull=True, year=2015, version=1)
    assert [(i["label"], i["max"]) for i in scheme.indicators] == [
        ("诚信度", 30), ("劳动力与技能", 25), ("收入水平", 25), ("家庭资产", 20)]
    assert [(g["grade"], g["min"], Decimal(g["line"])) for g in scheme.grades] == [
        ("AAA", 90, Decimal("50000")), ("AA", 80, Decimal("30000")), ("A", 60, Decimal("20000")), ("B", 0, Decimal("0"))]
    assert not rules.scheme_errors(scheme.indicators, scheme.grades)
    assert "待核实" in scheme.note and "种子文件未规定评级指标、分值、等级与授信额度" in scheme.note
    assert "对12285户贫困户实行一次性贷款授信,信用贷款" in scheme.note  # 000, 罗平县
    assert "对贫困户给予授信贷款,免抵押、免担保、补利息" in scheme.note  # 004, 吴忠市


def test_the_yearly_terms_are_marked_unverified():
    terms = {t.year: t for t in CreditTerms.objects.filter(area__isnull=True)}
    assert terms[2023].subsidy_share == Decimal("1") and terms[2024].subsidy_share == Decimal("0.7")
    assert all("待核实" in t.note for t in terms.values())
    assert "给予贷款贴息扶持" in terms[2016].note


def test_the_seeds_fixed_points_are_the_models():
    # 罗平县: "对贫困户发展种植业、养殖业、农家乐以及农产品经营、加工等项目给予贷款贴息扶持"
    assert [str(label) for label in Purpose.labels[:4]] == ["种植业", "养殖业", "农家乐、乡村旅游", "农产品加工经营"]
    # "信用贷款" / "免抵押、免担保": a loan has no guarantee or collateral field; at most 50,000 yuan, 3 years
    assert (rules.LOAN_MAX, rules.TERM_MAX_MONTHS) == (Decimal("50000.00"), 36)
    # "县级建立信贷扶贫风险补偿金": one fund per area, set up by the county office
    assert RiskFund._meta.get_field("area").one_to_one
