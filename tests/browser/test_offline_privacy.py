"""The phone's offline visit copy at 退出 (issue 15, fin15), on a phone (390×844): a 帮扶责任人 opens the visit
form (the service worker keeps the page, IndexedDB keeps the household list), sends one visit and logs a
second while the server cannot be reached (it stays 待发送). 退出 warns that one visit is unsent; 先发送
sends it and signs out. After the sign-out the phone holds no household list, no kept page, no service
worker and no sent visit.

Then a visit left unsent with 仍然退出 survives the sign-out (alone: the household list is gone), stays
hidden from another account signing in on the same phone (which clears what the first account left), and
is sent when the first account signs in again. Drives Debian's chromium (pattern: test_offline_visits.py).
"""

from __future__ import annotations

import datetime

import pytest

from fupin.accounts.models import Role
from fupin.assistance import services as assistance
from fupin.assistance.models import Visit
from fupin.registry.choices import Relation
from tests import factories

from .test_offline_visits import PHONE, log_visit, shots
from .test_walkthrough import browser_page, sign_in, sync_api

pytestmark = pytest.mark.browser

#: What the phone keeps, read in the page: the kept pages, the service workers, the household lists and
#: the queue (state and account of each visit).
STORED = """async () => {
  const caches_ = (await caches.keys()).filter((k) => k.startsWith("fupin-visits-"));
  const workers = (await navigator.serviceWorker.getRegistrations()).length;
  const dbs = (await indexedDB.databases()).map((d) => d.name);
  if (!dbs.includes("fupin-visits")) return {caches: caches_, workers, meta: [], queue: []};
  const db = await new Promise((ok, no) => { const r = indexedDB.open("fupin-visits"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const all = (store) => new Promise((ok, no) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const meta = (await all("meta")).map((m) => m.key);
  const queue = (await all("queue")).map((i) => [i.state, i.user, i.purpose]);
  db.close();
  return {caches: caches_, workers, meta, queue};
}"""


@pytest.fixture
def cadres(transactional_db):
    tree = factories.area_tree()
    officer = factories.user("county_officer", Role.COUNTY, tree["county"], display_name="县扶贫办")
    li = factories.user("cadre_li", Role.CADRE, tree["village_a1"], display_name="李文军")
    wang = factories.user("cadre_wang", Role.CADRE, tree["village_a1"], display_name="王帮扶")
    households = [
        factories.household(tree["village_a1"], actor=officer, number=f"530324100201000{i}",
                            members=[factories.member_data(Relation.HEAD, "1", name=name)])
        for i, name in ((1, "赵隐私"), (2, "钱隐私"))]
    for h in households:
        assistance.pairing_create(actor=officer, cadre=li, household=h, start=datetime.date(2020, 1, 1))
    assistance.pairing_create(actor=officer, cadre=wang, household=households[1], start=datetime.date(2020, 1, 1))
    return {"li": li, "wang": wang, "households": households}


def sign_out(page) -> None:
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible():
        toggle.click()
    page.get_by_role("button", name="退出", exact=True).click()


def open_form(page, url: str) -> None:
    page.goto(f"{url}/assistance/visits/new/")
    sync_api.expect(page.locator("#visit-app")).to_have_attribute("data-ready", "true")


def test_the_offline_copy_is_cleared_at_sign_out_without_losing_unsent_visits(live_server, cadres):
    expect = sync_api.expect
    li, households = cadres["li"], cadres["households"]
    with browser_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2) as page:
        context = page.context
        url = live_server.url
        sign_in(page, url, "cadre_li")
        open_form(page, url)
        page.wait_for_function("() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
        expect(page.locator("#hh-count")).to_have_text("2")
        log_visit(page, households[0].pk, "已发送的走访")
        expect(page.locator("#queue li[data-state=sent]")).to_have_count(1)
        before = page.evaluate(STORED)
        assert before["caches"] and before["workers"] == 1 and before["meta"] == [f"households:{li.pk}"]

        # The server cannot be reached: the next visit stays 待发送.
        context.route("**/api/visits/", lambda route: route.abort())
        log_visit(page, households[1].pk, "未发送的走访")
        expect(page.locator("#queue li[data-state=queued]")).to_have_count(1)

        sign_out(page)
        dialog = page.locator("dialog#logout-warn")
        expect(dialog).to_be_visible()
        expect(dialog.locator("h2")).to_have_text("本机还有 1 条走访记录未发送")
        page.screenshot(path=str(shots() / "78-logout-unsent-phone.png"))
        assert page.url.endswith("/assistance/visits/new/")  # not signed out

        # 先发送 (the server reachable again): sent, then signed out.
        context.unroute("**/api/visits/")
        dialog.get_by_role("button", name="先发送").click()
        page.wait_for_url(f"{url}/login/**")
        assert sorted(Visit.objects.values_list("purpose", flat=True)) == ["已发送的走访", "未发送的走访"]
        after = page.evaluate(STORED)
        assert after == {"caches": [], "workers": 0, "meta": [], "queue": []}, after

        # 仍然退出: the unsent visit stays on the phone, nothing else does.
        sign_in(page, url, "cadre_li")
        open_form(page, url)
        expect(page.locator("#hh-count")).to_have_text("2")
        context.route("**/api/visits/", lambda route: route.abort())
        log_visit(page, households[0].pk, "留在手机上的走访")
        expect(page.locator("#queue li[data-state=queued]")).to_have_count(1)
        sign_out(page)
        dialog.get_by_role("button", name="仍然退出").click()
        page.wait_for_url(f"{url}/login/**")
        left = page.evaluate(STORED)
        assert left["caches"] == [] and left["workers"] == 0 and left["meta"] == []
        assert left["queue"] == [["queued", li.pk, "留在手机上的走访"]]
        context.unroute("**/api/visits/")

        # Another account on the same phone: the first account's visit is not shown (nor sent) to it.
        sign_in(page, url, "cadre_wang")
        open_form(page, url)
        expect(page.locator("#hh-count")).to_have_text("1")
        expect(page.locator("#queue li")).to_have_count(0)
        seen = page.evaluate(STORED)
        assert seen["meta"] == [f"households:{cadres['wang'].pk}"]
        assert seen["queue"] == [["queued", li.pk, "留在手机上的走访"]]
        sign_out(page)  # nothing of its own unsent: no warning
        page.wait_for_url(f"{url}/login/**")
        assert Visit.objects.count() == 2

        # The first account again: its visit is sent.
        sign_in(page, url, "cadre_li")
        open_form(page, url)
        expect(page.locator("#queue li[data-state=sent]")).to_have_count(1)
        assert Visit.objects.filter(purpose="留在手机上的走访", recorded_by=li).count() == 1
