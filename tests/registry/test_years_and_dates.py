"""Issue 12.1: years and dates lie within the household's life and never in the future; status changes
are in order. One rule (registry.rules: household_year_errors, income_year_error, status_date_error),
the same answer from the web form, the API, the service and the importer.

"Today" is fixed with time-machine at 2026-06-15 (Beijing time)."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.test import Client

from fupin.registry import rules, services
from fupin.registry.choices import Procedure, Status
from fupin.registry.forms import HouseholdForm, StatusChangeForm
from fupin.registry.models import Household, StatusChange, YearlyRecord
from fupin.sheets.importer import plan_import
from fupin.sheets.reader import read_table
from tests import factories
from tests.api.conftest import api, error_of
from tests.sheets.builders import STANDARD_HEADERS, standard_row, valid_id, xlsx_bytes

from .helpers import counts, refused

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def D(text: str) -> datetime.date:  # noqa: N802 - reads like a literal
    return datetime.date.fromisoformat(text)


# --- the rules ---------------------------------------------------------------------------------------------


def test_the_rules_name_the_field_and_the_bound():
    assert rules.future_year_error("识别年度", 2026) is None
    assert rules.future_year_error("识别年度", 2099) == "识别年度 2099 年晚于今年（2026 年），不能填写未来的年度"
    assert rules.income_year_error(2026, identified_year=2014) is None
    assert "收入年度 2031 年晚于今年" in rules.income_year_error(2031, identified_year=2014)
    assert rules.income_year_error(2013, identified_year=2014) == "收入年度 2013 年早于该户的识别年度（2014 年）"
    errors = rules.household_year_errors(status=Status.EXITED, identified_year=2099, exit_year=None)
    assert set(errors) == {"identified_year", "exit_year"}
    assert errors["exit_year"] == "户状态为“已脱贫(享受政策)”，实际脱贫年度不能为空"
    assert rules.household_year_errors(status=Status.POOR, identified_year=2014, exit_year=None) == {}
    assert rules.household_year_errors(status=Status.POOR, identified_year=2014, exit_year=None,
                                       house_built_year=2030) == {
        "house_built_year": "建房年份 2030 年晚于今年（2026 年），不能填写未来的年度"}
    assert rules.status_date_error(D("2026-06-15"), identified_year=2014, previous=D("2026-06-15")) is None
    assert "晚于今天（2026-06-15）" in rules.status_date_error(D("2030-01-01"))
    assert rules.status_date_error(D("2010-05-01"), identified_year=2014) == \
        "状态变更日期 2010-05-01 早于该户的识别年度（2014 年）"
    assert "早于该户上一次状态变更（2019-03-01）" in rules.status_date_error(
        D("2018-12-31"), identified_year=2014, previous=D("2019-03-01"))


def test_the_report_year_is_the_last_complete_year():
    assert rules.default_report_year() == 2025
    assert rules.report_years()[0] == 2026 and rules.report_years()[-1] == rules.FIRST_REPORT_YEAR
    assert rules.report_year_error(2025) is None
    assert rules.report_year_error(2031) and rules.report_year_error("2019") and rules.report_year_error(True)


# --- income years -----------------------------------------------------------------------------------------


def test_the_service_refuses_a_future_income_year_or_one_before_identification(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user, identified_year=2015)
    with refused("year", contains="2031 年晚于今年（2026 年）"):
        services.yearly_record_save(actor=county_user, household=household, year=2031, data={"wage_income": 1})
    with refused("year", contains="早于该户的识别年度（2015 年）"):
        services.yearly_record_save(actor=county_user, household=household, year=2014, data={"wage_income": 1})
    services.yearly_record_save(actor=county_user, household=household, year=2026, data={"wage_income": 1})


def test_the_web_form_refuses_a_future_income_year(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    client = Client()
    client.force_login(county_user)
    r = client.post(f"/households/{household.pk}/years/new/", {"year": 2031, "member_count": 2, "wage_income": 100,
                                                                "business_income": 0, "property_income": 0,
                                                                "transfer_income": 0, "business_expense": 0})
    assert r.status_code == 200
    assert "收入年度 2031 年晚于今年（2026 年），不能填写未来的年度" in r.content.decode()
    assert not YearlyRecord.objects.exists()


def test_the_api_refuses_yearly_2099(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    r = api(county_user).put(f"/api/households/{household.pk}/yearly/2099/", {"wage_income": "100"}, format="json")
    err = error_of(r, 400)
    assert "收入年度 2099 年晚于今年（2026 年）" in str(err)
    assert not YearlyRecord.objects.exists()
    r = api(county_user).put(f"/api/households/{household.pk}/yearly/2025/", {"wage_income": "100"}, format="json")
    assert r.status_code == 201


def one_household_sheet(**values) -> object:
    row = standard_row(**{"户编号": "5303241002010001", "区划代码": factories.VILLAGE_A1, "县": None, "乡镇": None,
                          "行政村": None, "村民小组": None, "证件号码": valid_id(3), **values})
    return read_table(io.BytesIO(xlsx_bytes([STANDARD_HEADERS, row])), "乡镇上报.xlsx")


@pytest.mark.parametrize(("values", "header", "message"), [
    ({"年度": 2031}, "年度", "收入年度 2031 年晚于今年（2026 年），不能填写未来的年度"),
    ({"年度": 2013}, "年度", "收入年度 2013 年早于该户的识别年度（2014 年）"),
    ({"识别年度": 2099, "脱贫年度": None, "户状态": "贫困户(未脱贫)"}, "识别年度",
     "识别年度 2099 年晚于今年（2026 年），不能填写未来的年度"),
    ({"脱贫年度": 2030}, "脱贫年度", "实际脱贫年度 2030 年晚于今年（2026 年），不能填写未来的年度"),
    ({"脱贫年度": None}, "脱贫年度", "户状态为“已脱贫(享受政策)”，实际脱贫年度不能为空"),
])
def test_the_importer_refuses_them_in_the_rules_words(tree, county_user, values, header, message):
    plan = plan_import(one_household_sheet(**values), actor=county_user)
    problems = [(p.header, p.message) for p in plan.all_problems() if p.level == "error"]
    assert (header, message) in problems, problems


def test_the_importer_takes_a_sheet_within_the_bounds(tree, county_user):
    plan = plan_import(one_household_sheet(年度=2025), actor=county_user)
    assert plan.valid, plan.all_problems()


# --- household years --------------------------------------------------------------------------------------


def _form(household: Household, **changes) -> HouseholdForm:
    data = {k: v for k, v in model_to_dict(household, fields=HouseholdForm.Meta.fields).items() if v is not None}
    data["other_causes"] = household.other_causes or []
    data.update(changes)
    return HouseholdForm({k: v for k, v in data.items() if v is not None}, instance=household)


def test_the_household_form_and_the_api_refuse_identified_2099(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    form = _form(household, identified_year=2099)
    assert not form.is_valid()
    assert form.errors["identified_year"] == ["识别年度 2099 年晚于今年（2026 年），不能填写未来的年度"]
    r = api(county_user).patch(f"/api/households/{household.pk}/", {"identified_year": 2099, "version": household.version},
                             format="json")
    assert "识别年度 2099 年晚于今年" in str(error_of(r, 400))
    assert Household.objects.get(pk=household.pk).identified_year == 2014


def test_clearing_the_exit_year_of_an_exited_household_is_refused(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    services.household_change_status(actor=county_user, household=household, to_status=Status.EXITED,
                                     reason="达标", date=D("2019-11-01"), procedure=Procedure.ADJUSTMENT)
    household.refresh_from_db()
    assert household.exit_year == 2019
    message = "户状态为“已脱贫(享受政策)”，实际脱贫年度不能为空"
    form = _form(household, exit_year="")
    assert not form.is_valid() and form.errors["exit_year"] == [message]
    with refused("exit_year", contains=message):
        services.household_update(actor=county_user, household=household, data={"exit_year": None})
    r = api(county_user).patch(f"/api/households/{household.pk}/", {"exit_year": None, "version": household.version},
                             format="json")
    assert message in str(error_of(r, 400))
    assert Household.objects.get(pk=household.pk).exit_year == 2019


# --- status-change dates ----------------------------------------------------------------------------------


def test_status_changes_are_dated_within_the_households_life_and_in_order(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user, identified_year=2014)

    def change(to: str, day: str):
        return services.household_change_status(actor=county_user, household=household, to_status=to,
                                                 reason="测试", date=D(day), procedure=Procedure.ADJUSTMENT)

    with refused("date", contains="晚于今天（2026-06-15），不能登记未来的变更"):
        change(Status.EXITED, "2030-01-01")
    with refused("date", contains="早于该户的识别年度（2014 年）"):
        change(Status.EXITED, "2010-05-01")
    change(Status.EXITED, "2019-11-01")
    with refused("date", contains="早于该户上一次状态变更（2019-11-01）"):
        change(Status.RETURNED, "2018-03-01")
    change(Status.RETURNED, "2019-11-01")  # the same day is in order
    change(Status.EXITED, "2020-10-01")
    dates = list(StatusChange.objects.filter(household=household).order_by("id").values_list("date", flat=True))
    assert dates == sorted(dates)


def test_the_status_page_shows_the_date_error_at_the_date_field(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    client = Client()
    client.force_login(county_user)
    before = counts()
    r = client.post(f"/households/{household.pk}/status/", {
        "to_status": Status.EXITED, "procedure": Procedure.ADJUSTMENT, "date": "2030-01-01", "reason": "达标",
        "version": household.version})
    assert r.status_code == 200
    form = r.context["form"]
    assert isinstance(form, StatusChangeForm)
    assert form.errors["date"] == ["状态变更日期 2030-01-01 晚于今天（2026-06-15），不能登记未来的变更"]
    assert counts() == before


def test_the_api_refuses_a_status_change_before_the_previous_one(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    client = api(county_user)
    r = client.post(f"/api/households/{household.pk}/status/", {"status": Status.EXITED, "reason": "达标",
                                                                 "date": "2030-01-01"}, format="json")
    assert "晚于今天" in str(error_of(r, 400))
    r = client.post(f"/api/households/{household.pk}/status/", {"status": Status.EXITED, "reason": "达标",
                                                                 "date": "2020-01-01"}, format="json")
    assert r.status_code == 200
    r = client.post(f"/api/households/{household.pk}/status/", {"status": Status.RETURNED, "reason": "因病",
                                                                 "date": "2010-01-01"}, format="json")
    assert "早于该户的识别年度" in str(error_of(r, 400))
    assert Household.objects.get(pk=household.pk).status == Status.EXITED


def test_registration_dated_before_identification_or_in_the_future_is_refused(tree, county_user):
    with refused("date", contains="晚于今天"):
        factories.household(tree["village_a1"], actor=county_user, date=D("2027-01-01"))
    with refused("date", contains="早于该户的识别年度（2016 年）"):
        factories.household(tree["village_a1"], actor=county_user, identified_year=2016, date=D("2015-12-31"))


def test_the_identified_year_may_not_move_after_the_households_records(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user, identified_year=2014)  # registered 2014-01-01
    services.yearly_record_save(actor=county_user, household=household, year=2016, data={"wage_income": 1})
    with refused("identified_year", contains="识别年度 2015 年晚于该户最早的状态变更（2014-01-01）"):
        services.household_update(actor=county_user, household=household, data={"identified_year": 2015})
    assert rules.identified_year_error(2017, first_income_year=2016, first_change=None) == \
        "识别年度 2017 年晚于该户已有的 2016 年度收入记录"
    services.household_update(actor=county_user, household=household, data={"identified_year": 2013})
    assert Household.objects.get(pk=household.pk).identified_year == 2013
