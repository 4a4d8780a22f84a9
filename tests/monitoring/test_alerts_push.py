"""Pushing a sector list (issue 14 item 2): every row accounted for by its row number, 15-digit numbers
upgraded, duplicates counted, the pushing user's scope, file encodings and .xlsx, the command."""

from __future__ import annotations

import datetime
import io

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.audit.models import AuditEvent, AuditKind
from fupin.monitoring import alerts
from fupin.monitoring.models import Alert, ListKind, SectorList
from fupin.registry.models import Member
from tests import factories
from tests.monitoring.alerts_data import TODAY, csv_of, head_of

pytest_plugins = ["tests.monitoring.alerts_fixtures"]

pytestmark = pytest.mark.django_db

DIBAO = ["change", "change_date"]


def stop_row(member, *, id_number=None, name=None, day="2024-05-01"):
    return [id_number or member.id_number, name or member.name, "", "", "", "MZ-1", "停保", day]


def push(w, rows, *, user="county", area="county", kind=ListKind.DIBAO, columns=DIBAO, data=None,
         filename="dibao.csv"):
    return alerts.push(actor=w["users"][user], kind=kind, area=w["tree"][area], filename=filename,
                       data=data if data is not None else csv_of(columns, rows), raised_on=TODAY)


def test_unmatched_and_malformed_rows_are_reported_with_their_row_numbers(world):
    a1 = head_of(world["hh"]["a1"])
    stranger = factories.person_id()
    wrong = "1" if a1.id_number[17] != "1" else "2"  # a check digit that is not the number's
    result = push(world, [stop_row(a1),                                     # row 2: raises
                          [stranger, "陌生人", "", "", "", "", "停保", "2024-05-01"],  # row 3: no one
                          [a1.id_number[:17] + wrong, "坏号", "", "", "", "", "停保", "2024-05-01"],  # 4: checksum
                          [a1.id_number, a1.name, "", "", "", "", "暂停", "2024/13/01"]])  # 5: two bad fields
    assert (result.rows, result.raised, result.unmatched, result.malformed) == (4, 1, 1, 2)
    by_row = {e["row"]: e for e in result.report}
    assert sorted(by_row) == [3, 4, 5]
    assert by_row[3]["outcome"] == "unmatched" and by_row[3]["id_number"] == stranger[:6] + "********" + stranger[-4:]
    assert by_row[4]["outcome"] == "malformed" and "第 4 行“证件号码”" in by_row[4]["message"]
    assert "第 5 行“变动类型”" in by_row[5]["message"] and "第 5 行“变动日期”" in by_row[5]["message"]
    assert Alert.objects.get().row_number == 2


def test_a_15_digit_number_is_upgraded_and_matched(world):
    a1 = head_of(world["hh"]["a1"])
    old = a1.id_number[:6] + a1.id_number[8:17]
    result = push(world, [stop_row(a1, id_number=old)])
    assert result.raised == 1 and Alert.objects.get().member == a1


def test_a_different_name_is_a_warning_and_the_row_still_raises(world):
    result = push(world, [stop_row(head_of(world["hh"]["a1"]), name="张大三")])
    assert result.raised == 1
    assert result.report[0]["outcome"] == "warning" and "张大三" in result.report[0]["message"]


def test_a_name_differing_only_in_spaces_or_full_width_forms_is_no_warning(world):
    head = head_of(world["hh"]["a1"])
    spaced = " ".join(head.name).replace("1", "１")  # 成 员 １ 2 …: the subsidy lists fold names the same way
    result = push(world, [stop_row(head, name=spaced)])
    assert result.raised == 1 and not [e for e in result.report if e["outcome"] == "warning"]


def test_a_second_row_for_a_household_with_an_open_alert_is_a_duplicate(world):
    hh = world["hh"]["a1"]
    spouse = hh.members.exclude(pk=head_of(hh).pk).first()
    first = push(world, [stop_row(head_of(hh)), stop_row(spouse)])
    assert first.raised == 1 and first.report[0]["outcome"] == "duplicate" and "第 2 行" in first.report[0]["message"]
    again = push(world, [stop_row(head_of(hh))])
    assert again.raised == 0 and again.report[0]["outcome"] == "duplicate"
    assert Alert.objects.count() == 1


def test_a_township_pushes_only_its_own_rows(world):
    inside, outside = head_of(world["hh"]["a1"]), head_of(world["hh"]["b1"])
    result = push(world, [stop_row(inside), stop_row(outside)], user="township_a", area="township_a")
    assert result.raised == 1 and Alert.objects.get().household == world["hh"]["a1"]
    # The other township's person is reported as not found, exactly as a stranger would be.
    assert result.report[0]["outcome"] == "unmatched" and "甲乡" in result.report[0]["message"]


def test_a_row_whose_area_code_lies_outside_the_list_is_reported(world):
    row = stop_row(head_of(world["hh"]["a1"]))
    row[4] = world["tree"]["township_b"].code
    result = push(world, [row], user="township_a", area="township_a")
    assert result.raised == 0 and result.report[0]["outcome"] == "out_of_scope"


def test_outsiders_and_read_only_roles_may_not_push(world):
    with pytest.raises(ValidationError):
        push(world, [], user="township_a", area="township_b")
    with pytest.raises(PermissionDenied):
        push(world, [], user="leader")
    with pytest.raises(PermissionDenied):
        push(world, [], user="village_a1", area="village_a1")
    assert not SectorList.objects.exists()


def test_gb18030_and_a_bom_are_read_and_other_encodings_refused(world):
    text = csv_of(DIBAO, [stop_row(head_of(world["hh"]["a1"]))]).decode()
    assert push(world, None, data=text.encode("gb18030")).raised == 1
    Alert.objects.all().delete()
    assert push(world, None, data=b"\xef\xbb\xbf" + text.encode()).raised == 1
    with pytest.raises(ValidationError) as exc:
        push(world, None, data=text.encode("utf-16-le")[2:] + b"\xff\xfe\xff")
    assert "GB18030" in exc.value.messages[0]


def test_a_missing_required_column_refuses_the_file(world):
    with pytest.raises(ValidationError) as exc:
        push(world, None, data=b"id_number,name,change\r\n")
    assert "变动日期" in exc.value.messages[0]


def test_an_xlsx_list_is_read(world):
    m = head_of(world["hh"]["a1"])
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    for col, value in enumerate(["证件号码", "姓名", "变动类型", "变动日期"]):
        sheet.write(0, col, value)
    sheet.write_string(1, 0, m.id_number)
    sheet.write(1, 1, m.name)
    sheet.write(1, 2, "停保")
    sheet.write_datetime(1, 3, datetime.datetime(2024, 5, 1), book.add_format({"num_format": "yyyy-mm-dd"}))
    book.close()
    result = push(world, None, data=out.getvalue(), filename="低保.xlsx")
    assert result.raised == 1 and Alert.objects.get().data == {"change": "stop", "change_date": "2024-05-01"}


def test_the_push_is_audited_and_the_village_gets_the_alert(world):
    result = push(world, [stop_row(head_of(world["hh"]["a1"]))])
    alert = Alert.objects.get()
    assert alert.village == world["tree"]["village_a1"] and alert.area_path == world["hh"]["a1"].area_path
    event = AuditEvent.objects.get(kind=AuditKind.IMPORT, entity="monitoring.sectorlist")
    assert event.data == {"list": result.pk, "alerts": [alert.pk]}


def test_inactive_members_are_not_matched(world):
    hh = world["hh"]["a1b"]
    spouse = hh.members.exclude(pk=head_of(hh).pk).get()
    Member.objects.filter(pk=spouse.pk).update(active=False, removal_reason="death")
    assert push(world, [stop_row(spouse)]).unmatched == 1


def test_the_command_pushes_and_prints_counts_and_rows(world, tmp_path):
    f = tmp_path / "dibao.csv"
    f.write_bytes(csv_of(DIBAO, [stop_row(head_of(world["hh"]["a1"])), ["123", "无名", "", "", "", "", "停保", "x"]]))
    out = io.StringIO()
    call_command("monitoring", "push", str(f), "--kind", "dibao", "--user", "township_a", stdout=out)
    text = out.getvalue()
    assert "2 行" in text and "预警 1" in text and "格式错误 1" in text and "第 3 行 [格式错误]" in text
    with pytest.raises(CommandError):
        call_command("monitoring", "push", str(f), "--kind", "dibao", "--user", "township_a",
                     "--area", world["tree"]["township_b"].code)
