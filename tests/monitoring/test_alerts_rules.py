"""Each warning rule on hand-built households (issue 14 item 2): the medical rule ±1 yuan at the monitoring
line, disaster loss at the threshold, only worker, compulsory-school age, house grade, 低保 stop; rule
versions as data and the preview."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.monitoring import alerts
from fupin.monitoring.models import Alert, AlertRule, ListKind
from fupin.registry.choices import Relation
from fupin.registry.models import PovertyLine
from tests.monitoring.alerts_data import TODAY, csv_of, head_of

pytest_plugins = ["tests.monitoring.alerts_fixtures"]

pytestmark = pytest.mark.django_db


def push(w, kind, columns, rows, *, user="county", area="county"):
    return alerts.push(actor=w["users"][user], kind=kind, area=w["tree"][area], filename="list.csv",
                       data=csv_of(columns, rows), raised_on=TODAY)


def medical_row(member, cost, day="2024-06-01"):
    return [member.id_number, member.name, "", "", "", "YB-1", cost, day, "县医院"]


MED = ["out_of_pocket", "bill_date", "hospital"]


@pytest.mark.parametrize(("cost", "raised"), [("3003", True), ("3000", False), ("2997", False)])
def test_medical_cost_raises_only_when_it_brings_income_under_the_line(world, cost, raised):
    # 8000 per head for 3 people against a line of 7000: 3003 leaves 6999 (one yuan under), 3000 leaves
    # exactly the line, 2997 one yuan above.
    result = push(world, ListKind.MEDICAL, MED, [medical_row(head_of(world["hh"]["a1"]), cost)])
    assert result.raised == int(raised)
    if raised:
        alert = Alert.objects.get()
        assert alert.rule["key"] == "medical" and alert.rule["version"] == 0
        assert alert.rule["figures"]["after"] == "6999.00" and alert.rule["figures"]["line"] == "7000.00"
        assert "低于 2024 年防返贫监测线 7,000.00 元" in alert.reason
    else:
        assert result.report[0]["outcome"] == "no_rule"


def test_a_missing_monitoring_line_is_said_in_the_rows_report(world):
    result = push(world, ListKind.MEDICAL, MED, [medical_row(head_of(world["hh"]["a1"]), "9000", "2023-06-01")])
    assert result.raised == 0
    assert "缺少 2023 年的防返贫监测线" in result.report[0]["message"]


def test_a_household_without_a_yearly_record_is_reported_not_raised(world):
    world["hh"]["a1"].yearly_records.all().delete()
    result = push(world, ListKind.MEDICAL, MED, [medical_row(head_of(world["hh"]["a1"]), "9000")])
    assert result.raised == 0 and "没有年度收入记录" in result.report[0]["message"]


@pytest.mark.parametrize(("loss", "raised"), [("10000", True), ("9999.99", False)])
def test_disaster_loss_raises_from_the_threshold_on(world, loss, raised):
    m = head_of(world["hh"]["a1"])
    result = push(world, ListKind.DISASTER, ["disaster_type", "loss_amount", "event_date"],
                  [[m.id_number, m.name, "", "", "", "", "洪涝", loss, "2024-07-01"]])
    assert result.raised == int(raised)


def test_unemployment_raises_for_the_only_worker_but_not_when_another_works(world):
    only = head_of(world["hh"]["a1"])  # the spouse is weak labour: he is the only worker
    two = head_of(world["hh"]["a1b"])  # the spouse works too
    result = push(world, ListKind.UNEMPLOYMENT, ["since_date"],
                  [[only.id_number, only.name, "", "", "", "", "2024-09-01"],
                   [two.id_number, two.name, "", "", "", "", "2024-09-01"]])
    assert result.raised == 1
    assert Alert.objects.get().household == world["hh"]["a1"]
    assert result.report[0]["row"] == 3 and "另有 1 名劳动力" in result.report[0]["message"]


def test_dropout_raises_for_a_compulsory_school_age_child_only(world):
    child = world["hh"]["a1"].members.get(relation=Relation.SON)  # born 2013-05-01: 11 in 2024
    head = head_of(world["hh"]["a1b"])
    result = push(world, ListKind.DROPOUT, ["school", "grade", "since_date"],
                  [[child.id_number, child.name, "", "", "", "", "县一中", "五年级", "2024-09-01"],
                   [head.id_number, head.name, "", "", "", "", "县一中", "高一", "2024-09-01"]])
    assert result.raised == 1 and "11 岁" in Alert.objects.get().reason
    assert "不在义务教育年龄" in result.report[0]["message"]


def test_dangerous_house_raises_for_grades_c_and_d(world):
    rows = [[head_of(world["hh"][k]).id_number, head_of(world["hh"][k]).name, "", "", "", "", g, "2024-05-01"]
            for k, g in (("a1", "C"), ("a1b", "B"), ("a2", "D级"))]
    result = push(world, ListKind.DANGEROUS_HOUSE, ["house_grade", "appraised_on"], rows)
    assert result.raised == 2
    assert sorted(Alert.objects.values_list("rule__figures__house_grade", flat=True)) == ["C", "D"]


def test_dibao_stop_raises_and_start_does_not(world):
    a, b = head_of(world["hh"]["a1"]), head_of(world["hh"]["a1b"])
    result = push(world, ListKind.DIBAO, ["change", "change_date"],
                  [[a.id_number, a.name, "", "", "", "", "停保", "2024-05-01"],
                   [b.id_number, b.name, "", "", "", "", "纳入", "2024-05-01"]])
    assert result.raised == 1 and Alert.objects.get().household == world["hh"]["a1"]


def test_a_county_version_of_a_rule_applies_in_its_county_and_is_recorded_on_the_alert(world):
    rule = alerts.alert_rule_save(actor=world["users"]["county"], kind=ListKind.DISASTER, area=world["tree"]["county"],
                                  params={"enabled": True, "min_loss": "500", "due_days": "5"}, note="县里调低起点")
    assert rule.version == 1
    m = head_of(world["hh"]["a1"])
    push(world, ListKind.DISASTER, ["disaster_type", "loss_amount", "event_date"],
         [[m.id_number, m.name, "", "", "", "", "冰雹", "800", "2024-07-01"]])
    alert = Alert.objects.get()
    assert alert.rule["version"] == 1 and alert.rule["area"] == world["tree"]["county"].code
    assert alert.due_on == TODAY + datetime.timedelta(days=5)


def test_the_default_time_limit_is_ten_days(world):
    m = head_of(world["hh"]["a1"])
    push(world, ListKind.DIBAO, ["change", "change_date"], [[m.id_number, m.name, "", "", "", "", "stop", "2024-05-01"]])
    assert Alert.objects.get().due_on == TODAY + datetime.timedelta(days=alerts.DEFAULT_DUE_DAYS)


def test_only_county_managers_edit_rules_and_bad_parameters_are_named(world):
    with pytest.raises(PermissionDenied):
        alerts.alert_rule_save(actor=world["users"]["township_a"], kind=ListKind.DISASTER,
                               area=world["tree"]["township_a"], params={})
    with pytest.raises(ValidationError) as exc:
        alerts.alert_rule_save(actor=world["users"]["county"], kind=ListKind.DISASTER, area=world["tree"]["county"],
                               params={"min_loss": "很多", "due_days": "0"})
    assert set(exc.value.message_dict) == {"min_loss", "due_days"}
    with pytest.raises(ValidationError):  # the national default is the system administrator's
        alerts.alert_rule_save(actor=world["users"]["county"], kind=ListKind.DISASTER, area=None, params={})
    assert not AlertRule.objects.exists()


def test_the_preview_counts_the_rows_of_the_last_list_that_would_raise(world):
    rows = [[head_of(world["hh"][k]).id_number, head_of(world["hh"][k]).name, "", "", "", "", "洪涝", loss, "2024-07-01"]
            for k, loss in (("a1", "20000"), ("a1b", "3000"), ("a2", "800"))]
    sl = push(world, ListKind.DISASTER, ["disaster_type", "loss_amount", "event_date"], rows)
    assert sl.raised == 1
    out = alerts.preview(kind=ListKind.DISASTER, area_path=world["tree"]["county"].path,
                         params={"min_loss": "1000"}, sector_list=sl)
    assert (out["rows"], out["now"], out["would"]) == (3, 1, 2)


def test_the_line_lookup_takes_the_most_specific_area(world):
    PovertyLine.objects.create(year=2024, kind="monitoring", area=world["tree"]["county"], amount=Decimal("9000"))
    result = push(world, ListKind.MEDICAL, MED, [medical_row(head_of(world["hh"]["a1"]), "1500")])
    assert result.raised == 1 and Alert.objects.get().rule["figures"]["line"] == "9000.00"
