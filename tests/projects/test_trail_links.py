"""Following a yuan on screen (issue 16 "Done when", glue16): the pages of the money trail link to each other
both ways — fund document ↔ allocation ↔ project ↔ payment ↔ subsidy batch ↔ household tab — and the
project's page lists its 公告公示, assets and its own slips from the alerts."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from fupin.projects import services_disclosures as disclosures
from fupin.projects import services_funds as funds
from fupin.projects.models import DisclosureKind

from . import funds_world as w

pytestmark = pytest.mark.django_db
D = datetime.date


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def trail(tree, county_user):
    doc = w.document(tree["county"])
    p = w.project(tree["village_a1"])
    hs = w.households(tree["village_a1"], 2, bank_account="6228480012345678901")
    w.beneficiaries(p, hs)
    a = funds.allocation_create(actor=None, document=doc, project=p, area=tree["township_a"], amount="5000.00",
                                allocated_on=D(2024, 4, 1))
    rows = funds.read_list(w.sheet([[i + 1, h.head_name, w.head_id(h), "", "1000.00", "肉牛补助"]
                                    for i, h in enumerate(hs)]), "清单.xlsx")
    batch = funds.batch_create(actor=None, allocation=a, title="肉牛到户补助", rows=rows, drawn_on=D(2024, 6, 1))
    payment = funds.batch_pay(actor=None, batch=batch, paid_on=D(2024, 6, 10), voucher="PZ-1")
    notice = disclosures.publish(actor=None, kind=DisclosureKind.BENEFICIARIES, area=tree["village_a1"],
                                 place="村务公开栏", starts_on=D(2024, 6, 12), ends_on=D(2024, 6, 21),
                                 hotline="12317", batch=batch)
    return {"doc": doc, "project": p, "households": hs, "allocation": a, "batch": batch, "payment": payment,
            "notice": notice}


def test_the_trail_links_both_ways(trail, county_user):
    c = client(county_user)
    doc, p, a, batch, pay = trail["doc"], trail["project"], trail["allocation"], trail["batch"], trail["payment"]
    project_url = reverse("projects:detail", args=[p.pk])
    allocation_url = reverse("funds:document", args=[doc.pk]) + f"#allocation-{a.pk}"
    # document → its allocation's project
    body = c.get(reverse("funds:document", args=[doc.pk])).content.decode()
    assert f'id="allocation-{a.pk}"' in body and f'href="{project_url}"' in body
    assert 'id="projects-nav"' in body and reverse("disclosures:new") + f"?document={doc.pk}" in body
    # project trail fragment → payments (each naming its allocation) → the batch
    body = c.get(reverse("funds:project_trail", args=[p.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert f'id="payment-{pay.pk}"' in body and allocation_url in body
    assert reverse("funds:batch", args=[batch.pk]) in body
    # batch → payment, allocation, document, project, its 公示, each household line
    body = c.get(reverse("funds:batch", args=[batch.pk])).content.decode()
    assert allocation_url in body and project_url in body and "PZ-1" in body and "2,000.00" in body
    assert reverse("disclosures:detail", args=[trail["notice"].pk]) in body
    for h in trail["households"]:
        assert reverse("household_detail", args=[h.pk]) in body
    # household tab → batch line, project, document's allocation
    h = trail["households"][0]
    body = c.get(reverse("household_detail", args=[h.pk])).content.decode()
    tab = body[body.index('id="project-funds"'):]
    assert reverse("funds:batch", args=[batch.pk]) + "?page=1#line-" in tab and project_url in tab and allocation_url in tab


def test_the_project_page_lists_its_notices_assets_and_slips(trail, county_user):
    body = client(county_user).get(reverse("projects:detail", args=[trail["project"].pk])).content.decode()
    related = body[body.index('id="related"'):body.index('id="beneficiaries"')]
    assert reverse("disclosures:detail", args=[trail["notice"].pk]) in related
    # 3,000 of the township's 5,000 unpaid for months: 资金滞留, owned by the township
    assert "资金滞留" in related and reverse("project_alerts:page") + "?alert=stuck_funds" in related

