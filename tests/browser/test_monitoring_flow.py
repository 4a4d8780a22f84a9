"""防返贫监测 end to end in the browser (issue 14 "Tests and figures"): a warning arrives, a cadre enrols the
household, the notice runs, the county approves, the dashboard changes. Every step is taken on its page by
the role whose step it is:

1. the county officer pushes a 医疗费用 list (one row: an exited household whose per-capita income minus the
   bill falls under the 防返贫监测线) on /monitoring/alerts/push/; the job runs in a thread of the live server
   (as in ``make run``) and its page lands on the list's report; the warning is in 甲一村's list;
2. the village cadre closes it as 纳入监测 on the warning's page: a monitoring object (部门筛查预警) exists;
3. 监测对象纳入: 入户核实 with the signed consent on the object's page (/monitoring/objects/<pk>/, the form
   that opens the case), then on the case's page (/cases/<pk>/) 数据比对 and 村级民主评议 with the vote by the
   village; the village notice published on /notices/new/; time_machine moves the clock past its 5 days
   (the live server's thread sees the same clock; the sessions outlive the jump); 乡镇审核 by the township;
   县级审定 by the county;
4. the household is 监测对象(风险未消除) and the county's dashboard (/dashboard/) shows one household more under
   监测对象·风险未消除 (and in 甲乡's row) than just before the approval: the dashboard's figures are
   precomputed rollups, and the approval's audit row makes the stored one stale (fupin.monitoring.rollups).

Every step has a page; only the set-up is written through the services (the household, its last yearly
record, the year's 防返贫监测线, one household monitored since last year so that the dashboard starts at 1).

Screenshots at 1400×900 go to $FUPIN_SCREENSHOTS (docs/screenshots: 62-flow-*.png) when set, else to a
temporary directory.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
import time_machine

from fupin.accounts.models import Role
from fupin.identification.models import Case, CaseKind, NoticeKind, Step
from fupin.monitoring import rollups
from fupin.monitoring.models import Alert, AlertStatus, Channel, FigureRollup, MonitoringObject, ObjectState
from fupin.registry import services as registry
from fupin.registry.choices import Labour, LineKind, Relation, Status
from fupin.registry.models import Household, PovertyLine
from tests import factories
from tests.monitoring.dash_world import _monitor

from .test_identification_flow import chromium, publish, shots, take
from .test_walkthrough import sync_api

pytestmark = pytest.mark.browser

LINE = Decimal("7000")
VOTES = {"representatives": 30, "present": 24, "votes_for": 22, "votes_against": 1, "votes_abstain": 1}


@pytest.fixture
def county(transactional_db, settings, tmp_path):
    settings.SESSION_COOKIE_AGE = 365 * 24 * 3600  # the clock jumps past the notice period
    settings.FUPIN_IDLE_MINUTES = 0
    settings.FUPIN_JOBS = "thread"
    settings.DATA_DIR = tmp_path
    tree = factories.area_tree()
    users = {
        "village": factories.user("village_a1", Role.VILLAGE, tree["village_a1"], display_name="甲一村村委"),
        "township": factories.user("township_a", Role.TOWNSHIP, tree["township_a"], display_name="甲乡扶贫站"),
        "county": factories.user("county_officer", Role.COUNTY, tree["county"], display_name="县扶贫办"),
    }
    admin = factories.user("root", Role.ADMIN, None, is_superuser=True, is_staff=True)
    # Exited in 2019; two people with 8,000 yuan each last year. A bill of 6,000 yuan leaves 5,000 a head.
    household = factories.household(tree["village_a1"], actor=admin, status=Status.EXITED, identified_year=2015,
                                    exit_year=2019, number="5303241002010066", members=[
                                        factories.member_data(Relation.HEAD, "1", name="罗大病", labour=Labour.NORMAL),
                                        factories.member_data(Relation.SPOUSE, "2", name="黄小英", labour=Labour.NORMAL)])
    today = datetime.date.today()
    registry.yearly_record_save(actor=admin, household=household, year=today.year - 1,
                                data={"wage_income": "16000", "member_count": 2})
    # The monitoring line of the bill's year (the seeded national line is 2021's only).
    bill_date = today - datetime.timedelta(days=2)
    PovertyLine.objects.create(year=bill_date.year, kind=LineKind.MONITORING, area=None, amount=LINE,
                               note="测试监测线")
    # One household already monitored (at risk since last year, 甲二村): the dashboard starts at 1, not 0.
    other = factories.household(tree["village_a2"], actor=admin, status=Status.EXITED, identified_year=2015,
                                exit_year=2019)
    _monitor(admin, other, "unstable", ["illness"], today - datetime.timedelta(days=400),
             today - datetime.timedelta(days=380))
    return {"tree": tree, "users": users, "household": household, "bill_date": bill_date}


def medical_list(household: Household, bill_date: datetime.date) -> bytes:
    head = household.members.get(relation=Relation.HEAD)
    header = "id_number,name,birth_date,sex,area_code,source_ref,out_of_pocket,bill_date,hospital"
    row = f"{head.id_number},{head.name},,,,YB-2026-0001,6000,{bill_date.isoformat()},罗平县人民医院"
    return f"{header}\r\n{row}\r\n".encode()


def at_risk(page, url: str) -> tuple[int, int]:
    """The county dashboard's 监测对象·风险未消除 households, and 甲乡's in the table by township."""
    expect = sync_api.expect
    page.goto(f"{url}/dashboard/")
    kpi = page.locator(".dash-kpis .kpi", has_text="监测对象·风险未消除").locator(".value")
    expect(kpi).to_be_visible()
    row = page.locator("table.data tbody tr", has=page.get_by_role("link", name="甲乡", exact=True))
    column = page.locator("table.data thead th").all_inner_texts().index("监测对象（风险未消除）")
    township = row.locator("td").nth(column).inner_text()
    return int(re.sub(r"\D", "", kpi.inner_text())), int(township.replace(",", ""))


def test_a_warning_is_enrolled_through_the_entry_procedure_and_the_dashboard_counts_it(live_server, county):
    expect = sync_api.expect
    url, tree, household = live_server.url, county["tree"], county["household"]
    out = shots()
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    with time_machine.travel(start, tick=True) as clock, chromium(url) as b:
        page = None
        try:
            # --- the county's dashboard as it starts: 1 household at risk (甲二村, in 甲乡)
            page = officer = b.page("county_officer")
            assert at_risk(officer, url) == (1, 1)

            # --- 1. the county officer pushes the 医疗费用 list; the job's page lands on the list's report
            officer.goto(f"{url}/monitoring/alerts/push/")
            officer.locator("select[name='kind']").select_option("medical")
            officer.locator("select[name='area']").select_option(tree["county"].code)
            officer.locator("input[name='file']").set_input_files(files=[{
                "name": "医保局-大额医疗费用.csv", "mimeType": "text/csv",
                "buffer": medical_list(household, county["bill_date"])}])
            officer.screenshot(path=str(out / "62-flow-1-push.png"))
            officer.get_by_role("button", name="开始推送").click()
            officer.wait_for_url(re.compile(r".*/monitoring/alerts/lists/\d+/$"), timeout=30_000)
            expect(officer.locator(".kpi", has_text="触发预警").locator(".value")).to_have_text("1")
            expect(officer.locator(".kpi", has_text="格式错误").locator(".value")).to_have_text("0")
            expect(officer.locator("table.data").last).to_contain_text("罗大病")
            expect(officer.locator("table.data").last).to_contain_text("低于")
            officer.screenshot(path=str(out / "62-flow-2-report.png"))

            # --- the warning is in the village's list; the cadre closes it as 纳入监测 (脱贫不稳定户)
            page = village = b.page("village_a1")
            village.goto(f"{url}/monitoring/alerts/")
            rows = village.locator("table.data tbody tr")
            expect(rows).to_have_count(1)
            expect(rows).to_contain_text("罗大病")
            expect(rows).to_contain_text("医疗费用")
            rows.get_by_role("link", name="罗大病").click()
            village.wait_for_url(re.compile(r".*/monitoring/alerts/\d+/$"))
            expect(village.locator(".card", has_text="预警信息")).to_contain_text("5,000.00")
            form = village.locator("form.closeform")
            form.locator("input[name='outcome'][value='enrolled']").check()
            form.locator("[name='note']").fill("入户了解，住院自付费用高，家庭收入骤降")
            form.locator("select[name='object_kind']").select_option("unstable")
            village.screenshot(path=str(out / "62-flow-3-alert.png"))
            form.get_by_role("button", name="办结").click()
            expect(village.locator(".messages")).to_contain_text("预警已办结：已纳入监测")
            alert = Alert.objects.get(household=household)
            assert alert.status == AlertStatus.ENROLLED and alert.object is not None
            obj = MonitoringObject.objects.get(household=household)
            assert (obj.channel, obj.state, obj.kind) == (Channel.WARNING, ObjectState.PENDING, "unstable")

            # --- 2. 入户核实 with the signed consent, on the object's page: it opens the entry case
            village.goto(f"{url}/monitoring/objects/")
            village.locator("table").get_by_role("link", name="罗大病").click()
            village.wait_for_url(f"**/monitoring/objects/{obj.pk}/")
            entry = village.locator("form.actform", has_text="发起纳入程序")
            entry.locator("[name='e-opinion']").fill("入户核实：户主住院，自付费用 6,000 元；农户签字承诺")
            for key in ("situation", "income", "expenses", "consent"):
                entry.locator(f"input[name='e-ok_{key}'][value='yes']").check()
            entry.locator("[name='e-income_12m']").fill("5000")
            entry.get_by_role("button", name="提交入户核实").click()
            expect(village.locator(".messages")).to_contain_text("纳入程序已发起")
            village.screenshot(path=str(out / "62-flow-4-object.png"))
            case = Case.objects.get(household=household, kind=CaseKind.MONITOR_ENTRY)
            assert case.origin == "warning"  # 来源 部门筛查预警: the case says the department's list found it
            village.locator("#cases").get_by_role("link", name=re.compile("监测对象纳入")).click()
            village.wait_for_url(f"**/cases/{case.pk}/")
            expect(village.locator("#case-step")).to_have_text("入户核实")

            # --- 数据比对, 村级民主评议 with the vote, then the village notice (≥ 5 days)
            take(village, case, Step.ENTRY_CHECK, opinion="与医保、民政数据比对一致")
            take(village, case, Step.ENTRY_APPRAISAL, opinion="村民代表会议评议同意纳入", **VOTES)
            expect(village.locator("#timeline")).to_contain_text("实到/应到 24/30 人；同意 22、反对 1、弃权 1")
            expect(village.locator("#notices")).to_contain_text("尚未列入公示")
            notice = publish(village, url, NoticeKind.MONITOR_ENTRY_NOTICE, tree["village_a1"], case,
                             shot=out / "62-flow-5-notice.png")
            assert notice.days >= 5
            village.goto(f"{url}/cases/{case.pk}/")
            expect(village.locator("#notices")).to_contain_text("公示中")

            # --- during the period the township's 乡镇审核 waits; after it, the township takes it
            page = township = b.page("township_a")
            township.goto(f"{url}/cases/{case.pk}/")
            expect(township.locator("#actions .blocked")).to_contain_text("公示期至")
            expect(township.locator(f"#step-{Step.ENTRY_TOWNSHIP}")).to_have_count(0)
            clock.shift(datetime.timedelta(days=notice.days + 1))
            township.goto(f"{url}/cases/{case.pk}/")
            take(township, case, Step.ENTRY_TOWNSHIP, opinion="公示无异议，乡镇审核同意")

            # --- 县级审定 by the county; the dashboard just before and just after (the same day: only the
            # write's audit row can make the stored figures stale)
            page = officer
            before = at_risk(officer, url)
            assert before == (1, 1)
            stored = FigureRollup.objects.get(area_path=tree["county"].path, day="today")
            assert stored.stamp == rollups.stamp()  # the figures just shown are stored, and current
            officer.goto(f"{url}/cases/{case.pk}/")
            officer.screenshot(path=str(out / "62-flow-6-case.png"))
            take(officer, case, Step.ENTRY_COUNTY, opinion="县级审定：纳入防返贫监测")
            household.refresh_from_db()
            obj.refresh_from_db()
            assert household.status == Status.MONITOR_RISK
            assert obj.state == ObjectState.AT_RISK and obj.enrolled_on is not None
            officer.locator("#basic a", has_text="罗大病").click()
            expect(officer.locator("h1")).to_contain_text("监测对象(风险未消除)")
            assert rollups.stamp() > stored.stamp  # the approval's audit row: the stored figures are stale
            assert at_risk(officer, url) == (before[0] + 1, before[1] + 1)
            assert FigureRollup.objects.get(pk=stored.pk).stamp == rollups.stamp()  # recomputed and stored again
            officer.screenshot(path=str(out / "62-flow-7-dashboard.png"))
        except Exception:
            if page is not None:
                page.screenshot(path="/tmp/fupin-monitoring-flow-failure.png", full_page=True)
            raise
