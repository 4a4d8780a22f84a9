"""Successful edits through the forms: they redirect to the household, persist, and leave an audit
row with field-level before/after (ARCHITECTURE habit 2)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.registry.models import Household, Member, StatusChange, YearlyRecord
from tests import factories

from .html import edit_form_values

BOOKKEEPING = {"version", "updated_at"}


def submit(client, url: str, **changes):
    values = edit_form_values(client.get(url).content)
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
    return client.post(url, values)


def last_event(obj) -> AuditEvent:
    return AuditEvent.objects.filter(entity=obj._meta.label_lower, entity_id=str(obj.pk)).order_by("-id").first()


def test_editing_a_member_saves_and_audits_each_changed_field(county_client, county_user, ha):
    spouse = ha.members.get(name="钱甲花")
    url = reverse("member_edit", args=[spouse.pk])
    response = submit(county_client, url, phone="13800000002", education="senior")
    assert response.status_code == 302 and response.url == reverse("household_detail", args=[ha.pk])
    spouse.refresh_from_db()
    assert (spouse.phone, spouse.education, spouse.version) == ("13800000002", "senior", 2)
    event = last_event(spouse)
    assert event.kind == "update" and event.actor == county_user
    changes = event.data["changes"]
    assert set(changes) - BOOKKEEPING == {"phone", "education"}
    assert changes["phone"] == {"before": "", "after": "13800000002"}
    assert changes["education"] == {"before": "", "after": "senior"}
    page = county_client.get(response.url).content.decode()
    assert "已保存成员 钱甲花" in page and "高中" in page


def test_saving_a_member_unchanged_writes_no_audit_row(county_client, ha):
    spouse = ha.members.get(name="钱甲花")
    events = AuditEvent.objects.count()
    response = submit(county_client, reverse("member_edit", args=[spouse.pk]))
    assert response.status_code == 302
    assert AuditEvent.objects.count() == events


def test_editing_a_household_saves_and_audits_each_changed_field(county_client, county_user, ha):
    url = reverse("household_edit", args=[ha.pk])
    response = submit(county_client, url, address="甲一村 5 号", other_causes=["land", "skills"],
                      cultivated_land="4.00", sanitary_toilet="on")
    assert response.status_code == 302 and response.url == reverse("household_detail", args=[ha.pk])
    ha.refresh_from_db()
    assert ha.address == "甲一村 5 号" and ha.other_causes == ["land", "skills"]
    assert ha.cultivated_land == Decimal("4.00") and ha.sanitary_toilet is True
    event = last_event(ha)
    assert event.kind == "update" and event.actor == county_user and event.area_path == ha.area_path
    changes = event.data["changes"]
    assert set(changes) - BOOKKEEPING == {"address", "other_causes", "cultivated_land", "sanitary_toilet"}
    assert changes["address"] == {"before": "", "after": "甲一村 5 号"}
    assert changes["other_causes"] == {"before": [], "after": ["land", "skills"]}
    assert changes["cultivated_land"] == {"before": "3.50", "after": "4.00"}
    assert changes["sanitary_toilet"] == {"before": False, "after": True}
    page = county_client.get(response.url).content.decode()
    assert "甲一村 5 号" in page and "缺土地" in page and "缺技术" in page


def test_registering_a_household_creates_it_with_its_head(county_client, county_user, tree):
    head = factories.member_data("head", "2", name="吴新芳")
    values = {"h-number": "5303241002019999", "h-area": str(tree["village_a1"].pk), "h-status": "poor",
              "h-main_cause": "water", "h-identified_year": "2020", "h-house_area": "60", "m-name": "吴新芳",
              "m-id_number": head["id_number"], "m-sex": "", "m-birth_date": "", "m-relation": "head",
              "m-phone": "13700000000"}
    response = submit(county_client, reverse("household_create"), **values)
    assert response.status_code == 302
    household = Household.objects.get(number="5303241002019999")
    assert response.url == reverse("household_detail", args=[household.pk])
    assert (household.head_name, household.member_count, household.main_cause) == ("吴新芳", 1, "water")
    member = household.members.get()
    # Sex and birth date left blank are read from the ID number.
    assert member.sex == "2" and member.birth_date == head["birth_date"] and member.phone == "13700000000"
    assert household.status_changes.get().to_status == "poor"
    assert last_event(household).kind == "create" and last_event(member).kind == "create"
    assert last_event(household).actor == county_user
    assert "已登记贫困户 5303241002019999" in county_client.get(response.url).content.decode()


def test_adding_a_member_fills_sex_and_birth_date_from_the_id_number(county_client, ha):
    data = factories.member_data("daughter", "2", name="赵小妹", birth=datetime.date(2010, 5, 6))
    response = submit(county_client, reverse("member_add", args=[ha.pk]), name="赵小妹",
                      id_number=data["id_number"], sex="", birth_date="", relation="daughter",
                      school_status="junior")
    assert response.status_code == 302
    member = ha.members.get(name="赵小妹")
    assert (member.sex, member.birth_date) == ("2", datetime.date(2010, 5, 6))
    ha.refresh_from_db()
    assert ha.member_count == 3
    assert last_event(member).kind == "create"


def test_removing_a_member_keeps_them_with_a_reason(county_client, ha):
    spouse = ha.members.get(name="钱甲花")
    response = submit(county_client, reverse("member_remove", args=[spouse.pk]), reason="death",
                      date="2023-03-04")
    assert response.status_code == 302
    spouse.refresh_from_db()
    assert (spouse.active, spouse.removal_reason, spouse.removed_on) == (False, "death", datetime.date(2023, 3, 4))
    ha.refresh_from_db()
    assert ha.member_count == 1
    changes = last_event(spouse).data["changes"]
    assert changes["active"] == {"before": True, "after": False}
    assert changes["removal_reason"] == {"before": "", "after": "death"}
    page = county_client.get(response.url).content.decode()
    assert "已减员" in page and f'href="{reverse("member_edit", args=[spouse.pk])}"' not in page


def test_registering_a_year_computes_per_capita_income(county_client, county_user, ha):
    response = submit(county_client, reverse("yearly_add", args=[ha.pk]), year="2020", member_count="2",
                      wage_income="8000", business_income="2000", business_expense="1000", water_secure="true")
    assert response.status_code == 302 and response.url.endswith("#income")
    record = YearlyRecord.objects.get(household=ha, year=2020)
    assert record.net_income == Decimal("9000.00") and record.per_capita_income == Decimal("4500.00")
    assert record.water_secure is True and record.education_secure is None
    event = last_event(record)
    assert event.kind == "create" and event.actor == county_user
    assert YearlyRecord.objects.get(household=ha, year=2019).wage_income == Decimal("6000")  # untouched


def test_correcting_a_year_audits_the_change(county_client, ha):
    record = YearlyRecord.objects.get(household=ha, year=2019)
    url = reverse("yearly_edit", args=[ha.pk, 2019])
    # The year itself cannot be changed from this form.
    response = submit(county_client, url, wage_income="7000.00", year="2030")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.year == 2019 and record.wage_income == Decimal("7000.00")
    assert record.per_capita_income == Decimal("3500.00")
    assert not YearlyRecord.objects.filter(year=2030).exists()
    changes = last_event(record).data["changes"]
    assert changes["wage_income"] == {"before": "6000.00", "after": "7000.00"}
    assert changes["per_capita_income"] == {"before": "3000.00", "after": "3500.00"}


def test_changing_the_status_keeps_the_history_and_audits_it(county_client, county_user, ha):
    response = submit(county_client, reverse("status_change", args=[ha.pk]), to_status="exited",
                      reason="人均纯收入超过当年标准", date="2020-12-01")
    assert response.status_code == 302 and response.url.endswith("#history")
    ha.refresh_from_db()
    assert ha.status == "exited" and ha.exit_year == 2020
    change = StatusChange.objects.filter(household=ha).order_by("-id").first()
    assert (change.from_status, change.to_status, change.date) == ("poor", "exited", datetime.date(2020, 12, 1))
    assert change.actor == county_user
    event = last_event(ha)
    assert event.kind == "status"
    assert event.data["changes"]["status"] == {"before": "poor", "after": "exited"}
    page = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    assert "人均纯收入超过当年标准" in page


def test_a_cancelled_household_shows_no_edit_buttons(county_client, ha):
    submit(county_client, reverse("status_change", args=[ha.pk]), to_status="cancelled", reason="错评",
           cancel_reason="wrongly_registered")
    page = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    assert "修改户信息" not in page and ">修改</a>" not in page
    assert Member.objects.filter(household=ha, active=True).count() == 2
