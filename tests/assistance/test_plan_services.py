"""一户一策's services (plan15): a plan per household and year, measures from the catalogue with the
household's cadre by default, money to the fen, done with a date, optimistic locking, scope, audit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.accounts.models import Role
from fupin.assistance import services_plans as services
from fupin.assistance.models import (
    CatalogueMeasure,
    HelpingUnit,
    MeasureCategory,
    MeasureStatus,
    Plan,
    PlanMeasure,
)
from fupin.audit.models import AuditEvent
from fupin.registry.choices import Cause
from fupin.registry.services import StaleVersion
from tests import factories

from .plan_world import cadre, catalogue, household, pair, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def hh(tree):
    return household(tree["village_a1"], main_cause=Cause.SCHOOLING, other_causes=[Cause.ILLNESS])


def test_the_catalogue_is_seeded_with_every_category_keyed_to_causes(db):
    seeded = CatalogueMeasure.objects.filter(area__isnull=True, active=True)
    assert {m.category for m in seeded} == set(MeasureCategory.values)
    assert Cause.SCHOOLING in catalogue("雨露计划").causes
    assert Cause.FUNDS in catalogue("扶贫小额信贷").causes
    assert {Cause.LABOUR, Cause.DISABILITY} <= set(catalogue("低保兜底").causes)


def test_a_catalogue_measure_is_added_with_the_households_cadre_and_unit(hh, county_user, tree):
    unit = HelpingUnit.objects.create(name="县教育局", area=tree["county"])
    pair(cadre(tree["county"], "李老师", unit), hh)
    plan = services.plan_create(actor=county_user, household=hh, year=today().year)
    m = services.measure_add(actor=county_user, plan=plan, version=plan.version, catalogue=catalogue("雨露计划"),
                             cause=Cause.SCHOOLING, funds=Decimal("1500.00"))
    assert (m.category, m.name, m.cause, m.cadre.name, m.unit, m.planned_on) == (
        MeasureCategory.EDUCATION, "雨露计划", Cause.SCHOOLING, "李老师", unit, datetime.date(plan.year, 12, 31))
    assert m.funds == Decimal("1500.00")
    plan.refresh_from_db()
    assert plan.version == 2
    assert AuditEvent.objects.filter(entity="assistance.planmeasure", entity_id=str(m.pk)).exists()
    assert AuditEvent.objects.filter(entity="assistance.plan", entity_id=str(plan.pk)).exists()


def test_one_plan_per_household_and_year(hh, county_user):
    services.plan_create(actor=county_user, household=hh, year=today().year)
    with pytest.raises(ValidationError) as err:
        services.plan_create(actor=county_user, household=hh, year=today().year)
    assert "已有" in str(err.value)


def test_a_save_over_a_newer_version_is_refused_and_changes_nothing(hh, county_user):
    plan = services.plan_create(actor=county_user, household=hh, year=today().year)
    services.plan_update(actor=county_user, plan=plan, version=1, note="第一人保存")
    with pytest.raises(StaleVersion):
        services.measure_add(actor=county_user, plan=plan, version=1, catalogue=catalogue("控辍保学"))
    with pytest.raises(StaleVersion):
        services.plan_update(actor=county_user, plan=plan, version=1, note="第二人覆盖")
    plan.refresh_from_db()
    assert (plan.note, plan.version, plan.measures.count()) == ("第一人保存", 2, 0)


def test_done_needs_a_date_not_in_the_future(hh, county_user):
    plan = services.plan_create(actor=county_user, household=hh, year=today().year)
    m = services.measure_add(actor=county_user, plan=plan, version=1, catalogue=catalogue("控辍保学"), cause=Cause.SCHOOLING)
    with pytest.raises(ValidationError) as err:
        services.measure_set_status(actor=county_user, measure=m, version=2, status=MeasureStatus.DONE)
    assert "完成日期" in str(err.value)
    with pytest.raises(ValidationError):
        services.measure_set_status(actor=county_user, measure=m, version=2, status=MeasureStatus.DONE,
                                    done_on=today() + datetime.timedelta(days=1))
    done = services.measure_set_status(actor=county_user, measure=m, version=2, status=MeasureStatus.DONE,
                                       done_on=today(), result="已劝返复学")
    assert (done.status, done.done_on, done.result) == (MeasureStatus.DONE, today(), "已劝返复学")
    back = services.measure_set_status(actor=county_user, measure=m, version=3, status=MeasureStatus.ONGOING)
    assert back.done_on is None


def test_funds_are_exact_to_the_fen(hh, county_user):
    plan = services.plan_create(actor=county_user, household=hh, year=today().year)
    with pytest.raises(ValidationError) as err:
        services.measure_add(actor=county_user, plan=plan, version=1, category=MeasureCategory.OTHER, name="慰问",
                             funds=Decimal("100.005"))
    assert "funds" in err.value.message_dict
    m = services.measure_add(actor=county_user, plan=plan, version=1, category=MeasureCategory.OTHER, name="慰问",
                             funds=Decimal("100.05"))
    assert PlanMeasure.objects.get(pk=m.pk).funds == Decimal("100.05")


def test_who_may_write_a_plan(hh, tree, township_b_user):
    leader = factories.user("leader", Role.LEADER, tree["county"])
    paired = factories.user("cadre_li", Role.CADRE, tree["village_a1"])
    other = factories.user("cadre_wang", Role.CADRE, tree["village_a1"])
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=leader, household=hh, year=today().year)
    with pytest.raises(ValidationError):
        services.plan_create(actor=township_b_user, household=hh, year=today().year)
    from fupin.assistance import services as pairing

    pairing.pairing_create(actor=None, cadre=paired, household=hh, start=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.plan_create(actor=other, household=hh, year=today().year)
    assert services.plan_create(actor=paired, household=hh, year=today().year).pk
    assert not Plan.objects.filter(created_by__in=[leader, township_b_user, other]).exists()


def test_the_catalogue_is_edited_by_the_county_for_its_county_only(tree, county_user):
    m = services.catalogue_create(actor=county_user, category=MeasureCategory.INDUSTRY, name="高原特色蔬菜",
                                  causes=[Cause.FUNDS], area=tree["county"])
    assert AuditEvent.objects.filter(entity="assistance.cataloguemeasure", entity_id=str(m.pk)).exists()
    services.catalogue_update(actor=county_user, measure=m, active=False)
    assert not CatalogueMeasure.objects.get(pk=m.pk).active
    with pytest.raises(ValidationError):  # the national catalogue is the administrator's
        services.catalogue_update(actor=county_user, measure=catalogue("雨露计划"), name="改名")
    with pytest.raises(ValidationError):
        services.catalogue_create(actor=county_user, category=MeasureCategory.OTHER, name="x", causes=["nonsense"],
                                  area=tree["county"])
    with pytest.raises(PermissionDenied):
        services.catalogue_create(actor=factories.user("v", Role.VILLAGE, tree["village_a1"]),
                                  category=MeasureCategory.OTHER, name="x", causes=[], area=tree["county"])
