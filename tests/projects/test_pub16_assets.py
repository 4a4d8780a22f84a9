"""扶贫项目资产 (issue 16 item 6): created from accepted projects, ownership confirmed, maintenance, income with
a distribution list that sums exactly to the fen (largest remainder), disposal approved by the county, the
ledger per village and its audited export."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.audit.models import AuditEvent, AuditKind
from fupin.projects import services_assets as svc
from fupin.projects.models import IncomeShare
from fupin.projects.rules import AssetKind, Stage

from . import pub16_world as w

D = datetime.date


def test_split_rule_examples():
    # 100.00 among 3: 33.33 each, one fen left → the first household (ties keep the list's order)
    assert list(svc.split(Decimal("100.00"), [("a", 1), ("b", 1), ("c", 1)]).values()) == [
        Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    # by people 1:2:4 of 10.00 = 1000 fen → 142 6/7, 285 5/7, 571 3/7 fen: floors 1.42, 2.85, 5.71 (998 fen); the
    # two fen left go to the largest dropped remainders, a (6/7) and b (5/7)
    assert svc.split(Decimal("10.00"), [("a", 1), ("b", 2), ("c", 4)]) == {
        "a": Decimal("1.43"), "b": Decimal("2.86"), "c": Decimal("5.71")}


@given(st.integers(min_value=1, max_value=10**9), st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=60))
@settings(max_examples=300, deadline=None)
def test_split_sums_exactly_and_each_share_within_a_fen(fen, weights):
    total = Decimal(fen) / 100
    shares = svc.split(total, list(enumerate(weights)))
    assert sum(shares.values()) == total
    whole = sum(weights)
    for i, share in shares.items():
        assert abs(share - total * weights[i] / whole) < Decimal("0.01")


pytestmark_db = pytest.mark.django_db


@pytest.fixture
def world(tree):
    data = w.build(tree)
    p = data["project"]
    p.stage, p.accepted_on = Stage.ACCEPTED, D(2025, 11, 20)
    p.save()
    return data


@pytestmark_db
def test_asset_lifecycle_and_exact_distribution(world, tree):
    p, county, village = world["project"], world["county_user"], world["village_user"]
    asset = svc.asset_create(actor=village, project=p, kind=AssetKind.PRODUCTIVE, name="光伏电站", value="300000",
                             owner="甲一村股份经济合作社", manager="甲一村村委会")
    assert asset.code == "ZC-XM-A1-01-01" and asset.area == tree["village_a1"] and asset.value == Decimal("300000.00")
    svc.ownership_confirm(actor=village, asset=asset, owner="甲一村股份经济合作社", on=D(2025, 12, 1))
    svc.maintenance_add(actor=village, asset=asset, on=D(2025, 12, 2), work="清洗光伏板", cost="200")
    households = sorted(world["households"], key=lambda h: h.number)
    income = svc.income_record(actor=village, asset=asset, year=2025, amount="1200.00", distributable="1000.00",
                               received_on=D(2025, 12, 20), households=households)
    shares = list(IncomeShare.objects.filter(income=income).order_by("household__number").values_list("amount", flat=True))
    assert shares == [Decimal("333.34"), Decimal("333.33"), Decimal("333.33")] and sum(shares) == Decimal("1000.00")
    with pytest.raises(ValidationError) as e:
        svc.income_record(actor=village, asset=asset, year=2025, amount="100", distributable="100",
                          received_on=D(2025, 12, 21), households=households, amounts=["50", "30", "19.99"])
    assert "相差 -0.01 元" in str(e.value.message_dict["amounts"])
    with pytest.raises(PermissionDenied):  # disposal is the county's
        svc.dispose(actor=village, asset=asset, on=D(2026, 1, 5), method="报废", reason="损毁", approval="罗扶〔2026〕1号")
    svc.dispose(actor=county, asset=asset, on=D(2026, 1, 5), method="报废", reason="损毁", approval="罗扶〔2026〕1号")
    asset.refresh_from_db()
    assert asset.disposed_on == D(2026, 1, 5)
    with pytest.raises(ValidationError):
        svc.maintenance_add(actor=village, asset=asset, on=D(2026, 1, 6), work="x")
    kinds = set(AuditEvent.objects.filter(entity__startswith="projects.asset").values_list("kind", flat=True))
    assert kinds == {AuditKind.CREATE, AuditKind.UPDATE, AuditKind.STATUS}


@pytestmark_db
def test_shares_carry_the_day_they_reached_the_households(world, tree):
    """发放到户日期: given with the income, each share has it (the household's 项目资金 tab shows it); not before
    the income was received, not in the future; left out, the shares have none."""
    p, village = world["project"], world["village_user"]
    asset = svc.asset_create(actor=village, project=p, kind=AssetKind.PRODUCTIVE, name="光伏电站", value="300000",
                             owner="甲一村股份经济合作社")
    households = sorted(world["households"], key=lambda h: h.number)
    income = svc.income_record(actor=village, asset=asset, year=2025, amount="900", distributable="300",
                               received_on=D(2025, 12, 20), households=households, paid_on=D(2025, 12, 28))
    assert {s.paid_on for s in income.shares.all()} == {D(2025, 12, 28)}
    for day in (D(2025, 12, 19), datetime.date.today() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as e:
            svc.income_record(actor=village, asset=asset, year=2025, amount="900", distributable="300",
                              received_on=D(2025, 12, 20), households=households, paid_on=day)
        assert "发放日期应在收益日期 2025-12-20 至今天之间" in str(e.value.message_dict["paid_on"])
    income = svc.income_record(actor=village, asset=asset, year=2026, amount="900", distributable="300",
                               received_on=D(2026, 1, 20), households=households)
    assert {s.paid_on for s in income.shares.all()} == {None}
    c = Client()
    c.force_login(village)
    r = c.post(f"/projects/assets/{asset.pk}/income/", {"year": "2026", "amount": "90", "distributable": "30",
                                                        "received_on": "2026-02-01", "paid_on": "2026-02-03",
                                                        "basis": "equal", "note": ""})
    assert r.status_code == 302
    assert "2026-02-03 发放到户" in c.get(f"/projects/assets/{asset.pk}/").content.decode()
    c.force_login(world["county_user"])
    tab = c.get(f"/households/{households[0].pk}/").content.decode()
    assert "2025-12-28" in tab and "2026-02-03" in tab


@pytestmark_db
def test_refusals_named(world, tree):
    p, village = world["project"], world["village_user"]
    other = world["other"]  # implementing, not accepted
    with pytest.raises(ValidationError) as e:
        svc.asset_create(actor=None, project=other, kind=AssetKind.PUBLIC, name="路", value="1", owner="村")
    assert "竣工验收后方可登记资产" in str(e.value.message_dict["project"])
    stranger = w.factories.household(tree["village_a2"])
    with pytest.raises(ValidationError) as e:
        svc.asset_create(actor=None, project=p, kind=AssetKind.HOUSEHOLD, name="牛", value="8000", owner="户",
                         household=stranger)
    assert "不是项目“" in str(e.value.message_dict["household"])
    h = world["households"][0]
    cow = svc.asset_create(actor=village, project=p, kind=AssetKind.HOUSEHOLD, name="能繁母牛", value="8000",
                           owner=h.head_name, household=h)
    assert cow.area == tree["village_a1"]
    with pytest.raises(ValidationError) as e:
        svc.income_record(actor=village, asset=cow, year=2025, amount="500", distributable="500",
                          received_on=D(2025, 12, 1), households=[world["households"][1]])
    assert "本户" in str(e.value.message_dict["households"])
    income = svc.income_record(actor=village, asset=cow, year=2025, amount="500", distributable="500",
                               received_on=D(2025, 12, 1))
    assert [(s.household_id, s.amount) for s in income.shares.all()] == [(h.pk, Decimal("500.00"))]
    with pytest.raises(ValidationError):  # a township officer of another township
        svc.asset_create(actor=world["township_b_user"], project=p, kind=AssetKind.PUBLIC, name="x", value="1", owner="y")


@pytestmark_db
def test_pages_ledger_export_and_scope(world, tree):
    p = world["project"]
    c = Client()
    c.force_login(world["village_user"])
    response = c.post(f"/projects/assets/new/?project={p.pk}", {
        "project": p.pk, "kind": "productive", "name": "扶贫车间", "value": "250000.00", "owner": "甲一村集体",
        "manager": "甲一村合作社", "household": "", "handed_over_on": "2025-12-01"})
    assert response.status_code == 302, response.content.decode()[:2000]
    asset_url = response["Location"]
    r = c.post(asset_url + "income/", {"year": "2025", "amount": "1000", "distributable": "100.00",
                                       "received_on": "2025-12-31", "basis": "people", "note": ""})
    assert r.status_code == 302
    page = c.get(asset_url).content.decode()
    assert "扶贫车间" in page and "3 户合计 100.00 元" in page
    # the list ends with its 合计, equal to the amount distributed
    assert '<td colspan="2">合计（与用于分配的金额相等）</td><td class="hide-sm"></td><td class="num">100.00</td>' in page
    ledger = c.get("/projects/assets/", {"area": tree["village_a1"].code})
    assert ledger.status_code == 200 and "扶贫车间" in ledger.content.decode()
    assert f'<a href="{asset_url}">扶贫车间</a>' in ledger.content.decode()  # the name leads on (the phone hides the code)
    export = c.get("/projects/assets/export.xlsx", {"area": tree["village_a1"].code})
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content)))
    rows = book.get_sheet_by_name("资产台账").to_python()
    assert rows[3][1] == "扶贫车间" and float(rows[3][10]) == 1000.0
    assert sum(float(r[5]) for r in book.get_sheet_by_name("收益分配").to_python()[1:]) == pytest.approx(100.0)
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, actor=world["village_user"]).exists()
    # dispose is the county's: the village gets 403; another township's officer gets 404
    assert c.post(asset_url + "dispose/", {"on": "2026-01-01", "method": "报废", "reason": "r", "approval": "a"}).status_code == 403
    other = Client()
    other.force_login(world["township_b_user"])
    assert other.get(asset_url).status_code == 404
    assert "扶贫车间" not in other.get("/projects/assets/").content.decode()


@pytestmark_db
def test_an_accepted_projects_page_offers_asset_registration_and_the_asset_leads_back(world, tree):
    """The project's page offers 登记资产 (资产移交 needs an asset) to whoever may register it, once accepted; the
    form's 取消 and the asset's page lead back to the project."""
    from fupin.accounts.models import Role
    from tests import factories

    p = world["project"]
    page = f"/projects/{p.pk}/"
    new = f"/projects/assets/new/?project={p.pk}"
    village = Client()
    village.force_login(world["village_user"])
    assert new in village.get(page).content.decode()
    leader = Client()
    leader.force_login(factories.user("leader16", Role.LEADER, tree["county"]))
    assert leader.get(page).status_code == 200 and new not in leader.get(page).content.decode()
    p.stage = Stage.IMPLEMENTING
    p.save(update_fields=["stage"])
    assert new not in village.get(page).content.decode()
    p.stage = Stage.ACCEPTED
    p.save(update_fields=["stage"])
    form = village.get(new).content.decode()
    assert f'<a class="btn" href="{page}">取消</a>' in form
    asset = svc.asset_create(actor=None, project=p, kind=AssetKind.PUBLIC, name="通组道路", value="300000",
                             owner="甲一村村委会")
    text = village.get(f"/projects/assets/{asset.pk}/").content.decode()
    assert f'<a href="{page}" id="asset-project">' in text
    assert '<button class="btn primary" type="submit">确权</button>' in text
    # once confirmed, the form is for a change of owner, and says so
    svc.ownership_confirm(actor=None, asset=asset, owner="甲一村股份经济合作社", on=datetime.date.today())
    text = village.get(f"/projects/assets/{asset.pk}/").content.decode()
    assert '<button class="btn" type="submit">变更确权</button>' in text and "确权给甲一村股份经济合作社" in text


@pytestmark_db
def test_a_household_that_received_a_share_stays_on_the_beneficiary_list(world):
    """Money that reached a household stays traceable to the list it was paid by: once it has a share of the
    income of the project's asset, 移出 is refused (as once a subsidy batch lists it); the others may go."""
    from fupin.projects import services_library
    from fupin.projects.models import Beneficiary

    p, village = world["project"], world["village_user"]
    first, *others = sorted(world["households"], key=lambda h: h.number)
    asset = svc.asset_create(actor=village, project=p, kind=AssetKind.PRODUCTIVE, name="光伏电站", value="300000",
                             owner="甲一村股份经济合作社")
    svc.income_record(actor=village, asset=asset, year=2025, amount="900", distributable="300",
                      received_on=D(2025, 12, 20), households=[first])
    with pytest.raises(ValidationError) as e:
        services_library.beneficiary_remove(actor=village, beneficiary=Beneficiary.objects.get(project=p, household=first))
    assert f"户 {first.number} 已分得该项目资产的收益" in str(e.value.message_dict["household"])
    services_library.beneficiary_remove(actor=village, beneficiary=Beneficiary.objects.get(project=p, household=others[0]))
    assert set(p.beneficiaries.values_list("household_id", flat=True)) == {first.pk, others[1].pk}
