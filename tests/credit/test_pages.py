"""The microcredit pages for the county office and a village: each page shows its content, the forms
write through the services and show their refusals at the field."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from fupin.credit.models import FundEntry, Loan, Rating, RatingScheme, Repayment, SubsidyPayment
from fupin.registry.choices import Status
from tests import factories

from .conftest import lend, rate

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2024, 7, 15, 4, tzinfo=datetime.UTC)


@pytest.fixture
def county(county_user) -> Client:
    c = Client()
    c.force_login(county_user)
    return c


@pytest.fixture
def loan(rated, banks):
    return lend(rated, banks["rcc"])


@time_machine.travel(NOW)
def test_the_loans_page_filters_the_overdue(county, loan, banks, tree):
    other = factories.household(tree["village_a1"], number="5303241002010801")
    rate(other, banks["rcc"])
    lend(other, banks["rcc"], contract="C-2", on=datetime.date(2024, 6, 20))
    page = county.get(reverse("credit:loans")).content.decode()
    assert "5303241002010501" in page and "5303241002010801" in page
    overdue = county.get(reverse("credit:loans"), {"overdue": "1"}).content.decode()
    assert "5303241002010501" in overdue and "逾期 44 天" in overdue and "5303241002010801" not in overdue


@time_machine.travel(NOW)
def test_the_loan_page_records_a_repayment_and_pays_the_subsidy(county, loan):
    url = reverse("credit:loan", args=[loan.pk])
    assert "逾期 44 天" in county.get(url).content.decode()
    bad = county.post(reverse("credit:loan_repay", args=[loan.pk]), {"paid_on": "2024-07-15", "principal": "0",
                                                                      "interest": "0"})
    assert bad.status_code == 400 and "还款本金和利息不能都为 0" in bad.content.decode()
    r = county.post(reverse("credit:loan_repay", args=[loan.pk]), {"paid_on": "2024-07-15", "principal": "0",
                                                                    "interest": "79.22"})
    assert r.status_code == 302 and Repayment.objects.count() == 1
    county.post(reverse("credit:loan_subsidy", args=[loan.pk, 1]))
    assert SubsidyPayment.objects.get().amount == loan.installments.get(number=1).subsidy
    page = county.get(url).content.decode()
    assert "已拨付 2024-07-15" in page and "逾期" not in page.split("还款计划")[1].split("还款记录")[0]


def test_the_loan_form_refuses_in_the_services_words(county, rated, banks):
    data = {"number": rated.number, "bank": banks["rcc"].pk, "contract_no": "N-1", "borrower": "",
            "principal": "51000", "term_months": "48", "disbursed_on": "2024-03-01", "purpose": "breeding",
            "method": "bullet"}
    r = county.post(reverse("credit:loan_new"), data)
    text = r.content.decode()
    assert r.status_code == 400
    assert "贷款金额 51,000.00 元超过扶贫小额信贷上限 50,000.00 元" in text
    assert "贷款期限 48 个月超过扶贫小额信贷上限 36 个月（3 年）" in text
    r = county.post(reverse("credit:loan_new"), {**data, "principal": "50000", "term_months": "36"})
    assert r.status_code == 302 and Loan.objects.get().principal == 50000


def test_the_rating_form_scores_by_the_scheme(county, tree, banks):
    h = factories.household(tree["village_a1"], number="5303241002010901", status=Status.EXITED)
    assert "诚信度（0–30）" in county.get(reverse("credit:rating_new")).content.decode()
    data = {"number": h.number, "year": "2024", "rated_on": "2024-01-10", "village_rep": "张", "team_rep": "李",
            "bank": banks["rcc"].pk, "bank_rep": "王", "score-integrity": "31", "score-labour": "20",
            "score-income": "20", "score-assets": "15"}
    bad = county.post(reverse("credit:rating_new"), data)
    assert bad.status_code == 400 and "“诚信度”的得分须为 0–30 的整数" in bad.content.decode()
    ok = county.post(reverse("credit:rating_new"), {**data, "score-integrity": "30"})
    assert ok.status_code == 302
    assert Rating.objects.values_list("total", "grade").get() == (85, "AA")
    notice = county.get(reverse("credit:rating_notice"), {"area": tree["village_a1"].code, "year": 2024}).content.decode()
    assert "2024 年扶贫小额信贷评级授信结果公示" in notice and "30,000.00" in notice and h.head_name in notice


def test_the_scheme_editor_saves_a_county_scheme(county, tree):
    data = {"name": "罗平县评级方案", "year": "2025", "valid_years": "2", "note": "",
            "ind-0-key": "integrity", "ind-0-label": "诚信度", "ind-0-max": "40",
            "ind-1-key": "labour", "ind-1-label": "劳动力", "ind-1-max": "30",
            "ind-2-key": "income", "ind-2-label": "收入", "ind-2-max": "20",
            "grade-0-grade": "AAA", "grade-0-min": "90", "grade-0-line": "50000",
            "grade-1-grade": "B", "grade-1-min": "0", "grade-1-line": "0"}
    bad = county.post(reverse("credit:scheme_new"), data)
    assert bad.status_code == 400 and "各项指标分值合计应为 100 分，现为 90 分" in bad.content.decode()
    ok = county.post(reverse("credit:scheme_new"), {**data, "ind-3-key": "assets", "ind-3-label": "资产", "ind-3-max": "10"})
    assert ok.status_code == 302
    s = RatingScheme.objects.get(area=tree["county"])
    assert (s.year, s.version, s.valid_years, s.grades[0]["line"]) == (2025, 1, 2, "50000.00")
    assert "罗平县评级方案" in county.get(reverse("credit:schemes")).content.decode()


def test_the_terms_form_sets_the_countys_year(county, tree):
    r = county.post(reverse("credit:schemes"), {"year": "2025", "annual_rate": "2.9", "subsidy_share": "0.8"})
    assert r.status_code == 302
    page = county.get(reverse("credit:schemes")).content.decode()
    assert "2.90%" in page and "80%" in page


def test_the_fund_page_takes_a_deposit(county, fund):
    r = county.post(reverse("credit:fund"), {"amount": "2500.50", "on": "2024-05-01", "note": "追加"})
    assert r.status_code == 302 and FundEntry.objects.count() == 2
    assert "102,500.50" in county.get(reverse("credit:fund")).content.decode()


def test_read_only_roles_read_but_do_not_write(tree, loan, fund):
    leader = factories.user("leader_x", "leader", tree["county"])
    c = Client()
    c.force_login(leader)
    assert c.get(reverse("credit:loan", args=[loan.pk])).status_code == 200
    assert c.get(reverse("credit:statement")).status_code == 200
    assert c.post(reverse("credit:loan_repay", args=[loan.pk]), {"paid_on": "2024-07-01", "interest": "1"}).status_code == 403
    assert c.post(reverse("credit:fund"), {"amount": "1", "on": "2024-05-01"}).status_code == 403
    assert c.get(reverse("credit:rating_new")).status_code == 403


def test_more_loans_cost_no_more_queries_on_the_list_and_the_api(county, rated, banks, tree):
    """Each row walks its schedule and sums its repayments from the prefetched rows (habit 11)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lend(rated, banks["rcc"], contract="Q-0")

    def cost() -> tuple[int, int, int]:
        counts = []
        for url, params in ((reverse("credit:loans"), {}), (reverse("credit:loans"), {"overdue": "1"}),
                            ("/api/credit/loans/", {})):
            with CaptureQueriesContext(connection) as queries:
                assert county.get(url, params).status_code == 200
            counts.append(len(queries))
        return tuple(counts)

    cost()  # warm the per-process caches (area names, the demo banner)
    few = cost()
    for n in range(4):
        h = factories.household(tree["village_a1"], number=f"53032410020109{n + 10}")
        rate(h, banks["psbc"])
        lend(h, banks["psbc"], contract=f"Q-{n + 1}")
    assert cost() == few


def test_the_rating_notice_stays_chinese_in_the_english_interface(county, tree, rated):
    """The 公示 is printed and posted in the village: its sheet is Chinese; the page around it follows the user."""
    from django.conf import settings

    county.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    notice = county.get(reverse("credit:rating_notice"), {"area": tree["village_a1"].code, "year": 2024}).content.decode()
    assert "2024 年扶贫小额信贷评级授信结果公示" in notice and "村民委员会" in notice and "授信额度（元）" in notice
    assert "Public notice of credit rating results" in notice and "Print" in notice
