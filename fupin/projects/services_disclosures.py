"""公告公示 of funds and projects (issue 16 item 5, REFERENCE §9): publish, withdraw, and the guards the
project lifecycle asks before 入库 and 公告公示完成.

Four kinds (models.DisclosureKind): 资金分配公告 (a fund document's allocations, or a project's), 项目计划公示
(before a project enters the library), 项目竣工公告 (after acceptance, before 公告公示完成), 受益户名单公示 (a
project's beneficiary households, or a subsidy batch's list). ``publish`` freezes what the notice shows in
``Disclosure.content`` — strings, personal numbers already masked (``policy.mask_id``, ``policy.mask_bank``:
for everybody, a notice hangs on a wall) — so the record says exactly what was shown, where (``place``,
``area``) and when (``starts_on`` … ``ends_on``), whatever changes afterwards. The public board, the staff
pages and the A4 PDF (``disclosure_pdf``, the Typst stack of fupin.documents) all print that dict.

A notice hangs at least ``notice_days`` days (rules.RULE_DEFAULTS, 10; a ProjectRule row for the board's area
or above it overrides), the first and the last day included. ``plan_notice_over(project, on)`` and
``completion_notice_over(project, on)`` are True once a notice of that kind, not withdrawn, long enough, has
ended before ``on`` (the day after its last day at the earliest): life16's workflow refuses NOTICE→LIBRARY
and ACCEPTED→ANNOUNCED otherwise, with ``notice_problem``'s sentence as the reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_status
from fupin.lib.money import ZERO, shown

from .models import Allocation, Beneficiary, Disclosure, DisclosureKind, FundDocument, Project, SubsidyBatch
from .rules import Stage
from .selectors import project_q
from .thresholds_pub16 import threshold

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area

#: The language a notice's frozen content is written in, whatever the publisher's interface language: the
#: notice hangs on a village wall or a government website (the 明白卡's CARD_LANGUAGE likewise).
NOTICE_LANGUAGE = "zh-hans"

#: Stages a project may be in for a 项目计划公示 (after county approval) and a 项目竣工公告 (after acceptance).
PLAN_STAGES = frozenset({Stage.APPROVED, Stage.NOTICE, Stage.LIBRARY, Stage.PLANNED, Stage.IMPLEMENTING})
COMPLETION_STAGES = frozenset({Stage.ACCEPTED, Stage.ANNOUNCED, Stage.HANDED_OVER, Stage.OPERATING})


def _named(name: str, what: str) -> str:
    """"甲村产业路" + "项目竣工公告" → "甲村产业路项目竣工公告"; a name ending in 项目 does not say it twice."""
    return name + (what[2:] if name.endswith("项目") and what.startswith("项目") else what)


def _date(value: datetime.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def _money(value: Decimal | None) -> str:
    return shown(value or ZERO)


def days_of(starts_on: datetime.date, ends_on: datetime.date) -> int:
    """Days a notice hangs, both ends included."""
    return (ends_on - starts_on).days + 1


def _chain(area: Area) -> dict[str, str]:
    """{"county": "罗平县", "township": "甲乡", "village": "甲一村"} of ``area`` (from the county down)."""
    names = {a.level: a.name for a in area.ancestors(include_self=True)}
    return {level: names.get(level, "") for level in ("county", "township", "village")}


def place_name(area: Area, chain: dict[str, str] | None = None) -> str:
    chain = chain or _chain(area)
    return chain["county"] + chain["township"] + chain["village"] or area.name


def issuer_of(area: Area, chain: dict[str, str] | None = None) -> str:
    """The body issuing a notice on ``area``'s board: the village committee, the township government, or
    the county's leading group (扶贫开发领导小组) for the county and above."""
    chain = chain or _chain(area)
    if chain["village"]:
        return _("%(v)s村民委员会") % {"v": chain["village"]}
    if chain["township"]:
        return _("%(t)s人民政府") % {"t": chain["township"]}
    return _("%(c)s扶贫开发领导小组") % {"c": chain["county"] or area.name}


def _on_branch(board: Area, path: str) -> bool:
    """A board may show what lies in its subtree or above it (a village board shows a township's road)."""
    return path.startswith(board.path) or board.path.startswith(path)


# --- the frozen content --------------------------------------------------------------------------------


def _project_facts(project: Project) -> list[list[str]]:
    period = f"{_date(project.starts_on)} 至 {_date(project.ends_on)}" if project.starts_on or project.ends_on else "—"
    return [
        [_("项目编号"), project.code], [_("项目名称"), project.name],
        [_("项目类别"), str(project.get_category_display())], [_("建设性质"), str(project.get_nature_display())],
        [_("建设地点"), project.site or project.area.full_name()],
        [_("责任单位"), str(project.lead) if project.lead_id else "—"], [_("实施单位"), project.implementer or "—"],
        [_("建设任务"), project.tasks or "—"], [_("计划年度"), str(project.year)], [_("计划工期"), period],
        [_("总投资（元）"), _money(project.budget)], [_("资金筹措"), project.financing or "—"],
        [_("受益对象"), _("%(h)s 户 %(p)s 人，其中贫困户 %(ph)s 户 %(pp)s 人") % {
            "h": project.households, "p": project.people, "ph": project.poor_households, "pp": project.poor_people}],
        [_("带贫减贫机制"), project.mechanism or "—"],
    ]


def _targets_table(project: Project, *, actual: bool) -> dict[str, Any] | None:
    targets = [t for t in project.targets or [] if isinstance(t, dict)]
    if not targets:
        return None
    columns = [_("序号"), _("绩效指标"), _("单位"), _("目标值")] + ([_("完成值")] if actual else [])
    rows = [[str(n), str(t.get("indicator", "")), str(t.get("unit", "")), str(t.get("target", ""))]
            + ([str(t.get("actual", "")) or "—"] if actual else []) for n, t in enumerate(targets, start=1)]
    return {"caption": _("绩效目标"), "columns": columns, "rows": rows, "total": ""}


def _allocations_table(allocations: list[Allocation], *, by_project: bool) -> dict[str, Any]:
    if by_project:
        columns = [_("序号"), _("项目编号"), _("项目名称"), _("建设地点"), _("资金拨付至"), _("分配金额（元）"), _("分配日期")]
        rows = [[str(n), a.project.code, a.project.name, a.project.area.name, a.area.name, _money(a.amount),
                 _date(a.allocated_on)] for n, a in enumerate(allocations, start=1)]
    else:
        columns = [_("序号"), _("资金文件"), _("资金渠道"), _("资金级次"), _("分配金额（元）"), _("分配日期")]
        rows = [[str(n), a.document.number, str(a.document.get_channel_display()), str(a.document.get_level_display()),
                 _money(a.amount), _date(a.allocated_on)] for n, a in enumerate(allocations, start=1)]
    total = sum((a.amount for a in allocations), ZERO)
    return {"caption": _("资金分配明细"), "columns": columns, "rows": rows,
            "total": _("合计 %(n)s 笔，%(m)s 元") % {"n": len(allocations), "m": _money(total)}}


def _heads(household_ids: list[int]) -> dict[int, str]:
    from fupin.registry.choices import Relation
    from fupin.registry.models import Member

    return dict(Member.objects.filter(household_id__in=household_ids, relation=Relation.HEAD, active=True)
                .values_list("household_id", "id_number"))


def _where(household: Any) -> str:
    area = household.area
    if area.level == "group" and area.parent_id:
        return area.parent.name + area.name
    return area.name


def _beneficiaries_table(project: Project) -> dict[str, Any]:
    rows_q = list(Beneficiary.objects.filter(project=project).select_related("household__area__parent")
                  .order_by("household__area_path", "household__number"))
    heads = _heads([b.household_id for b in rows_q])
    rows = [[str(n), b.household.head_name, policy.mask_id(heads.get(b.household_id, "")) or "—",
             _where(b.household), str(b.people or b.household.member_count), b.note or "—"]
            for n, b in enumerate(rows_q, start=1)]
    people = sum(b.people or b.household.member_count for b in rows_q)
    return {"caption": _("受益户名单"), "columns": [_("序号"), _("户主姓名"), _("证件号码"), _("所在村组"), _("受益人数"),
                                                 _("受益内容")],
            "rows": rows, "total": _("共 %(h)s 户 %(p)s 人（证件号码已作脱敏处理）") % {"h": len(rows), "p": people}}


def _batch_table(batch: SubsidyBatch) -> dict[str, Any]:
    lines = list(batch.lines.select_related("household__area__parent").order_by("row", "id"))
    rows = [[str(n), line.payee, policy.mask_bank(line.bank_account) or "—", _where(line.household),
             _money(line.amount), line.content or "—"] for n, line in enumerate(lines, start=1)]
    total = sum((line.amount for line in lines), ZERO)
    return {"caption": _("补助发放名单"), "columns": [_("序号"), _("收款人"), _("一卡通账号"), _("所在村组"), _("补助金额（元）"),
                                                   _("补助内容")],
            "rows": rows, "total": _("共 %(h)s 户，合计 %(m)s 元（账号已作脱敏处理）") % {"h": len(rows), "m": _money(total)}}


def build_content(*, kind: str, area: Area, project: Project | None, document: FundDocument | None,
                  batch: SubsidyBatch | None) -> dict[str, Any]:
    """What the notice shows, as strings (personal numbers masked). ValidationError when there is nothing
    to show (no allocation, no beneficiary)."""
    chain = _chain(area)
    place = place_name(area, chain)
    tables: list[dict[str, Any]] = []
    facts: list[list[str]] = []
    if kind == DisclosureKind.ALLOCATION and document is not None:
        rows = document.allocations.select_related("project__area", "area").order_by("allocated_on", "id")
        if not document.area_path.startswith(area.path):
            # a township's or village's board shows the document's allocations to its own projects
            rows = rows.filter(project__area_path__startswith=area.path)
        allocations = list(rows)
        if not allocations:
            raise ValidationError({"document": _("资金文件“%(n)s”在%(a)s没有资金分配，无可公告的内容。") % {
                "n": document.number, "a": area.name}})
        title = document.title + (_("分配公告") if document.title.endswith("资金") else _("资金分配公告"))
        lead = _("根据%(n)s，现将%(p)s%(y)s年%(c)s分配到项目的情况予以公告，接受社会监督。") % {
            "n": document.number, "p": place, "y": document.year, "c": document.get_channel_display()}
        facts = [[_("文号"), document.number], [_("文件标题"), document.title],
                 [_("资金级次"), str(document.get_level_display())], [_("资金渠道"), str(document.get_channel_display())],
                 [_("资金年度"), str(document.year)], [_("文件金额（元）"), _money(document.amount)],
                 [_("资金用途"), document.purpose], [_("下达日期"), _date(document.issued_on)]]
        tables.append(_allocations_table(allocations, by_project=True))
    elif kind == DisclosureKind.ALLOCATION:
        assert project is not None
        allocations = list(project.allocations.select_related("document", "area").order_by("allocated_on", "id"))
        if not allocations:
            raise ValidationError({"project": _("项目“%(n)s”还没有资金分配，无可公告的内容。") % {"n": project.name}})
        title = _named(project.name, _("资金分配公告"))
        lead = _("现将%(n)s（%(c)s）的资金来源和分配情况予以公告，接受社会监督。") % {"n": project.name, "c": project.code}
        facts = _project_facts(project)[:6]
        tables.append(_allocations_table(allocations, by_project=False))
    elif kind == DisclosureKind.PLAN:
        assert project is not None
        year = _("%(y)s年") % {"y": project.year}
        title = ("" if project.name.startswith(year) else year) + _named(project.name, _("项目计划公示"))
        lead = _("经村级申报、乡镇审核、部门论证和县级审定，拟将以下项目纳入%(p)s脱贫攻坚项目库，现予公示。") % {"p": place}
        facts = _project_facts(project)
        targets = _targets_table(project, actual=False)
        tables.extend([targets] if targets else [])
    elif kind == DisclosureKind.COMPLETION:
        assert project is not None
        paid = project.payments.aggregate(s=Sum("amount"))["s"] or ZERO
        allocated = project.allocations.aggregate(s=Sum("amount"))["s"] or ZERO
        title = _named(project.name, _("项目竣工公告"))
        lead = _("%(n)s已完成建设并通过竣工验收，现将项目建设、资金使用和绩效目标完成情况予以公告，接受社会监督。") % {
            "n": project.name}
        facts = [*_project_facts(project)[:10],
                 [_("实际工期"), f"{_date(project.started_on)} 至 {_date(project.finished_on)}"],
                 [_("验收日期"), _date(project.accepted_on)],
                 [_("到位资金（元）"), _money(allocated)], [_("已支付资金（元）"), _money(paid)],
                 [_("受益对象"), _project_facts(project)[12][1]]]
        contracts = list(project.contracts.order_by("signed_on", "id"))
        if contracts:
            tables.append({"caption": _("合同及支付"), "columns": [_("序号"), _("合同编号"), _("中标单位"), _("采购方式"),
                                                                _("合同金额（元）"), _("已支付（元）")],
                           "rows": [[str(n), c.number, c.party, c.procurement or "—", _money(c.amount),
                                     _money(c.payments.aggregate(s=Sum("amount"))["s"])]
                                    for n, c in enumerate(contracts, start=1)], "total": ""})
        targets = _targets_table(project, actual=True)
        tables.extend([targets] if targets else [])
    else:  # beneficiaries
        if batch is not None:
            table = _batch_table(batch)
            title = _("%(t)s发放名单公示") % {"t": batch.title}
            lead = _("现将%(n)s到户补助（%(t)s）的发放名单予以公示，接受群众监督。") % {"n": batch.project.name, "t": batch.title}
        else:
            assert project is not None
            table = _beneficiaries_table(project)
            title = _named(project.name, _("受益户名单公示"))
            lead = _("现将%(n)s（%(c)s）的受益户名单予以公示，接受群众监督。") % {"n": project.name, "c": project.code}
        if not table["rows"]:
            raise ValidationError({"project": _("名单为空，无可公示的受益户。")})
        target = batch.project if batch is not None else project
        facts = [[_("项目编号"), target.code], [_("项目名称"), target.name]]
        tables.append(table)
    return {"kind": kind, "kind_label": str(DisclosureKind(kind).label), "title": str(title), "place": place,
            "issuer": issuer_of(area, chain), "lead": str(lead), "facts": facts, "tables": tables}


def notice_content(*, kind: str, area: Area, place: str, starts_on: datetime.date, ends_on: datetime.date,
                   hotline: str, project: Project | None = None, document: FundDocument | None = None,
                   batch: SubsidyBatch | None = None) -> dict[str, Any]:
    """The whole frozen content of a notice as ``publish`` stores it: :func:`build_content` with the period,
    the hotline, the place shown and the day of issue (the demo's notices are built by this function too) —
    in Chinese whatever the user's language (a notice hangs on a wall; NOTICE_LANGUAGE)."""
    with translation.override(NOTICE_LANGUAGE):
        content = build_content(kind=kind, area=area, project=project, document=document, batch=batch)
    content["period"] = {"start": _date(starts_on), "end": _date(ends_on), "days": str(days_of(starts_on, ends_on))}
    content["hotline"] = hotline.strip()
    content["place_shown"] = place.strip()
    content["issued_on"] = _date(starts_on)
    return content


# --- writes ------------------------------------------------------------------------------------------------


def _subject_errors(actor: User | None, kind: str, area: Area, project: Project | None,
                    document: FundDocument | None) -> dict[str, str]:
    """What is wrong with the subject of a notice (its project or document) for ``kind`` on ``area``'s board."""
    errors: dict[str, str] = {}
    if kind == DisclosureKind.ALLOCATION and project is None and document is None:
        errors["document"] = _("资金分配公告须选择资金文件或项目。")
    elif kind != DisclosureKind.ALLOCATION and project is None:
        errors["project"] = _("%(k)s须选择项目。") % {"k": DisclosureKind(kind).label}
    if project is not None and not errors:
        if kind == DisclosureKind.PLAN and project.stage not in PLAN_STAGES:
            errors["project"] = _("项目“%(n)s”处于“%(s)s”阶段，县级审定后方可发布项目计划公示。") % {
                "n": project.name, "s": project.get_stage_display()}
        if kind == DisclosureKind.COMPLETION and project.stage not in COMPLETION_STAGES:
            errors["project"] = _("项目“%(n)s”处于“%(s)s”阶段，竣工验收后方可发布竣工公告。") % {
                "n": project.name, "s": project.get_stage_display()}
        if not _on_branch(area, project.area_path):
            errors["area"] = _("项目“%(n)s”不在%(a)s，不能在该区划公示。") % {"n": project.name, "a": area.name}
        if actor is not None and not Project.objects.filter(pk=project.pk).filter(project_q(actor)).exists():
            errors["project"] = _("无权公示该项目。")
    if document is not None and not _on_branch(area, document.area_path):
        errors["area"] = _("资金文件“%(n)s”不属于%(a)s，不能在该区划公告。") % {"n": document.number, "a": area.name}
    return errors


def publish(*, actor: User | None, kind: str, area: Area, place: str, starts_on: datetime.date,
            ends_on: datetime.date, hotline: str, project: Project | None = None,
            document: FundDocument | None = None, batch: SubsidyBatch | None = None) -> Disclosure:
    """Publish a notice on ``area``'s board from ``starts_on`` to ``ends_on`` (both included), its content
    frozen. Refused (ValidationError naming the field, in Chinese): a period shorter than the area's
    ``notice_days``, an end before the start, a kind without its subject (a plan without a project, an
    allocation notice without a document or project), a project not at the stage the kind needs, a subject
    off the board's branch of the tree, nothing to show, a character the print font lacks."""
    policy.check_action(actor, "disclose", area)
    if kind not in DisclosureKind.values:
        raise ValidationError({"kind": _("没有“%(k)s”这种公告公示。") % {"k": kind}})
    if batch is not None:
        project = batch.project
    errors = _subject_errors(actor, kind, area, project, document)
    if not (place or "").strip():
        errors["place"] = _("请填写公示地点（如：县政府网站、村务公开栏）。")
    if not (hotline or "").strip():
        errors["hotline"] = _("请填写监督举报电话。")
    need = threshold("notice_days", area)
    if ends_on < starts_on:
        errors["ends_on"] = _("公示结束日期%(e)s早于开始日期%(s)s。") % {"e": _date(ends_on), "s": _date(starts_on)}
    elif days_of(starts_on, ends_on) < need:
        errors["ends_on"] = _("公示期为 %(d)s 天，不足规定的 %(n)s 天（%(a)s）。") % {
            "d": days_of(starts_on, ends_on), "n": need, "a": area.name}
    if errors:
        raise ValidationError(errors)
    content = notice_content(kind=kind, area=area, place=place, starts_on=starts_on, ends_on=ends_on, hotline=hotline,
                             project=project, document=document, batch=batch)
    from fupin.documents.render import check_printable

    check_printable(content, labels={"facts": _("公示内容"), "title": _("标题"), "hotline": _("监督电话"),
                                     "place_shown": _("公示地点")})
    with transaction.atomic():
        disclosure = Disclosure(kind=kind, area=area, project=project, document=document, batch=batch,
                                title=content["title"][:200], place=place.strip(), starts_on=starts_on, ends_on=ends_on,
                                hotline=hotline.strip(), content=content,
                                published_by=actor if getattr(actor, "pk", None) else None)
        disclosure.full_clean()
        disclosure.save()
        audit_create(actor=actor, obj=disclosure, area_path=area.path,
                     summary=_("发布%(k)s：%(t)s") % {"k": DisclosureKind(kind).label, "t": disclosure.title})
    return disclosure


def withdraw(*, actor: User | None, disclosure: Disclosure, reason: str) -> Disclosure:
    """Take a notice down (撤销), with the reason (kept in the audit row). It leaves the public board; a
    withdrawn plan or completion notice no longer satisfies the lifecycle's guards."""
    policy.check_action(actor, "disclose", disclosure.area)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写撤销原因。")})
    with transaction.atomic():
        locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if locked.withdrawn:
            raise ValidationError({"reason": _("该公示已撤销。")})
        locked.withdrawn = True
        locked.save(update_fields=["withdrawn"])
        audit_status(actor=actor, obj=locked, area_path=locked.area_path,
                     summary=_("撤销公示：%(t)s") % {"t": locked.title},
                     data={"changes": {"withdrawn": {"before": False, "after": True}}, "reason": reason.strip()})
    return locked


# --- the guards of the project lifecycle ---------------------------------------------------------------


def notice_problem(project: Project, kind: str, on: datetime.date) -> str | None:
    """Why a project's notice of ``kind`` (plan, completion) is not over on ``on`` (None: it is): none
    published, all withdrawn, too short, or still running."""
    label = DisclosureKind(kind).label
    notices = list(Disclosure.objects.filter(project=project, kind=kind, withdrawn=False)
                   .select_related("area").order_by("-ends_on"))
    if not notices:
        return _("项目“%(n)s”尚未发布%(k)s（或已撤销）。") % {"n": project.name, "k": label}
    long_enough = [d for d in notices if days_of(d.starts_on, d.ends_on) >= threshold("notice_days", d.area)]
    if not long_enough:
        return _("项目“%(n)s”的%(k)s公示期不足 %(d)s 天，须重新公示。") % {
            "n": project.name, "k": label, "d": threshold("notice_days", notices[0].area)}
    if any(d.ends_on < on for d in long_enough):
        return None
    first_end = min(d.ends_on for d in long_enough)
    return _("项目“%(n)s”的%(k)s至%(e)s止，公示期满后（%(a)s起）方可办理。") % {
        "n": project.name, "k": label, "e": _date(first_end), "a": _date(first_end + datetime.timedelta(days=1))}


def plan_notice_over(project: Project, on: datetime.date) -> bool:
    """NOTICE → LIBRARY is allowed on ``on``: a 项目计划公示 of the project ran its full period before ``on``."""
    return notice_problem(project, DisclosureKind.PLAN, on) is None


def completion_notice_over(project: Project, on: datetime.date) -> bool:
    """ACCEPTED → ANNOUNCED (公告公示完成) is allowed on ``on``: a 项目竣工公告 ran its full period before ``on``."""
    return notice_problem(project, DisclosureKind.COMPLETION, on) is None


def for_display(content: dict[str, Any]) -> dict[str, Any]:
    """The frozen content for a page: each table's rows as (column, value) pairs (the phone layout labels each
    value with its column)."""
    shown = dict(content)
    shown["tables"] = [{**t, "cells": [list(zip(t["columns"], row, strict=False)) for row in t["rows"]]}
                       for t in content.get("tables", [])]
    return shown


# --- the printed notice --------------------------------------------------------------------------------


def pdf_data(disclosure: Disclosure) -> dict[str, Any]:
    """The frozen content, plus the period and the hotline, for templates/disclosure.typ."""
    content = dict(disclosure.content)
    content.setdefault("period", {"start": _date(disclosure.starts_on), "end": _date(disclosure.ends_on),
                                  "days": str(days_of(disclosure.starts_on, disclosure.ends_on))})
    content.setdefault("hotline", disclosure.hotline or "—")
    content.setdefault("place_shown", disclosure.place)
    content.setdefault("issued_on", _date(disclosure.starts_on))
    content["word"] = "公告" if disclosure.kind in (DisclosureKind.ALLOCATION, DisclosureKind.COMPLETION) else "公示"
    content["withdrawn"] = disclosure.withdrawn
    return content


def disclosure_pdf(disclosure: Disclosure, *, when: datetime.datetime | None = None) -> bytes:
    """The notice on A4 (fupin.documents.render, the notices' font and page set-up)."""
    from fupin.documents.render import render_pdf

    return render_pdf("disclosure", pdf_data(disclosure), labels={"facts": _("公示内容"), "tables": _("公示名单")},
                      when=when)
