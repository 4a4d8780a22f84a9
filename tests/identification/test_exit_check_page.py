"""/exit-check/: the rows and counts of the user's scope, filters, an area outside the scope is a 404,
the download (same columns, audited); the household page's 退出核查 panel."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry.choices import Status
from tests import factories
from tests.standards.helpers import YEAR, household, national_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(tree):
    national_line()
    return {
        "ok": household(tree["village_a1"], income="9000", people=2),
        "water": household(tree["village_a2"], income="9000", people=2, water_difficulty=True),
        "poor": household(tree["village_a1"], income="4000", people=2, status=Status.RETURNED),
        "other_township": household(tree["village_b1"], income="4000", people=2),
        "exited": household(tree["village_a1"], income="4000", people=2, status=Status.EXITED),
    }


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def page(client, **params):
    response = client.get(reverse("exitcheck:list"), {"year": YEAR, **params})
    assert response.status_code == 200, response.content[:300]
    return response


def numbers(response) -> set[str]:
    page = response.context["page"]
    assert page.paginator.count == len(page.object_list)  # one page here: the count taken from the counts
    return {r.number for r in page.object_list}


def test_rows_and_counts_in_scope(data, township_a_user):
    c = client_for(township_a_user)
    response = page(c)
    assert numbers(response) == {data[k].number for k in ("ok", "water", "poor")}
    counts = response.context["counts"]
    assert (counts.total, counts.exitable, counts.not_exitable) == (3, 1, 2)
    assert dict(counts.failed)["饮水不困难"] == 1 and dict(counts.failed)["一超：人均纯收入超过当年扶贫标准"] == 1
    text = response.content.decode()
    assert data["other_township"].number not in text and data["exited"].number not in text
    assert reverse("household_detail", args=[data["water"].pk]) in text
    assert "不可退出" in text and "饮水不困难" in text
    assert numbers(page(c, conclusion="yes")) == {data["ok"].number}
    assert numbers(page(c, conclusion="no")) == {data["water"].number, data["poor"].number}
    assert numbers(page(c, failed="饮水不困难")) == {data["water"].number}
    assert numbers(page(c, failed="饮水不困难", conclusion="yes")) == set()
    assert numbers(page(c, conclusion="undecided")) == set()
    assert numbers(page(c, scope="register")) == {data[k].number for k in ("ok", "water", "poor", "exited")}
    assert numbers(page(c, area="530324100202")) == {data["water"].number}


def test_an_area_outside_the_scope_is_not_found(data, township_a_user, tree):
    c = client_for(township_a_user)
    assert c.get(reverse("exitcheck:list"), {"year": YEAR, "area": tree["township_b"].code}).status_code == 404
    assert c.get(reverse("exitcheck:download", args=["csv"]),
                 {"year": YEAR, "area": tree["township_b"].code}).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


def test_login_required_and_no_scope(data, tree):
    response = Client().get(reverse("exitcheck:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    nobody = factories.user("no_area", Role.VILLAGE, None)
    response = client_for(nobody).get(reverse("exitcheck:list"))
    assert response.status_code == 200 and data["ok"].number not in response.content.decode()


def test_download_xlsx_and_csv(data, township_a_user):
    c = client_for(township_a_user)
    response = c.get(reverse("exitcheck:download", args=["xlsx"]), {"year": YEAR, "conclusion": "no"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))) \
        .get_sheet_by_index(0).to_python()
    assert rows[0][0].startswith("甲乡 2016 年退出核查")
    assert rows[1][:3] == ["户编号", "户主", "乡镇"]
    assert {r[0] for r in rows[2:]} == {data["water"].number, data["poor"].number}
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.actor == township_a_user and event.entity == "identification.exit_check"
    assert event.data["households"] == 2 and event.data["filters"]["conclusion"] == "no"

    response = c.get(reverse("exitcheck:download", args=["csv"]), {"year": YEAR})
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    body = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(body) == 4 and body[0][-2:] == ["规则集", "版本"]
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT).count() == 2
    assert c.get(reverse("exitcheck:download", args=["pdf"]), {"year": YEAR}).status_code == 404


def test_household_panel(data, township_a_user):
    c = client_for(township_a_user)
    response = c.get(reverse("household_detail", args=[data["water"].pk]))
    panel = response.context["exit_check"]
    assert panel["year"] == YEAR and panel["check"].failed == ["饮水不困难"]
    text = response.content.decode()
    assert 'id="exit-check"' in text and "退出核查（2016 年）" in text
    assert "饮水是否困难：是（应为“否”）：不符合" in text
    response = c.get(reverse("household_detail", args=[data["exited"].pk]))
    assert response.context["exit_check"]["retrospective"] is True and "回头看" in response.content.decode()
