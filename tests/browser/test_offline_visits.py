"""Visits without signal (issue 15 item 2), on a phone (390×844): a 帮扶责任人 signs in and opens the
visit form once online (the service worker keeps it and its assets; the household list is kept in
IndexedDB); the network is cut; the form opens again from the phone's copy; two visits are logged and
shown 待发送; the network comes back and both are sent (已保存) — the server holds exactly two rows. A
retry of the same queue (the answers lost: both marked 待发送 again, the page reloaded and sent once
more) adds nothing: the server answers each client id with the visit it stored. A visit the server
refuses is shown 被拒绝 with its reason.

Screenshots of the queued and the sent states go to $FUPIN_SCREENSHOTS (docs/screenshots) when it is
set, else to a temporary directory. Drives Debian's chromium (pattern and fixtures: test_walkthrough.py).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from fupin.accounts.models import Role
from fupin.assistance import services as assistance
from fupin.assistance.models import Visit
from fupin.registry.choices import Relation
from tests import factories

from .test_walkthrough import browser_page, sign_in, sync_api

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def paired(transactional_db):
    tree = factories.area_tree()
    officer = factories.user("county_officer", Role.COUNTY, tree["county"], display_name="县扶贫办")
    cadre = factories.user("cadre_li", Role.CADRE, tree["village_a1"], display_name="李文军")
    households = [
        factories.household(tree["village_a1"], actor=officer, number=f"530324100201000{i}",
                            members=[factories.member_data(Relation.HEAD, "1", name=name)])
        for i, name in ((1, "赵离线"), (2, "钱离线"))]
    for h in households:
        assistance.pairing_create(actor=officer, cadre=cadre, household=h, start=datetime.date(2020, 1, 1))
    return households


def shots() -> Path:
    path = Path(os.environ.get("FUPIN_SCREENSHOTS") or "/tmp/fupin-visit-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_visit(page, household_id: int, purpose: str) -> None:
    page.select_option("#v-household", str(household_id))
    page.fill("#v-purpose", purpose)
    page.fill("#v-findings", "离线登记")
    page.get_by_role("button", name="保存走访记录").click()


def test_visits_logged_offline_are_sent_once_when_back_online(live_server, paired):
    expect = sync_api.expect
    with browser_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2) as page:
        context = page.context
        sign_in(page, live_server.url, "cadre_li")
        form_url = f"{live_server.url}/assistance/visits/new/"
        page.goto(form_url)
        expect(page.locator("#visit-app")).to_have_attribute("data-ready", "true")
        # The service worker installed (kept the page and its assets) and controls the page.
        page.wait_for_function("() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
        expect(page.locator("#hh-count")).to_have_text("2")

        context.set_offline(True)
        response = page.reload()
        assert response is not None and response.from_service_worker
        expect(page.locator("#visit-app")).to_have_attribute("data-ready", "true")
        expect(page.locator("#net-state")).to_contain_text("离线")
        expect(page.locator("#hh-source")).to_contain_text("离线副本")
        queued = page.locator("#queue li[data-state=queued]")
        log_visit(page, paired[0].pk, "季度走访")
        # The form is cleared once the visit is in the phone's queue (IndexedDB, asynchronous): a person
        # types the next one after that; typing into it before would be cleared with it.
        expect(queued).to_have_count(1)
        log_visit(page, paired[1].pk, "了解务工情况")
        expect(queued).to_have_count(2)
        expect(page.locator("#queue .qstate.queued")).to_have_text(["待发送", "待发送"])
        assert Visit.objects.count() == 0
        page.screenshot(path=str(shots() / "72-offline-queued-phone.png"), full_page=True)

        context.set_offline(False)
        expect(page.locator("#queue li[data-state=sent]")).to_have_count(2)
        expect(page.locator("#queue .qstate.sent")).to_have_text(["已保存", "已保存"])
        page.screenshot(path=str(shots() / "72-offline-sent-phone.png"), full_page=True)
        visits = list(Visit.objects.order_by("household__number"))
        assert [(v.household_id, v.purpose, v.recorded_by.username) for v in visits] == [
            (paired[0].pk, "季度走访", "cadre_li"), (paired[1].pk, "了解务工情况", "cadre_li")]
        assert all(v.client_id for v in visits)

        # A retry of the same queue — as if both answers had been lost — stores nothing new.
        page.evaluate("""() => new Promise((resolve, reject) => {
            const open = indexedDB.open("fupin-visits", 1);
            open.onsuccess = () => {
              const t = open.result.transaction("queue", "readwrite");
              const s = t.objectStore("queue");
              s.getAll().onsuccess = (e) => { for (const i of e.target.result) { i.state = "queued"; s.put(i); } };
              t.oncomplete = () => resolve(); t.onerror = () => reject(t.error);
            };
          })""")
        page.reload()
        expect(page.locator("#visit-app")).to_have_attribute("data-ready", "true")
        page.get_by_role("button", name="立即发送").click()
        expect(page.locator("#queue li[data-state=sent]")).to_have_count(2)
        assert Visit.objects.count() == 2
        assert sorted(str(v.client_id) for v in Visit.objects.all()) == sorted(str(v.client_id) for v in visits)

        # A visit the server refuses (dated after today) is shown 被拒绝 with the server's reason, not stored.
        page.fill("#v-on", (datetime.date.today() + datetime.timedelta(days=2)).isoformat())
        log_visit(page, paired[0].pk, "日期有误")
        refused = page.locator("#queue li[data-state=refused]")
        expect(refused).to_have_count(1)
        expect(refused.locator(".qstate")).to_have_text("被拒绝")
        expect(refused.locator(".qreason")).to_contain_text("晚于今天")
        assert Visit.objects.count() == 2
