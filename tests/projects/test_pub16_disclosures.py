"""公告公示 of funds and projects (issue 16 item 5): publish with the content frozen and masked, the minimum
period from ProjectRule, withdraw, the lifecycle's guards under frozen time, the A4 PDF."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.accounts import policy
from fupin.audit.models import AuditEvent, AuditKind
from fupin.projects import services_disclosures as svc
from fupin.projects.models import DisclosureKind, ProjectRule
from fupin.projects.rules import Stage

from . import pub16_world

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world(tree):
    return pub16_world.build(tree)


MAY_1, MAY_10 = D(2025, 5, 1), D(2025, 5, 10)


def _plan(world, tree, start=MAY_1, end=MAY_10, **kw):
    return svc.publish(actor=world["village_user"], kind=DisclosureKind.PLAN, area=tree["village_a1"],
                       place="甲一村村务公开栏", starts_on=start, ends_on=end, hotline="0874-8212345",
                       project=world["project"], **kw)


def test_plan_notice_frozen_and_audited(world, tree):
    d = _plan(world, tree)
    assert d.content["title"] == "2025年甲一村XM-A1-01产业路项目计划公示"
    assert d.content["issuer"] == "甲一村村民委员会"
    assert ["项目编号", "XM-A1-01"] in d.content["facts"]
    assert d.content["tables"][0]["rows"] == [["1", "新建道路", "公里", "3.5"]]
    assert AuditEvent.objects.filter(kind=AuditKind.CREATE, entity="projects.disclosure", entity_id=str(d.pk)).exists()
    # frozen: renaming the project later does not change what was shown
    world["project"].name = "改名"
    world["project"].save()
    d.refresh_from_db()
    assert "改名" not in str(d.content)


def test_a_notice_published_from_the_english_interface_is_written_in_chinese(world, tree):
    """The catalogue has English for the notice's sentences and labels, but what is frozen hangs on a village
    wall: it is written in Chinese whatever the publisher's interface language."""
    from django.utils import translation

    with translation.override("en"):
        d = _plan(world, tree)
    assert d.content["title"] == "2025年甲一村XM-A1-01产业路项目计划公示"
    assert d.content["issuer"] == "甲一村村民委员会"
    assert ["项目编号", "XM-A1-01"] in d.content["facts"]


def test_beneficiary_list_masks_id_numbers(world, tree):
    d = svc.publish(actor=world["village_user"], kind=DisclosureKind.BENEFICIARIES, area=tree["village_a1"],
                    place="村务公开栏", starts_on=D(2025, 5, 1), ends_on=D(2025, 5, 10), hotline="0874-1",
                    project=world["project"])
    table = d.content["tables"][0]
    assert len(table["rows"]) == 3
    heads = {h.members.get(relation="head").id_number for h in world["households"]}
    text = str(d.content)
    assert not any(n in text for n in heads)
    assert {r[2] for r in table["rows"]} == {policy.mask_id(n) for n in heads}


def test_period_shorter_than_rule_refused(world, tree):
    with pytest.raises(ValidationError) as e:
        _plan(world, tree, end=D(2025, 5, 9))  # 9 days
    assert "不足规定的 10 天" in str(e.value.message_dict["ends_on"])
    # a township may ask for more: the most specific area wins
    ProjectRule.objects.create(area=tree["township_a"], key="notice_days", value=15)
    with pytest.raises(ValidationError) as e:
        _plan(world, tree)
    assert "不足规定的 15 天" in str(e.value.message_dict["ends_on"])
    ProjectRule.objects.create(area=tree["village_a1"], key="notice_days", value=7)
    assert _plan(world, tree, end=D(2025, 5, 7)).pk


def test_refusals_named(world, tree):
    p = world["project"]
    with pytest.raises(ValidationError) as e:
        svc.publish(actor=world["village_user"], kind=DisclosureKind.COMPLETION, area=tree["village_a1"],
                    place="栏", starts_on=D(2025, 5, 1), ends_on=D(2025, 5, 20), hotline="1", project=p)
    assert "竣工验收后方可发布竣工公告" in str(e.value.message_dict["project"])
    with pytest.raises(ValidationError) as e:  # the board of another township
        svc.publish(actor=None, kind=DisclosureKind.PLAN, area=tree["village_b1"], place="栏",
                    starts_on=D(2025, 5, 1), ends_on=D(2025, 5, 20), hotline="1", project=p)
    assert "不在乙一村" in str(e.value.message_dict["area"])
    with pytest.raises(ValidationError):  # a village officer on a board outside the village
        _plan(world, tree) and svc.publish(actor=world["village_user"], kind=DisclosureKind.PLAN,
                                           area=tree["village_b1"], place="栏", starts_on=D(2025, 5, 1),
                                           ends_on=D(2025, 5, 20), hotline="1", project=p)
    from fupin.accounts.models import Role
    from tests import factories

    leader = factories.user("leader16", Role.LEADER, tree["county"])
    with pytest.raises(PermissionDenied):
        svc.publish(actor=leader, kind=DisclosureKind.PLAN, area=tree["county"], place="栏",
                    starts_on=D(2025, 5, 1), ends_on=D(2025, 5, 20), hotline="1", project=p)


def test_allocation_notice_of_a_document_per_board(world, tree):
    county = svc.publish(actor=world["county_user"], kind=DisclosureKind.ALLOCATION, area=tree["county"],
                         place="县政府网站", starts_on=D(2025, 4, 1), ends_on=D(2025, 4, 10), hotline="0874-1",
                         document=world["document"])
    assert len(county.content["tables"][0]["rows"]) == 2
    assert county.content["tables"][0]["total"] == "合计 2 笔，300,000.00 元"
    township = svc.publish(actor=world["county_user"], kind=DisclosureKind.ALLOCATION, area=tree["township_b"],
                           place="乙乡公开栏", starts_on=D(2025, 4, 1), ends_on=D(2025, 4, 10), hotline="1",
                           document=world["document"])
    assert [r[1] for r in township.content["tables"][0]["rows"]] == ["XM-B1-01"]


def test_plan_guard_with_frozen_time(world, tree):
    p = world["project"]
    assert not svc.plan_notice_over(p, D(2025, 5, 1))
    assert "尚未发布项目计划公示" in svc.notice_problem(p, DisclosureKind.PLAN, D(2025, 5, 1))
    with time_machine.travel(datetime.datetime(2025, 5, 1, 9, tzinfo=datetime.UTC), tick=False):
        d = _plan(world, tree)
        today = datetime.date.today()
        assert not svc.plan_notice_over(p, today)
    for day, over in ((D(2025, 5, 10), False), (D(2025, 5, 11), True)):
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(9), datetime.UTC), tick=False):
            assert svc.plan_notice_over(p, datetime.date.today()) is over
    assert "2025年5月11日起" in svc.notice_problem(p, DisclosureKind.PLAN, D(2025, 5, 10))
    # a rule raised after publishing makes the old notice too short; withdrawn, it no longer counts
    ProjectRule.objects.create(area=tree["county"], key="notice_days", value=12)
    assert "不足 12 天" in svc.notice_problem(p, DisclosureKind.PLAN, D(2025, 6, 1))
    ProjectRule.objects.filter(key="notice_days").delete()
    svc.withdraw(actor=world["village_user"], disclosure=d, reason="内容有误")
    assert not svc.plan_notice_over(p, D(2025, 6, 1))
    assert AuditEvent.objects.filter(kind=AuditKind.STATUS, entity_id=str(d.pk), data__reason="内容有误").exists()
    with pytest.raises(ValidationError):
        svc.withdraw(actor=world["village_user"], disclosure=d, reason="again")


def test_completion_guard(world, tree):
    p = world["project"]
    p.stage, p.accepted_on = Stage.ACCEPTED, D(2025, 11, 20)
    p.save()
    d = svc.publish(actor=world["county_user"], kind=DisclosureKind.COMPLETION, area=tree["county"],
                    place="县政府网站", starts_on=D(2025, 11, 21), ends_on=D(2025, 11, 30), hotline="0874-1",
                    project=p)
    assert ["已支付资金（元）", "0.00"] in d.content["facts"]
    assert not svc.completion_notice_over(p, D(2025, 11, 30))
    assert svc.completion_notice_over(p, D(2025, 12, 1))
    assert not svc.plan_notice_over(p, D(2025, 12, 1))


def test_pdf_a4_masked(world, tree, tmp_path):
    d = svc.publish(actor=world["village_user"], kind=DisclosureKind.BENEFICIARIES, area=tree["village_a1"],
                    place="村务公开栏", starts_on=D(2025, 5, 1), ends_on=D(2025, 5, 10), hotline="0874-8212345",
                    project=world["project"])
    pdf = svc.disclosure_pdf(d)
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext absent")
    path = tmp_path / "d.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace(" ", "")
    assert "受益户名单公示" in text and "0874-8212345" in text and "甲一村村民委员会" in text
    for h in world["households"]:
        assert h.members.get(relation="head").id_number not in text
        assert h.head_name in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in info  # A4
