"""Subsidy batches (issue 16, batch16): names compared with the registry (a warning stored with the line,
listed on the batch page, confirmed when paying, the confirmation audited), a draft batch cancelled from
its page, the household tab's link to a line landing on the line's page, the allocation form's search."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.projects import selectors
from fupin.projects import services_funds as funds
from fupin.projects.models import SubsidyBatch, SubsidyLine
from fupin.projects.rules import BatchStatus
from fupin.registry.choices import Relation
from tests import factories

from . import funds_world as w

pytestmark = pytest.mark.django_db
D = datetime.date


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def said(response) -> str:
    return "\n".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def ledger(tree, county_user):
    doc = w.document(tree["county"])
    p = w.project(tree["village_a1"])
    named = factories.household(tree["village_a1"], members=[
        factories.member_data(Relation.HEAD, "1", name="张大山"), factories.member_data(Relation.SPOUSE, "2", name="李秀英")])
    hs = [named, *w.households(tree["village_a1"], 2)]
    w.beneficiaries(p, hs)
    a = funds.allocation_create(actor=None, document=doc, project=p, area=tree["township_a"], amount="50000.00",
                                allocated_on=D(2024, 4, 1))
    return {"doc": doc, "project": p, "households": hs, "allocation": a}


def member_id(h, name: str) -> str:
    return h.members.get(name=name).id_number


def draw(ledger, rows, title="肉牛补助") -> SubsidyBatch:
    return funds.batch_create(actor=None, allocation=ledger["allocation"], title=title, drawn_on=D(2024, 6, 1),
                              rows=funds.read_list(w.sheet(rows)), source_name="清单.xlsx")


def warned_batch(ledger) -> SubsidyBatch:
    """Row 3 names 张大三 for 张大山's number; the other rows agree (spaces and full-width forms aside)."""
    named, h2, h3 = ledger["households"]
    return draw(ledger, [
        [1, "张大三", member_id(named, "张大山"), "", "800", ""],
        [2, f" {h2.head_name} ", w.head_id(h2), "", "800", ""],
        [3, h3.head_name.replace("成员", "成　员"), w.head_id(h3), "", "800", ""],
    ])


def test_a_differing_name_is_kept_with_a_warning_naming_row_and_both_names(ledger):
    batch = warned_batch(ledger)
    assert batch.lines_count == 3  # kept, not refused
    assert list(SubsidyLine.objects.filter(batch=batch).order_by("row").values_list("row", "name_warning")) == [
        (3, "第 3 行「姓名」张大三与登记的张大山不符"), (4, ""), (5, "")]
    # the spouse's number with the spouse's name: no warning (any active member's number matches)
    named = ledger["households"][0]
    other = draw(ledger, [[1, "李秀英", member_id(named, "李秀英"), "", "5", ""]], title="第二批")
    assert not other.lines.exclude(name_warning="").exists()
    assert "姓名与登记不符 1 行" in AuditEvent.objects.get(entity="projects.subsidybatch", entity_id=str(batch.pk)).summary


def test_paying_a_batch_with_name_warnings_needs_the_confirmation_audited(ledger):
    batch = warned_batch(ledger)
    with pytest.raises(ValidationError) as exc:
        funds.batch_pay(actor=None, batch=batch, paid_on=D(2024, 6, 5))
    message = exc.value.message_dict["names_checked"][0]
    assert "1 行姓名与登记不符（第 3 行）" in message and "已核对姓名不符的 1 行" in message
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    funds.batch_pay(actor=None, batch=batch, paid_on=D(2024, 6, 5), names_checked=True)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PAID
    event = AuditEvent.objects.filter(entity="projects.subsidybatch", entity_id=str(batch.pk), kind="status").get()
    assert event.data["names_confirmed"] == {"lines": 1, "rows": [3]} and "已核对姓名不符的 1 行" in event.summary


def test_the_batch_page_lists_the_warnings_and_pays_only_with_the_box(ledger, township_a_user):
    batch = warned_batch(ledger)
    c = client(township_a_user)
    page = c.get(reverse("funds:batch", args=[batch.pk])).content.decode()
    assert 'id="name-warnings"' in page and "第 3 行「姓名」张大三与登记的张大山不符" in page
    assert "已核对姓名不符的 1 行" in page and 'name="names_checked"' in page and "姓名不符</span>" in page
    listed = c.get(reverse("funds:batches")).content.decode()
    assert f'{reverse("funds:batch", args=[batch.pk])}#name-warnings' in listed and "姓名不符 1" in listed
    r = c.post(reverse("funds:batch_pay", args=[batch.pk]), {"paid_on": "2024-06-05"})
    assert r.status_code == 302 and "请逐行核对后勾选“已核对姓名不符的 1 行”再发放" in said(r)
    assert SubsidyBatch.objects.get(pk=batch.pk).status == BatchStatus.DRAFT
    r = c.post(reverse("funds:batch_pay", args=[batch.pk]), {"paid_on": "2024-06-05", "names_checked": "on"})
    assert SubsidyBatch.objects.get(pk=batch.pk).status == BatchStatus.PAID
    page = c.get(reverse("funds:batch", args=[batch.pk])).content.decode()
    assert "发放时已确认核对" in page and 'name="names_checked"' not in page


def test_a_batch_without_warnings_has_no_box(ledger, township_a_user):
    h2 = ledger["households"][1]
    batch = draw(ledger, [[1, h2.head_name, w.head_id(h2), "", "800", ""]])
    page = client(township_a_user).get(reverse("funds:batch", args=[batch.pk])).content.decode()
    assert 'id="name-warnings"' not in page and 'name="names_checked"' not in page and 'id="batch-pay"' in page


def test_a_draft_batch_is_cancelled_from_its_page_with_a_reason(ledger, township_a_user, village_user):
    h2 = ledger["households"][1]
    batch = draw(ledger, [[1, h2.head_name, w.head_id(h2), "", "800", ""]])
    c = client(township_a_user)
    page = c.get(reverse("funds:batch", args=[batch.pk])).content.decode()
    assert reverse("funds:batch_cancel", args=[batch.pk]) in page
    # no reason: refused, nothing changed
    r = c.post(reverse("funds:batch_cancel", args=[batch.pk]), {"reason": "  "})
    assert r.status_code == 302 and "请填写作废原因" in said(r)
    assert SubsidyBatch.objects.get(pk=batch.pk).status == BatchStatus.DRAFT
    # a village may see the batch, not cancel it: no button, the route refuses (403)
    v = client(village_user)
    assert reverse("funds:batch_cancel", args=[batch.pk]) not in v.get(reverse("funds:batch", args=[batch.pk])).content.decode()
    assert v.post(reverse("funds:batch_cancel", args=[batch.pk]), {"reason": "x"}).status_code == 403
    r = c.post(reverse("funds:batch_cancel", args=[batch.pk]), {"reason": "清单有误，重新造册"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED and batch.cancel_reason == "清单有误，重新造册"
    event = AuditEvent.objects.get(entity="projects.subsidybatch", entity_id=str(batch.pk), kind="status")
    assert event.data["reason"] == "清单有误，重新造册" and event.actor_id == township_a_user.pk
    page = c.get(reverse("funds:batch", args=[batch.pk])).content.decode()
    assert "作废原因：清单有误，重新造册" in page and reverse("funds:batch_cancel", args=[batch.pk]) not in page
    assert 'id="batch-pay"' not in page


def test_a_paid_batch_is_not_cancelled_and_the_reason_said(ledger, township_a_user):
    h2 = ledger["households"][1]
    batch = draw(ledger, [[1, h2.head_name, w.head_id(h2), "", "800", ""]])
    funds.batch_pay(actor=None, batch=batch, paid_on=D(2024, 6, 5))
    c = client(township_a_user)
    assert reverse("funds:batch_cancel", args=[batch.pk]) not in c.get(reverse("funds:batch", args=[batch.pk])).content.decode()
    r = c.post(reverse("funds:batch_cancel", args=[batch.pk]), {"reason": "重复发放"})
    assert "批次“肉牛补助”已发放，不能作废" in said(r)
    assert SubsidyBatch.objects.get(pk=batch.pk).status == BatchStatus.PAID


def test_the_household_tab_links_a_line_on_the_page_it_is_listed(ledger, township_a_user, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(selectors, "BATCH_LINES_PER_PAGE", 2)  # three lines: the third on page 2
    hs = ledger["households"]
    batch = draw(ledger, [[i, h.head_name, w.head_id(h), "", "100", ""] for i, h in enumerate(hs)])
    lines = list(selectors.with_batch_page(SubsidyLine.objects.filter(batch=batch)).order_by("row"))
    assert [ln.batch_page for ln in lines] == [1, 1, 2]
    with django_assert_num_queries(1):
        found = list(selectors.with_batch_page(SubsidyLine.objects.filter(household_id=hs[2].pk)))
    assert found[0].batch_page == 2
    c = client(township_a_user)
    tab = c.get(reverse("household_detail", args=[hs[2].pk])).content.decode()
    href = f'{reverse("funds:batch", args=[batch.pk])}?page=2#line-{lines[2].pk}'
    assert href in tab
    page = c.get(href.split("#")[0]).content.decode()
    assert f'id="line-{lines[2].pk}"' in page and f'id="line-{lines[0].pk}"' not in page


def test_the_allocation_form_searches_documents_and_projects(ledger, county_user, tree):
    w.document(tree["county"], number="罗财农〔2024〕88号")
    w.project(tree["village_a1"], code="P2024-077", name="甲一村蔬菜大棚", stage="library")
    c = client(county_user)
    page = c.get(reverse("funds:allocation_new")).content.decode()
    assert page.count("data-filter-select=") == 2 and 'form="allocation-find"' in page
    assert "P2024-077 甲一村蔬菜大棚" in page and "P2024-001 甲一村肉牛养殖" in page
    # without JavaScript: 查找 narrows the choices on the server, by code or name, and the count is said
    r = c.get(reverse("funds:allocation_new"), {"pq": "大棚", "dq": "88号"})
    form = r.context["form"]
    assert [p.code for p in form.fields["project"].queryset] == ["P2024-077"]
    assert [d.number for d in form.fields["document"].queryset] == ["罗财农〔2024〕88号"]
    assert "匹配 1 项" in r.content.decode() and r.context["form"].initial["project"] == form.fields["project"].queryset.get().pk
    assert [p.code for p in c.get(reverse("funds:allocation_new"), {"pq": "p2024-001"}).context["form"]
            .fields["project"].queryset] == ["P2024-001"]
    # the POST goes to the same address and saves from the narrowed choices
    url = reverse("funds:allocation_new") + "?pq=大棚"
    doc = form.fields["document"].queryset.get()
    project = form.fields["project"].queryset.get()
    r = c.post(url, {"document": doc.pk, "project": project.pk, "area": tree["county"].pk, "amount": "10.00",
                     "allocated_on": "2024-05-01"})
    assert r.status_code == 302 and project.allocations.count() == 1


def test_uploading_a_list_with_a_differing_name_says_so(ledger, township_a_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    named = ledger["households"][0]
    data = w.sheet([[1, "张大三", member_id(named, "张大山"), "", "800", ""]])
    r = client(township_a_user).post(reverse("funds:batch_new", args=[ledger["allocation"].pk]), {
        "title": "肉牛补助", "drawn_on": "2024-06-01", "file": SimpleUploadedFile("清单.xlsx", data)})
    assert r.status_code == 302 and "有 1 行姓名与登记不符（已按证件号码匹配）" in said(r)
    assert SubsidyLine.objects.get().name_warning == "第 3 行「姓名」张大三与登记的张大山不符"


def test_a_housing_batch_paying_every_household_one_amount_is_flagged(ledger, township_a_user):
    """Seed 002: 危房改造 subsidies must not be split evenly (“不得将补助金平均分配”) — a batch of such a project whose
    lines all pay one amount carries a warning on its page (a warning: one grade may rightly share a standard);
    amounts that differ, or another kind of project, carry none."""
    from fupin.projects.models import Project
    from fupin.projects.rules import Category

    _named, h2, h3 = ledger["households"]
    rows = [[1, h2.head_name, w.head_id(h2), "", "800", ""], [2, h3.head_name, w.head_id(h3), "", "800", ""]]
    c = client(township_a_user)
    other_kind = draw(ledger, rows, title="产业补助")
    assert 'id="even-split"' not in c.get(reverse("funds:batch", args=[other_kind.pk])).content.decode()
    Project.objects.filter(pk=ledger["project"].pk).update(category=Category.HOUSING)
    even = draw(ledger, rows, title="危房改造补助")
    graded = draw(ledger, [rows[0], [2, h3.head_name, w.head_id(h3), "", "1500", ""]], title="危房改造补助（分等级）")
    pages = {b.title: c.get(reverse("funds:batch", args=[b.pk])).content.decode() for b in (even, graded)}
    assert "农村危房改造补助不得平均分配（种子文件 002）：本批次 2 户金额均为 800.00 元" in pages["危房改造补助"]
    assert 'id="even-split"' not in pages["危房改造补助（分等级）"]
