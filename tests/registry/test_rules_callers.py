"""Every caller gives registry.rules' answer: the web form, the API, the service, the importer and the demo
generator, for the status a new household may start in, for the procedures a person may name on a
status change, and for a yearly record's poverty line."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from fupin.demo import generator
from fupin.registry import rules, services
from fupin.registry.choices import CancelReason, LineKind, Procedure, Status
from fupin.registry.forms import HouseholdCreateForm, StatusChangeForm
from fupin.registry.models import Household, PovertyLine, StatusChange
from fupin.sheets.importer import ImportRefused, apply_plan, plan_import
from fupin.sheets.reader import read_table
from tests import factories
from tests.sheets.builders import STANDARD_HEADERS, standard_row, valid_id, xlsx_bytes

pytestmark = pytest.mark.django_db

STATUSES = [*Status.values, "bogus"]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def one_household_sheet(number: str = "5303241002010001", **values):
    row = standard_row(**{"户编号": number, "区划代码": factories.VILLAGE_A1, "县": None, "乡镇": None,
                          "行政村": None, "村民小组": None, "证件号码": valid_id(3), **values})
    return read_table(io.BytesIO(xlsx_bytes([STANDARD_HEADERS, row])), "乡镇上报.xlsx")


# --- the status a new household starts in ----------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
def test_the_registration_form_gives_the_rules_answer(status):
    expected = rules.initial_status_error(status, Procedure.REGISTRATION)
    field = HouseholdCreateForm().fields["status"]
    assert {value for value, _label in field.choices} == rules.initial_statuses(Procedure.REGISTRATION)
    try:
        field.clean(status)
    except Exception as exc:  # noqa: BLE001 - the message is what is compared
        assert exc.messages == [expected]
    else:
        assert expected is None


@pytest.mark.parametrize("status", STATUSES)
def test_the_api_and_its_service_give_the_rules_answer(tree, county_user, status):
    expected = rules.initial_status_error(status, Procedure.REGISTRATION)
    body = {"number": "5303241002010099", "area": factories.VILLAGE_A1, "main_cause": "illness",
            "identified_year": 2016, "status": status,
            "members": [{"name": "新户主", "id_number": factories.person_id(sex="1"), "relation": "head"}]}
    r = api(county_user).post("/api/households/", body, format="json")
    if expected is None:
        assert r.status_code == 201, r.content
        assert Household.objects.get().status == status
    else:
        assert r.status_code == 400 and r.json()["error"]["fields"]["status"] == [expected]
        assert not Household.objects.exists()


@pytest.mark.parametrize("status", STATUSES)
def test_the_importer_gives_the_rules_answer(tree, county_user, status):
    expected = rules.initial_status_error(status, Procedure.IMPORT)
    label = str(Status(status).label) if status in Status.values else status
    plan = plan_import(one_household_sheet(户状态=label), actor=county_user)
    problems = [p for p in plan.all_problems() if p.header == "户状态" and p.level == "error"]
    if status == "bogus":  # not a status at all: the cell is refused before any rule is asked
        assert problems and "户状态" == problems[0].header
    elif expected is None:
        assert plan.valid, plan.all_problems()
        apply_plan(plan, actor=county_user)
        h = Household.objects.get()
        assert h.status == status and h.status_changes.get().procedure == Procedure.IMPORT
    else:
        assert [p.message for p in problems] == [expected]


@pytest.mark.parametrize("status", STATUSES)
def test_the_demo_generator_gives_the_rules_answer(status):
    """The generator checks each household's history against the rules before writing it (a refusal
    there is a bug of the generator); its histories start with 贫困识别, whose answer it must give."""
    for procedure in (Procedure.IDENTIFICATION, Procedure.DEMO):
        expected = rules.initial_status_error(status, procedure)
        history = [("", status, datetime.date(2014, 5, 1), "识别", procedure)]
        if expected is None:
            generator._check_history("H1", history)
        else:
            with pytest.raises(ValueError) as info:
                generator._check_history("H1", history)
            assert str(info.value) == f"H1: {expected}"


def test_the_demo_generator_refuses_a_step_outside_the_status_machine():
    history = [("", Status.POOR, datetime.date(2014, 5, 1), "识别", Procedure.IDENTIFICATION),
               (Status.POOR, Status.MONITOR_CLEARED, datetime.date(2015, 5, 1), "x", Procedure.MONITORING)]
    with pytest.raises(ValueError, match="不能从“贫困户\\(未脱贫\\)”变更为"):
        generator._check_history("H1", history)


# --- the procedures of a manual status change ----------------------------------------------------------

PROCEDURES = [*Procedure.values, "magic"]


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_the_service_refuses_procedures_that_belong_to_their_own_service(tree, county_user, procedure):
    household = factories.household(tree["village_a1"], actor=county_user)
    expected = rules.manual_procedure_error(procedure)
    call = dict(actor=county_user, household=household, to_status=Status.EXITED, reason="达标",
                procedure=procedure)
    if expected is None:
        services.household_change_status(**call)
        assert household.status_changes.order_by("id").last().procedure == procedure
    else:
        with pytest.raises(Exception) as info:  # noqa: PT011 - a ValidationError, checked below
            services.household_change_status(**call)
        assert info.value.message_dict == {"procedure": [expected]}
        assert Household.objects.get(pk=household.pk).status == Status.POOR


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_the_api_refuses_them_with_a_400_naming_the_field(tree, county_user, procedure):
    household = factories.household(tree["village_a1"], actor=county_user)
    expected = rules.manual_procedure_error(procedure)
    r = api(county_user).post(f"/api/households/{household.pk}/status/",
                              {"status": "exited", "reason": "达标", "procedure": procedure}, format="json")
    if expected is None:
        assert r.status_code == 200, r.content
    else:
        assert r.status_code == 400
        assert r.json()["error"]["fields"] == {"procedure": [expected]}
        assert StatusChange.objects.filter(household=household).count() == 1


def test_the_api_schema_lists_only_the_manual_procedures(county_user):
    schema = api(county_user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    enums = [s.get("enum") for name, s in schema["components"]["schemas"].items() if "Procedure" in name]
    assert sorted(rules.MANUAL_PROCEDURES) in [sorted(e) for e in enums if e]


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_the_web_form_refuses_them_in_the_rules_words(tree, county_user, procedure):
    household = factories.household(tree["village_a1"], actor=county_user)
    expected = rules.manual_procedure_error(procedure)
    form = StatusChangeForm({"to_status": Status.EXITED, "procedure": procedure, "date": "2019-11-01",
                             "reason": "达标", "version": household.version}, household=household)
    assert form.is_valid() == (expected is None)
    if expected is not None:
        assert form.errors["procedure"] == [expected]
    assert [p for p, _label in form.fields["procedure"].choices] == list(rules.MANUAL_PROCEDURES)


def test_the_web_page_records_the_chosen_procedure(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    client = Client()
    client.force_login(county_user)
    r = client.post(f"/households/{household.pk}/status/", {
        "to_status": Status.CANCELLED, "procedure": Procedure.ADJUSTMENT, "date": "2019-11-01", "reason": "合户",
        "cancel_reason": CancelReason.MERGED, "version": household.version})
    assert r.status_code == 302, r.content.decode()[:2000]
    change = household.status_changes.order_by("id").last()
    assert (change.to_status, change.procedure) == (Status.CANCELLED, Procedure.ADJUSTMENT)


def test_the_web_page_refuses_a_change_on_a_page_someone_else_has_overtaken(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    shown = household.version
    services.household_change_status(actor=county_user, household=household, to_status=Status.EXITED, reason="达标")
    client = Client()
    client.force_login(county_user)
    r = client.post(f"/households/{household.pk}/status/", {
        "to_status": Status.CANCELLED, "procedure": Procedure.CORRECTION, "date": "2019-11-01", "reason": "错评",
        "cancel_reason": CancelReason.WRONGLY_REGISTERED, "version": shown})
    assert r.status_code == 200 and "请刷新后重试" in r.content.decode()
    assert Household.objects.get(pk=household.pk).status == Status.EXITED


# --- a yearly record's poverty line -----------------------------------------------------------------------


def test_the_importer_and_the_service_both_take_the_line_in_force_when_a_record_is_written(tree, county_user):
    PovertyLine.objects.filter(year=2019).delete()
    PovertyLine.objects.create(year=2019, amount=Decimal("3218"))
    apply_plan(plan_import(one_household_sheet(年度=2019, 工资性收入=12000), actor=county_user), actor=county_user)
    imported = Household.objects.get()
    other = factories.household(tree["village_a1"], actor=county_user)
    services.yearly_record_save(actor=county_user, household=other, year=2019, data={"wage_income": 12000})
    assert imported.yearly_records.get().poverty_line == other.yearly_records.get().poverty_line == Decimal("3218")

    # The province sets its own line for 2019; both records are corrected afterwards.
    PovertyLine.objects.create(year=2019, area=tree["province"], kind=LineKind.PROVINCIAL, amount=Decimal("3500"))
    plan = plan_import(one_household_sheet(年度=2019, 工资性收入=13000), actor=county_user)
    assert plan.households[0].yearly_changes["poverty_line"] == (Decimal("3218"), Decimal("3500"))
    apply_plan(plan, actor=county_user)
    services.yearly_record_save(actor=county_user, household=other, year=2019, data={"wage_income": 13000})
    assert imported.yearly_records.get().poverty_line == other.yearly_records.get().poverty_line == Decimal("3500")


def test_an_import_whose_status_change_was_overtaken_writes_nothing(tree, county_user):
    """The importer claims its status changes as workflow.transition() claims one: a household moved by
    someone between the check and the write stops the whole import."""
    apply_plan(plan_import(one_household_sheet(户状态="贫困户(未脱贫)", 脱贫年度=None), actor=county_user),
               actor=county_user)
    plan = plan_import(one_household_sheet(户状态="已脱贫(享受政策)", 联系电话="13900000000"), actor=county_user)
    assert plan.households[0].status_change == (Status.POOR, Status.EXITED)
    household = Household.objects.get()
    services.household_change_status(actor=county_user, household=household, to_status=Status.CANCELLED,
                                     reason="错评", cancel_reason=CancelReason.WRONGLY_REGISTERED)
    with pytest.raises(ImportRefused, match="5303241002010001 的.*已被他人"):
        apply_plan(plan, actor=county_user)
    household.refresh_from_db()
    assert (household.status, household.phone) == (Status.CANCELLED, "13800138000")
    assert household.status_changes.count() == 2
