"""The case pages (识别与退出): the list with its step bar and filters, a case's page with the steps the user
may take now, each step posted through the page to the services — Chinese errors on the form, a stale page
told so, a notice that still runs shown instead of a dead button — and opening cases from a household."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent
from fupin.identification import services
from fupin.identification.models import Case, CaseKind, NoticeKind, Step
from fupin.registry.choices import Status
from tests import factories
from tests.scope.conftest import login
from tests.web.html import field_errors, nonfield_errors

from .case_pages import EXIT_YEAR, exit_ready
from .helpers import CHECKLIST, VOTES, applicant, clock, open_case, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(tree):
    return factories.user("leader", Role.LEADER, tree["county"])


def step_post(case, target: str, version: int | None = None, **fields) -> dict:
    data = {"target": target, f"s-{target}-version": case.version if version is None else version,
            f"s-{target}-date": fields.pop("date", datetime.date.today().isoformat())}
    data.update({f"s-{target}-{k}": v for k, v in fields.items()})
    return data


# --- the list --------------------------------------------------------------------------------------------


def test_the_list_shows_the_cases_in_scope_with_counts_per_step(tree, village_user, township_b_user):
    mine = [open_case(village_user, applicant(tree["village_a1"])) for _ in range(3)]
    services.case_step(actor=village_user, case=mine[0], to=Step.GROUP, opinion="小组议通过")
    other = open_case(None, applicant(tree["village_b1"]))
    response = login(village_user).get(reverse("case_list"))
    text = response.content.decode()
    assert response.status_code == 200
    for case in mine:
        assert case.household.head_name in text
    assert other.household.head_name not in text
    bar = response.context["bar"][0]
    counts = {s["label"]: s["n"] for s in bar["steps"]}
    assert counts["户申报"] == 2 and counts["小组议"] == 1 and counts["村评定"] == 0
    assert "户申报 <b>2</b>" in text
    # The outsider (another township) sees only its own.
    text_b = login(township_b_user).get(reverse("case_list")).content.decode()
    assert other.household.head_name in text_b and mine[0].household.head_name not in text_b


def test_the_list_filters_by_step_kind_year_and_area(tree, village_user, county_user):
    a1 = open_case(village_user, applicant(tree["village_a1"]))
    a2 = open_case(None, applicant(tree["village_a2"]))
    services.case_step(actor=village_user, case=a1, to=Step.GROUP, opinion="小组议通过")
    client = login(county_user)

    def listed(**params) -> set[int]:
        response = client.get(reverse("case_list"), params)
        assert response.status_code == 200
        return {c.pk for c in response.context["page"].object_list}

    assert listed() == {a1.pk, a2.pk}
    assert listed(step=Step.GROUP) == {a1.pk}
    assert listed(area=tree["village_a2"].code) == {a2.pk}
    assert listed(kind=CaseKind.EXIT) == set()
    assert listed(year=a1.year) == {a1.pk, a2.pk}


def test_the_list_sorts_heads_in_pinyin_order(tree, county_user):
    names = ["赵六", "安然", "陈二"]  # pinyin: an, chen, zhao
    for name in names:
        household = factories.household(tree["village_a1"], status=Status.APPLYING, identified_year=2026,
                                        members=[factories.member_data(name=name)])
        open_case(None, household)
    page = login(county_user).get(reverse("case_list")).context["page"]
    assert [c.household.head_name for c in page.object_list] == ["安然", "陈二", "赵六"]


# --- a case's page -----------------------------------------------------------------------------------


def test_the_page_shows_the_household_masked_and_the_path(tree, village_user, leader):
    case = open_case(village_user, applicant(tree["village_a1"]))
    head = case.household.members.get(relation="head")
    for user in (village_user, leader):
        text = login(user).get(reverse("case_detail", args=[case.pk])).content.decode()
        assert policy.shown(user, "id_number", head.id_number) in text
        if policy.field_access(user, "id_number") != policy.Access.WHOLE:
            assert head.id_number not in text
        assert 'aria-current="step">户申报</li>' in text
        assert reverse("household_detail", args=[case.household.pk]) in text


def test_the_village_cadre_is_offered_the_next_step_and_takes_it(tree, village_user):
    case = open_case(village_user, applicant(tree["village_a1"]))
    client = login(village_user)
    response = client.get(reverse("case_detail", args=[case.pk]))
    actions = response.context["actions"]
    assert [f.target for f in actions["forward"]] == [Step.GROUP]
    assert [f.target for f in actions["ending"]] == [Step.REJECTED, Step.WITHDRAWN]
    response = client.post(reverse("case_step", args=[case.pk]), step_post(case, Step.GROUP, opinion="小组议通过"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.step == Step.GROUP
    assert case.events.last().opinion == "小组议通过"


def test_a_missing_opinion_and_a_failed_vote_are_shown_in_chinese_on_the_form(tree, village_user):
    case = open_case(village_user, applicant(tree["village_a1"]))
    case = services.case_step(actor=village_user, case=case, to=Step.GROUP, opinion="小组议")
    client = login(village_user)
    response = client.post(reverse("case_step", args=[case.pk]), step_post(case, Step.VILLAGE, opinion=""))
    errors = field_errors(response.content)
    assert errors["s-village-opinion"] == ["请填写意见"]
    assert errors["s-village-representatives"] == ["请填写应到代表（人）"]
    response = client.post(reverse("case_step", args=[case.pk]), step_post(
        case, Step.VILLAGE, opinion="评定", representatives=30, present=19, votes_for=19))
    assert any("不足应到代表 30 人的三分之二" in e for e in field_errors(response.content)["s-village-present"])
    case.refresh_from_db()
    assert case.step == Step.GROUP


def test_a_stale_page_gets_the_conflict_message(tree, village_user):
    case = open_case(village_user, applicant(tree["village_a1"]))
    stale_version = case.version
    services.case_step(actor=village_user, case=case, to=Step.GROUP, opinion="另一人已办理")
    response = login(village_user).post(reverse("case_step", args=[case.pk]),
                                        step_post(case, Step.REJECTED, version=stale_version, opinion="不符合"))
    assert response.status_code == 200
    assert "该记录刚被他人修改过，请刷新后重试" in nonfield_errors(response.content)
    case.refresh_from_db()
    assert case.step == Step.GROUP


def test_a_running_notice_is_shown_instead_of_the_next_step(tree, village_user, township_a_user):
    household = applicant(tree["village_a1"])
    with clock() as t:
        case = open_case(village_user, household)
        case = services.case_step(actor=village_user, case=case, to=Step.GROUP, opinion="小组议")
        case = services.case_step(actor=village_user, case=case, to=Step.VILLAGE, opinion="评定", votes=VOTES)
        client = login(township_a_user)
        actions = client.get(reverse("case_detail", args=[case.pk])).context["actions"]
        assert actions["forward"] == [] and "尚未发布" in actions["blocked"][0]["message"]
        notice = publish(village_user, NoticeKind.FIRST, tree["village_a1"], [case], datetime.date(2026, 3, 2))
        text = client.get(reverse("case_detail", args=[case.pk])).content.decode()
        assert "公示期至 2026年3月8日" in text and f'href="/notices/{notice.pk}/"' in text
        t.shift(datetime.timedelta(days=7))
        client = login(township_a_user)  # a new day: the session of last week has expired
        response = client.get(reverse("case_detail", args=[case.pk]))
        forward = response.context["actions"]["forward"]
        assert [f.target for f in forward] == [Step.VISITED]
        assert "已与公安、车管、工商、不动产等部门信息比对" in response.content.decode()
        # The checklist: every item answered 是/否, or the form says which are missing.
        response = client.post(reverse("case_step", args=[case.pk]), step_post(case, Step.VISITED, opinion="入户核实",
                                                                                date="2026-03-09"))
        assert field_errors(response.content)["s-visited-ok_housing"] == ["请选择“是”或“否”"]
        answers = {f"ok_{k}": "yes" for k in CHECKLIST} | {"note_housing": "砖木结构 60 平方米"}
        response = client.post(reverse("case_step", args=[case.pk]), step_post(
            case, Step.VISITED, opinion="入户核实", date="2026-03-09", **answers))
        assert response.status_code == 302
    event = case.events.get(to_step=Step.VISITED)
    assert event.checklist["housing"] == {"ok": True, "note": "砖木结构 60 平方米"}
    text = login(township_a_user).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "砖木结构 60 平方米" in text and "实到/应到 24/30 人；同意 20、反对 2、弃权 2" in text


def test_a_send_back_needs_a_reason_and_is_marked_in_the_timeline(tree, village_user):
    case = open_case(village_user, applicant(tree["village_a1"]))
    case = services.case_step(actor=village_user, case=case, to=Step.GROUP, opinion="小组议")
    client = login(village_user)
    page = client.get(reverse("case_detail", args=[case.pk]))
    assert [f.target for f in page.context["actions"]["back"]] == [Step.APPLIED]
    assert 'data-confirm="确定要“退回到“户申报””吗？"' in page.content.decode()
    response = client.post(reverse("case_step", args=[case.pk]), step_post(case, Step.APPLIED, opinion=""))
    assert field_errors(response.content)["s-applied-opinion"] == ["请填写退回理由"]
    client.post(reverse("case_step", args=[case.pk]), step_post(case, Step.APPLIED, opinion="材料不全"))
    text = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "退回理由：材料不全" in text and "event-sent-back" in text


def test_a_read_only_role_sees_no_forms_and_its_post_is_refused(tree, village_user, leader):
    case = open_case(village_user, applicant(tree["village_a1"]))
    client = login(leader)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.context["actions"]["any_action"] is False and response.context["upload"] is None
    assert 'action="/cases/' not in response.content.decode()
    response = client.post(reverse("case_step", args=[case.pk]), step_post(case, Step.GROUP, opinion="越权"))
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.step == Step.APPLIED


def test_a_role_not_on_the_step_is_refused(tree, village_user, county_user):
    case = open_case(village_user, applicant(tree["village_a1"]))
    client = login(county_user)
    assert client.get(reverse("case_detail", args=[case.pk])).context["actions"]["forward"] == []
    response = client.post(reverse("case_step", args=[case.pk]), step_post(case, Step.GROUP, opinion="越级"))
    assert response.status_code == 403


def test_the_outsider_gets_404(tree, village_user, township_b_user):
    case = open_case(village_user, applicant(tree["village_a1"]))
    client = login(township_b_user)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("case_step", args=[case.pk]), step_post(case, Step.GROUP, opinion="x")).status_code == 404


# --- the exit decision ---------------------------------------------------------------------------------


def test_an_exit_case_shows_its_decision_with_the_rule_version(tree, village_user):
    household = exit_ready(tree["village_a1"])
    case = services.case_open(actor=village_user, kind=CaseKind.EXIT, household=household, year=EXIT_YEAR,
                              reason="务工收入稳定", votes=VOTES)
    text = login(village_user).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f"第 {case.decision.ruleset_version} 版" in text and case.decision.ruleset.name in text
    assert "人均纯收入 6,000 元（应 &gt; 当年标准 4,000 元）：符合" in text


# --- opening cases ---------------------------------------------------------------------------------------


def test_the_household_page_offers_identification_for_an_applicant(tree, village_user):
    household = applicant(tree["village_a1"])
    client = login(village_user)
    text = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert 'id="open-identification"' in text and 'id="open-exit"' not in text
    url = reverse("case_open", args=[household.pk, CaseKind.IDENTIFICATION])
    response = client.post(url, {"open-identification-reason": "", "open-identification-origin": "cadre_report",
                                 "open-identification-year": "2026", "open-identification-date": "2026-01-05"})
    assert field_errors(response.content)["open-identification-reason"] == ["请填写申请理由"]
    response = client.post(url, {"open-identification-reason": "因病致贫", "open-identification-origin": "cadre_report",
                                 "open-identification-year": "2026",
                                 "open-identification-date": datetime.date.today().isoformat()})
    case = Case.objects.get(household=household)
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[case.pk])
    assert (case.step, case.origin) == (Step.APPLIED, "cadre_report")
    text = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert 'id="open-identification"' not in text and reverse("case_detail", args=[case.pk]) in text


def test_an_exit_refused_by_the_criteria_names_them_on_the_form(tree, village_user):
    household = exit_ready(tree["village_a1"], income="7000", water_safe=False)  # 3,500 a head < 4,000
    client = login(village_user)
    assert 'id="open-exit"' in client.get(reverse("household_detail", args=[household.pk])).content.decode()
    data = {"open-exit-reason": "拟退出", "open-exit-year": str(EXIT_YEAR),
            "open-exit-date": datetime.date.today().isoformat(),
            **{f"open-exit-{k}": v for k, v in VOTES.items()}}
    response = client.post(reverse("case_open", args=[household.pk, CaseKind.EXIT]), data)
    errors = " ".join(nonfield_errors(response.content))
    assert "未达到退出标准" in errors and "人均纯收入 3,500 元（应 > 当年标准 4,000 元）：不符合" in errors
    assert "饮水是否安全：否（应为“是”）：不符合" in errors
    assert not Case.objects.filter(household=household).exists()


def test_the_new_application_page_opens_a_case_for_an_applicant(tree, village_user, leader):
    household = applicant(tree["village_a1"])
    applicant(tree["village_b1"])  # outside: not offered
    client = login(village_user)
    response = client.get(reverse("case_new"))
    assert response.context["count"] == 1 and reverse("household_create") in response.content.decode()
    response = client.post(reverse("case_new"), {"apply-household": household.pk, "apply-origin": "application",
                                                 "apply-reason": "因残致贫", "apply-year": "2026",
                                                 "apply-date": datetime.date.today().isoformat()})
    assert response.status_code == 302
    assert Case.objects.get(household=household).reason == "因残致贫"
    assert login(leader).get(reverse("case_new")).status_code == 403


# --- attachments ---------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(client, case, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("case_attachment_add", args=[case.pk]), {"file": SimpleUploadedFile(name, content)})


def test_upload_checks_the_bytes_and_the_size(tree, village_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_MB = 1
    case = open_case(village_user, applicant(tree["village_a1"]))
    client = login(village_user)
    response = _upload(client, case, "照片.jpg", b"MZ\x90\x00" + b"\x00" * 200)  # a program renamed .jpg
    assert field_errors(response.content)["file"] == ["“照片.jpg”不是 JPG、PNG 图片或 PDF 扫描件，不能上传"]
    response = _upload(client, case, "大.png", PNG + b"\x00" * (1024 * 1024))
    assert "超过 1 MB 的上限" in field_errors(response.content)["file"][0]
    assert not case.attachments.exists()
    assert _upload(client, case, "入户照片.png", PNG).status_code == 302
    assert case.attachments.get().name == "入户照片.png"


def test_download_rechecks_access_and_is_audited(tree, village_user, township_b_user, leader, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(village_user, applicant(tree["village_a1"]))
    _upload(login(village_user), case, "签字表.png", PNG)
    attachment = case.attachments.get()
    url = reverse("case_attachment", args=[case.pk, attachment.pk])
    response = login(leader).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.filter(kind="export").latest("id")
    assert event.actor_id == leader.pk and "签字表.png" in event.summary
    assert login(township_b_user).get(url).status_code == 404
    other = open_case(village_user, applicant(tree["village_a1"]))
    assert login(leader).get(reverse("case_attachment", args=[other.pk, attachment.pk])).status_code == 404
    assert str(tmp_path) not in login(village_user).get(reverse("case_detail", args=[case.pk])).content.decode()


# --- the page only passes the form on: the services decide ---------------------------------------------


def test_the_step_view_hands_the_form_to_the_service(tree, village_user, monkeypatch):
    case = open_case(village_user, applicant(tree["village_a1"]))
    case = services.case_step(actor=village_user, case=case, to=Step.GROUP, opinion="小组议")
    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return kwargs["case"]

    monkeypatch.setattr(services, "case_step", spy)
    response = login(village_user).post(reverse("case_step", args=[case.pk]), step_post(
        case, Step.VILLAGE, opinion="评定", date="2026-01-05", representatives=30, present=3, votes_for=1))
    assert response.status_code == 302
    (call,) = calls
    assert call["actor"] == village_user and call["case"].pk == case.pk and call["to"] == Step.VILLAGE
    # A vote the rules would refuse (3 of 30 present) reaches the service as typed: the rule is there.
    assert call["votes"] == {"representatives": 30, "present": 3, "votes_for": 1, "votes_against": 0,
                             "votes_abstain": 0}
    assert (call["opinion"], call["date"], call["checklist"], call["expected_version"]) == (
        "评定", datetime.date(2026, 1, 5), None, case.version)
