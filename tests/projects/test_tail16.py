"""Loose ends of issue 16 closed by tail16: an asset income's shares dated later (登记发放日期), the household
tab's link to a share's asset, the asset form's 到户对象 only for 到户类, the beneficiary table's 移出 cell on the
phone. (The overview's 资金年度: tests/projects/test_overview.py.)"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.assistance import services as assistance
from fupin.audit.models import AuditEvent, AuditKind
from fupin.projects import services_assets as svc
from fupin.projects.models import Asset, IncomeShare
from fupin.projects.rules import AssetKind, Stage
from tests import factories

from . import pub16_world as w

pytestmark = pytest.mark.django_db
D = datetime.date


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(tree):
    data = w.build(tree)
    p = data["project"]
    p.stage, p.accepted_on = Stage.ACCEPTED, D(2025, 11, 20)
    p.save()
    data["households"] = sorted(data["households"], key=lambda h: h.number)
    data["asset"] = svc.asset_create(actor=None, project=p, kind=AssetKind.PRODUCTIVE, name="光伏电站", value="300000",
                                     owner="甲一村股份经济合作社")
    # an income recorded without its 发放到户日期
    data["income"] = svc.income_record(actor=None, asset=data["asset"], year=2025, amount="900", distributable="300",
                                       received_on=D(2025, 12, 20), households=data["households"])
    return data


def paid_url(world) -> str:
    return reverse("assets:income_paid", args=[world["asset"].pk, world["income"].pk])


def test_an_undated_income_is_dated_later_from_the_asset_page(world):
    """登记发放日期: the asset page offers it for an income whose shares have no date (min the received day, max
    today); posting dates every undated share in one audited update, and the form goes away."""
    c = client(world["village_user"])
    asset_url = reverse("assets:detail", args=[world["asset"].pk])
    page = c.get(asset_url).content.decode()
    assert f'action="{paid_url(world)}"' in page and "3 户未登记发放日期" in page
    assert 'min="2025-12-20"' in page and f'max="{timezone.localdate().isoformat()}"' in page
    r = c.post(paid_url(world), {"paid_on": "2025-12-28"})
    assert r.status_code == 302 and r["Location"] == f"{asset_url}#income-{world['income'].pk}"
    assert set(IncomeShare.objects.filter(income=world["income"]).values_list("paid_on", flat=True)) == {D(2025, 12, 28)}
    event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="projects.assetincome")
    assert event.actor == world["village_user"] and "3 户于 2025-12-28 发放到户" in event.summary
    assert event.data["changes"] == {"paid_on": {"before": None, "after": "2025-12-28"}}
    page = c.get(asset_url).content.decode()
    assert paid_url(world) not in page and "2025-12-28 发放到户" in page and "未登记发放日期" not in page


def test_a_date_before_the_income_or_in_the_future_is_refused_and_nothing_changes(world):
    c = client(world["village_user"])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for day in ("2025-12-19", tomorrow.isoformat()):
        r = c.post(paid_url(world), {"paid_on": day})
        assert r.status_code == 400
        assert "发放日期应在收益日期 2025-12-20 至今天之间" in r.content.decode()
        assert f'value="{day}"' in r.content.decode()  # the date typed is kept at its income's form
    assert not IncomeShare.objects.filter(income=world["income"], paid_on__isnull=False).exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.UPDATE, entity="projects.assetincome").exists()


def test_only_shares_still_undated_are_dated_and_a_dated_income_is_refused(world):
    first = IncomeShare.objects.filter(income=world["income"]).order_by("household__number").first()
    IncomeShare.objects.filter(pk=first.pk).update(paid_on=D(2025, 12, 21))
    assert svc.income_paid_on(actor=world["village_user"], income=world["income"], paid_on=D(2025, 12, 30)) == 2
    days = dict(IncomeShare.objects.filter(income=world["income"]).values_list("pk", "paid_on"))
    assert days.pop(first.pk) == D(2025, 12, 21) and set(days.values()) == {D(2025, 12, 30)}
    with pytest.raises(ValidationError) as e:
        svc.income_paid_on(actor=world["village_user"], income=world["income"], paid_on=D(2025, 12, 31))
    assert "已全部登记发放日期" in str(e.value.message_dict["paid_on"])


def test_only_the_assets_capability_in_the_assets_area_may_date(world, tree):
    leader = factories.user("leader_t16", Role.LEADER, tree["county"])
    assert paid_url(world) not in client(leader).get(reverse("assets:detail", args=[world["asset"].pk])).content.decode()
    assert client(leader).post(paid_url(world), {"paid_on": "2025-12-28"}).status_code == 403
    assert client(world["township_b_user"]).post(paid_url(world), {"paid_on": "2025-12-28"}).status_code == 404
    with pytest.raises(PermissionDenied):
        svc.income_paid_on(actor=leader, income=world["income"], paid_on=D(2025, 12, 28))
    with pytest.raises(ValidationError) as e:  # another township's officer: outside its subtree
        svc.income_paid_on(actor=world["township_b_user"], income=world["income"], paid_on=D(2025, 12, 28))
    assert "无权在该区划" in str(e.value.message_dict["area"])
    assert not IncomeShare.objects.filter(income=world["income"], paid_on__isnull=False).exists()


def test_the_household_tab_links_a_shares_asset_for_those_who_may_open_it(world, tree):
    """The 项目资金 tab names the asset of each income share; linked to the asset's income for a user who may
    open the asset, plain text for a 帮扶责任人 (who sees the household, not the ledger: the page is a 404)."""
    h = world["households"][0]
    asset_link = reverse("assets:detail", args=[world["asset"].pk]) + f"#income-{world['income'].pk}"
    tab = client(world["county_user"]).get(reverse("household_detail", args=[h.pk])).content.decode()
    tab = tab[tab.index('id="household-shares"'):]
    assert f'<a href="{asset_link}">光伏电站</a>' in tab
    cadre = factories.user("cadre_t16", Role.CADRE, tree["village_a1"])
    assistance.pairing_create(actor=None, cadre=cadre, household=h, start=D(2020, 1, 1))
    c = client(cadre)
    tab = c.get(reverse("household_detail", args=[h.pk])).content.decode()
    tab = tab[tab.index('id="household-shares"'):]
    assert '<td class="wrap">光伏电站</td>' in tab and asset_link not in tab
    assert c.get(reverse("assets:detail", args=[world["asset"].pk])).status_code == 404


def test_the_asset_form_asks_for_a_household_only_for_a_household_asset(world):
    """到户对象 sits in a block app.js shows only while 到户类 is chosen (visible without script); the server
    refuses a household given with another class, and a 到户类 asset without one, naming the field."""
    p, h = world["project"], world["households"][0]
    c = client(world["village_user"])
    url = reverse("assets:new") + f"?project={p.pk}"
    form = c.get(url).content.decode()
    block = form[form.index('data-role-only="household"'):]
    assert 'data-role-select="id_kind"' in block[:80] and 'name="household"' in block[:1500]
    data = {"project": p.pk, "name": "扶贫车间", "value": "1000.00", "owner": "甲一村集体", "manager": "",
            "handed_over_on": ""}
    r = c.post(url, {**data, "kind": "productive", "household": h.pk})
    assert r.status_code == 400 and "“经营性资产”不填到户对象" in r.content.decode()
    r = c.post(url, {**data, "kind": "household", "household": ""})
    assert r.status_code == 400 and "到户类资产须选择到户对象" in r.content.decode()
    assert Asset.objects.filter(name="扶贫车间").count() == 0
    assert c.post(url, {**data, "kind": "household", "household": h.pk}).status_code == 302
    assert c.post(url, {**data, "kind": "public", "household": ""}).status_code == 302
    cow, road = Asset.objects.filter(name="扶贫车间").order_by("pk")
    assert (cow.kind, cow.household_id, road.kind, road.household_id) == ("household", h.pk, "public", None)


def test_the_beneficiary_tables_remove_button_sits_in_a_narrow_cell(world):
    """On the phone the 移出 buttons kept to the card's right edge (the table wider than its box): the cell is
    narrow (``td.act``, its padding on the right), the 受益人数 header shortened to 人数 there."""
    page = client(world["village_user"]).get(reverse("projects:detail", args=[world["project"].pk])).content.decode()
    table = page[page.index('id="beneficiaries"'):]
    assert table.count('<td class="act"><form method="post"') == 3
    assert '<span class="hide-sm">受益人数</span><span class="show-sm">人数</span>' in table
    assert "#beneficiaries td.act, #beneficiaries th.act { min-width: 0;" in page
