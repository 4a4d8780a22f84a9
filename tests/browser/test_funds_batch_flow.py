"""A household subsidy batch paid, in the browser (issue 16 "Tests and figures", money16): the township
officer opens the project's money trail (the Sankey is drawn), uploads the Excel list on the allocation's
造册 page, the batch page lists the households with their accounts masked, 发放 pays it in one payment, and the
household's page shows the subsidy under 项目资金; from there the trail leads back (batch → payment → allocation →
document), the batch's 受益户名单公示 is published from the batch page, and the public board /public/funds/ (no
login) shows it with the accounts and ID numbers masked. The set-up (document, project, beneficiaries, allocation held
by the township) is written through the models and services; every step after it is taken on its page."""

from __future__ import annotations

import datetime

import pytest

from fupin.accounts.models import Role
from fupin.projects import services_funds as funds
from fupin.projects.models import Payment, SubsidyBatch
from fupin.projects.rules import BatchStatus, PaymentKind
from tests import factories
from tests.projects import funds_world as w

from .test_identification_flow import chromium
from .test_walkthrough import sync_api

pytestmark = pytest.mark.browser


@pytest.fixture
def ledger(transactional_db, settings):
    settings.FUPIN_IDLE_MINUTES = 0
    tree = factories.area_tree()
    factories.user("township_a", Role.TOWNSHIP, tree["township_a"], display_name="甲乡扶贫站")
    doc = w.document(tree["county"])
    project = w.project(tree["village_a1"])
    hs = w.households(tree["village_a1"], 3, bank_account="6228480012345678901")
    w.beneficiaries(project, hs)
    alloc = funds.allocation_create(actor=None, document=doc, project=project, area=tree["township_a"],
                                    amount="20000.00", allocated_on=datetime.date(2024, 4, 1))
    funds.payment_create(actor=None, allocation=alloc, kind=PaymentKind.OTHER, amount="3000.00",
                         paid_on=datetime.date(2024, 5, 1), payee="甲一村合作社", purpose="种牛")
    return {"project": project, "households": hs, "allocation": alloc}


def test_a_subsidy_batch_is_uploaded_paid_and_reaches_the_household(live_server, ledger, tmp_path):
    expect = sync_api.expect
    hs, project = ledger["households"], ledger["project"]
    sheet = tmp_path / "到户补助清单.xlsx"
    sheet.write_bytes(w.sheet([[i + 1, h.head_name, w.head_id(h), "", "1200.00", "肉牛补助"] for i, h in enumerate(hs)]))
    with chromium(live_server.url) as browser:
        page = browser.page("township_a")
        page.goto(f"{live_server.url}/projects/funds/trail/project/{project.pk}/")
        expect(page.locator(f"#trail-{project.pk} canvas")).to_have_count(1)
        page.goto(f"{live_server.url}/projects/funds/allocations/{ledger['allocation'].pk}/batch/")
        page.fill("input[name=title]", "肉牛养殖到户补助")
        page.set_input_files("input[name=file]", str(sheet))
        page.locator("form[enctype] button[type=submit]").click()
        expect(page.locator("h1")).to_contain_text("肉牛养殖到户补助")
        expect(page.locator("#lines tbody tr")).to_have_count(3)
        expect(page.locator("#lines")).to_contain_text("***************8901")
        page.get_by_role("button", name="发放 3,600.00 元至 3 户一卡通").click()
        expect(page.locator(".messages")).to_contain_text("已发放")
        expect(page.locator("h1 .badge")).to_have_text("已发放")
        page.goto(f"{live_server.url}/households/{hs[0].pk}/")
        expect(page.locator("#project-funds")).to_contain_text("肉牛养殖到户补助")
        expect(page.locator("#household-subsidies")).to_contain_text("1,200.00")
        # ... and back: the household tab → the batch → its payment and allocation → the fund document
        page.locator("#household-subsidies a[href*='/projects/funds/batches/']").first.click()
        expect(page.locator("#batch-payment")).to_contain_text("3,600.00")
        # the payment's link lands on its row of the project's money trail, a part loaded after the page opens
        page.locator("#batch-payment a").click()
        row = page.locator("tr.anchored[id^='payment-']")
        expect(row).to_contain_text("3,600.00")
        expect(row).to_be_in_viewport()
        page.go_back()
        page.locator("#batch-trail a[href*='#allocation-']").click()
        expect(page.locator(f"#allocation-{ledger['allocation'].pk}")).to_contain_text(project.name)
        page.go_back()
        # the batch's 受益户名单公示, published from its page, hangs on the public board
        page.get_by_role("link", name="发布受益户名单公示").click()
        page.fill("input[name=place]", "甲一村村务公开栏")
        page.fill("input[name=hotline]", "0874-12345678")
        page.get_by_role("button", name="发布", exact=True).click()
        expect(page.locator("h1")).to_contain_text("肉牛养殖到户补助")
        public = browser.browser.new_page()
        public.goto(f"{live_server.url}/public/funds/")
        expect(public.locator("main")).to_contain_text("肉牛养殖到户补助")
        public.locator("a", has_text="肉牛养殖到户补助").first.click()
        body = public.locator("main")
        expect(body).to_contain_text(hs[0].head_name)
        expect(body).to_contain_text("***************8901")
        text = public.content()
        assert "6228480012345678901" not in text and all(w.head_id(h) not in text for h in hs)
        public.close()
    batch = SubsidyBatch.objects.get()
    assert batch.status == BatchStatus.PAID and Payment.objects.get(batch=batch).amount == batch.total
