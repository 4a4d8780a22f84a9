"""The fund ledger's pages and API (money16): the ledger with balances, forms through the services, a batch
uploaded and paid, the money trail (area and project fragment), the household page's 项目资金 tab,
the negative list page, scope (another township's money is a 404 or hidden)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fupin.projects import services_funds as funds
from fupin.projects.models import Allocation, FundDocument, NegativeUse, SubsidyBatch
from fupin.projects.rules import BatchStatus, PaymentKind

from . import funds_world as w

pytestmark = pytest.mark.django_db
D = datetime.date


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def ledger(tree, county_user):
    doc = w.document(tree["county"])
    p = w.project(tree["village_a1"])
    pb = w.project(tree["village_b1"], code="P-B", name="乙一村饮水工程")
    hs = w.households(tree["village_a1"], 2)
    w.beneficiaries(p, hs)
    a = funds.allocation_create(actor=None, document=doc, project=p, area=tree["township_a"], amount="5000.00",
                                allocated_on=D(2024, 4, 1))
    ab = funds.allocation_create(actor=None, document=doc, project=pb, amount="7000.00", allocated_on=D(2024, 4, 1))
    funds.payment_create(actor=None, allocation=ab, kind=PaymentKind.OTHER, amount="123.45", paid_on=D(2024, 5, 1),
                         payee="乙乡水管站", purpose="管材")
    return {"doc": doc, "project": p, "project_b": pb, "households": hs, "allocation": a, "allocation_b": ab}


def test_ledger_and_document(ledger, county_user, township_a_user):
    text = client(county_user).get(reverse("funds:documents")).content.decode()
    assert ledger["doc"].number in text and "988,000.00" in text  # balance 1,000,000 − 12,000
    # a township sees the county document (it funds a project there) but only its own allocations
    page = client(township_a_user).get(reverse("funds:document", args=[ledger["doc"].pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "甲一村肉牛养殖" in body and "乙一村饮水工程" not in body


def test_document_and_allocation_forms(county_user, tree, ledger, township_a_user):
    c = client(county_user)
    r = c.post(reverse("funds:document_new"), {"number": "罗财〔2025〕3号", "title": "衔接资金", "level": "province",
                                               "channel": "special", "year": 2025, "amount": "2,000.00",
                                               "purpose": "产业", "issued_on": "2025-02-01"})
    assert r.status_code == 302
    doc = FundDocument.objects.get(number="罗财〔2025〕3号")
    assert doc.amount == Decimal("2000.00")
    r = c.post(reverse("funds:allocation_new"), {"document": doc.pk, "project": ledger["project"].pk,
                                                 "area": tree["county"].pk, "amount": "2000.01",
                                                 "allocated_on": "2025-03-01"})
    assert r.status_code == 400 and "超出资金文件余额" in r.content.decode()
    assert client(township_a_user).get(reverse("funds:allocation_new")).status_code == 403


def test_payment_form_refusal_shown(ledger, county_user):
    r = client(county_user).post(reverse("funds:payment_new", args=[ledger["allocation"].pk]), {
        "kind": "other", "amount": "10.00", "paid_on": "2024-05-02", "payee": "某单位", "purpose": "办公楼装修"})
    assert r.status_code == 400 and "负面清单" in r.content.decode()


def test_batch_upload_and_pay(ledger, township_a_user):
    c = client(township_a_user)
    hs = ledger["households"]
    data = w.sheet([[i, h.head_name, w.head_id(h), "6228480012345678901", "800", "肉牛"] for i, h in enumerate(hs)])
    r = c.post(reverse("funds:batch_new", args=[ledger["allocation"].pk]),
               {"title": "肉牛补助", "drawn_on": "2024-06-01", "file": SimpleUploadedFile("清单.xlsx", data)})
    assert r.status_code == 302, (r.context["form"].errors, r.context["errors"])
    batch = SubsidyBatch.objects.get()
    page = c.get(reverse("funds:batch", args=[batch.pk])).content.decode()
    assert "***************8901" in page and "6228480012345678901" not in page  # the account masked
    r = c.post(reverse("funds:batch_pay", args=[batch.pk]), {"paid_on": "2024-06-05"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PAID
    tab = c.get(reverse("household_detail", args=[hs[0].pk])).content.decode()
    assert 'id="project-funds"' in tab and "肉牛补助" in tab and "800.00" in tab


def test_batch_errors_listed(ledger, county_user, tree):
    from tests import factories

    outsider = factories.household(tree["village_a2"])
    data = w.sheet([[1, outsider.head_name, w.head_id(outsider), "", "800", ""]])
    r = client(county_user).post(reverse("funds:batch_new", args=[ledger["allocation"].pk]),
                                 {"title": "肉牛补助", "drawn_on": "2024-06-01",
                                  "file": SimpleUploadedFile("清单.xlsx", data)})
    assert r.status_code == 400 and "第 3 行" in r.content.decode() and "不是本项目的受益户" in r.content.decode()
    assert not SubsidyBatch.objects.exists()


def test_trail_pages(ledger, county_user, township_a_user):
    r = client(county_user).get(reverse("funds:trail"), {"year_from": 2020, "year_to": 2025})
    assert r.status_code == 200
    labels = {n["label"] for n in r.context["data"]["nodes"]}
    assert {"中央", "财政专项扶贫资金", "特色产业增收", "其他支出", "未支付结余", "未分配结余"} <= labels
    frag = client(township_a_user).get(reverse("funds:project_trail", args=[ledger["project"].pk]),
                                       HTTP_HX_REQUEST="true")
    assert frag.status_code == 200 and "<html" not in frag.content.decode() and "money-trail" in frag.content.decode()
    assert client(township_a_user).get(reverse("funds:project_trail", args=[ledger["project_b"].pk])).status_code == 404


def test_negative_page(county_user, village_user):
    c = client(county_user)
    assert "修建楼堂馆所" in c.get(reverse("funds:negative")).content.decode()
    r = c.post(reverse("funds:negative"), {"name": "购买烟酒", "keywords": "烟酒、礼品", "active": "on"})
    assert r.status_code == 302
    entry = NegativeUse.objects.get(name="购买烟酒")
    assert entry.words() == ["烟酒", "礼品"] and entry.area is not None
    assert client(village_user).post(reverse("funds:negative"), {"name": "x", "keywords": "y"}).status_code == 403


def test_api_lists_scoped(ledger, township_a_user, county_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(township_a_user)
    docs = api.get("/api/projects/documents/").json()["results"]
    assert [d["number"] for d in docs] == [ledger["doc"].number]
    assert api.get("/api/projects/payments/").json()["results"] == []  # the payment is 乙乡's
    api.force_authenticate(county_user)
    pays = api.get("/api/projects/payments/", {"kind": "other"}).json()["results"]
    assert [p["amount"] for p in pays] == ["123.45"]
    assert docs[0]["balance"] == "988000.00"
    assert Allocation.objects.count() == 2
