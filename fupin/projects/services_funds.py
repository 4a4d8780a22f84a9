"""Every write of the fund ledger (issue 16, money16): fund documents, the negative list, allocations,
payments, household subsidy batches drawn up from an Excel list and their payment. Keyword-only,
atomic, checked by the policy (``funds`` for the county office's ledger, ``fund_pay`` for paying out),
``full_clean()`` before saving and an audit row in the same transaction (ARCHITECTURE habits 1–2).

The money trail's invariants (fupin.projects.models) hold because each write that takes money out of a
row locks that row first (``select_for_update``) and sums what already left it under the lock:

* an allocation locks its document: Σ allocations ≤ the document's amount (a balance never negative,
  two clerks allocating at once cannot overdraw it);
* a payment locks its allocation (and its contract): Σ payments ≤ the allocation, Σ payments of a
  contract ≤ the contract's amount;
* paying a batch locks the batch and its allocation: one Payment of kind 到户补助 = Σ the batch's lines.

Refusals are ValidationErrors naming the field (and, for a list, the row) in Chinese.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q, Sum
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_import, audit_status, audit_update, jsonable, snapshot
from fupin.lib.money import ZERO, shown, yuan
from fupin.registry.choices import Status
from fupin.registry.rules import citizen_id
from fupin.sheets.cells import same_name

from .models import (
    Allocation,
    Beneficiary,
    Contract,
    FundDocument,
    NegativeUse,
    Payment,
    Project,
    SubsidyBatch,
    SubsidyLine,
)
from .rules import NOT_EVENLY, PAYABLE, BatchStatus, PaymentKind, Stage

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area

#: Stages from which a project may receive allocations: in the library (入库) or later, not cancelled.
ALLOCATABLE = frozenset({Stage.LIBRARY, Stage.PLANNED, *PAYABLE})


def money_in(value: Any, field_name: str, label: str) -> Decimal:
    """A positive amount exact to the fen, or a ValidationError on ``field_name``."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field_name: _("%(l)s不是有效的金额") % {"l": label}}) from exc
    if not amount.is_finite():
        raise ValidationError({field_name: _("%(l)s不是有效的金额") % {"l": label}})
    if amount != yuan(amount):
        raise ValidationError({field_name: _("%(l)s只能精确到分") % {"l": label}})
    if amount <= 0:
        raise ValidationError({field_name: _("%(l)s必须大于零") % {"l": label}})
    return yuan(amount)


def _sum(qs: Any, name: str = "amount") -> Decimal:
    return qs.aggregate(s=Sum(name))["s"] or ZERO


# --- balances ------------------------------------------------------------------------------------------

def document_allocated(document: FundDocument) -> Decimal:
    return _sum(Allocation.objects.filter(document_id=document.pk))


def document_balance(document: FundDocument) -> Decimal:
    """What is left of a document to allocate."""
    return document.amount - document_allocated(document)


def allocation_paid(allocation: Allocation) -> Decimal:
    return _sum(Payment.objects.filter(allocation_id=allocation.pk))


def allocation_balance(allocation: Allocation) -> Decimal:
    """What is left of an allocation to pay out."""
    return allocation.amount - allocation_paid(allocation)


def contract_paid(contract: Contract) -> Decimal:
    return _sum(Payment.objects.filter(contract_id=contract.pk))


# --- the negative list -----------------------------------------------------------------------------------

#: REFERENCE §9's negative list, its wording unverified: seeds 000–004 fix no list of forbidden uses; seeded by
#: migration 0002_money16 and by ``negative_seed``: (use, keywords).
NEGATIVE_SEED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("行政事业单位基本支出", ("行政运转", "办公经费", "工作经费", "人员工资", "差旅费", "会议费")),
    ("交通工具及通讯设备", ("购置车辆", "公务用车", "小汽车", "手机", "通讯设备")),
    ("修建楼堂馆所", ("办公楼", "楼堂馆所", "办公用房", "培训中心")),
    ("弥补企业亏损", ("企业亏损", "弥补亏损")),
    ("大中型基本建设项目", ("大中型水利", "大型水库", "大中型基本建设")),
    ("城市基础设施建设", ("城市道路", "城区", "市政工程", "城市基础设施")),
    ("招商引资奖励", ("招商引资奖励", "投资奖励")),
    ("与脱贫攻坚无关的支出", ("偿还债务", "还债", "捐赠支出", "职工福利")),
)
NEGATIVE_BASIS = "REFERENCE §9 负面清单（措辞待核实）"
#: The one forbidden use a seed names in its own words (seed 004: “千万不能拿扶贫的钱去搞高标准的新农村建设，做形象工程”),
#: seeded by migration 0005_seed_004_negative and by ``negative_seed``.
NEGATIVE_SEED_004 = ("高标准新农村建设和形象工程", ("形象工程", "高标准新农村", "高标准的新农村"))
NEGATIVE_BASIS_004 = "种子文件 004：“千万不能拿扶贫的钱去搞高标准的新农村建设，做形象工程”"


def negative_seed() -> int:
    """Add the seeded entries missing by name (idempotent); the number added."""
    have = set(NegativeUse.objects.filter(area__isnull=True).values_list("name", flat=True))
    seeded = [(name, words, NEGATIVE_BASIS) for name, words in NEGATIVE_SEED]
    seeded.append((*NEGATIVE_SEED_004, NEGATIVE_BASIS_004))
    rows = [NegativeUse(name=name, keywords="\n".join(words), note=basis)
            for name, words, basis in seeded if name not in have]
    NegativeUse.objects.bulk_create(rows)
    return len(rows)


def _ancestor_paths(area: Area) -> list[str]:
    return [area.path[:n] for n in range(1, len(area.path) + 1)]


def negative_entries(area: Area | None) -> list[NegativeUse]:
    """The active entries in force at ``area``: those for everywhere and those of its ancestors."""
    q = Q(area__isnull=True)
    if area is not None:
        q |= Q(area__path__in=_ancestor_paths(area))
    return list(NegativeUse.objects.filter(q, active=True))


def negative_hit(area: Area | None, *texts: str) -> tuple[NegativeUse, str] | None:
    """The first entry of the negative list one of ``texts`` hits, with the keyword."""
    joined = "\n".join(t for t in texts if t)
    for entry in negative_entries(area):
        for word in entry.words():
            if word in joined:
                return entry, word
    return None


def _negative_message(hit: tuple[NegativeUse, str], what: str) -> str:
    entry, word = hit
    return _("%(w)s命中资金使用负面清单“%(n)s”（关键词“%(k)s”），扶贫资金不得用于此项") % {
        "w": what, "n": entry.name, "k": word}


@transaction.atomic
def negative_use_save(*, actor: User | None, name: str, keywords: str, area: Area | None = None, note: str = "",
                      active: bool = True, entry: NegativeUse | None = None) -> NegativeUse:
    """Add (``entry`` None) or change an entry of the negative list. An area's own entries are its county
    office's; the entries for everywhere the global administrator's."""
    if actor is not None:
        if area is not None:
            policy.check_action(actor, "funds", area)
        else:
            policy.require(actor, "funds", _("您的角色不能修改负面清单"))
            if policy.scope_path(actor) != "":
                raise ValidationError({"area": _("适用于全国的条目由系统管理员维护；请选择本县")})
    if entry is not None:
        entry = NegativeUse.objects.select_for_update().get(pk=entry.pk)
        if actor is not None and entry.area is not None:
            policy.check_action(actor, "funds", entry.area)
        elif actor is not None and policy.scope_path(actor) != "":
            raise ValidationError({"name": _("适用于全国的条目由系统管理员维护")})
    words = "\n".join(w.strip() for w in re.split(r"[\n,，、;；]+", keywords or "") if w.strip())
    if not words:
        raise ValidationError({"keywords": _("请至少填写一个关键词")})
    before = snapshot(entry) if entry is not None else None
    entry = entry or NegativeUse()
    entry.name, entry.keywords, entry.area, entry.note, entry.active = name.strip(), words, area, note.strip(), active
    entry.full_clean()
    entry.save()
    path = area.path if area is not None else ""
    if before is None:
        audit_create(actor=actor, obj=entry, area_path=path, summary=_("负面清单：%(n)s") % {"n": entry.name})
    else:
        audit_update(actor=actor, obj=entry, before=before, after=snapshot(entry), area_path=path,
                     summary=_("修改负面清单：%(n)s") % {"n": entry.name})
    return entry


# --- documents ---------------------------------------------------------------------------------------------

@transaction.atomic
def document_create(*, actor: User | None, area: Area, number: str, title: str, level: str, channel: str,
                    purpose: str, year: int, amount: Any, issued_on: datetime.date,
                    received_on: datetime.date | None = None, department: Any = None, original_use: str = "",
                    note: str = "") -> FundDocument:
    """Enter an allocation document (资金文件) into the ledger of ``area`` (the county's dedicated account)."""
    policy.check_action(actor, "funds", area)
    amount = money_in(amount, "amount", _("金额"))
    number = (number or "").strip()
    if FundDocument.objects.filter(area=area, number=number).exists():
        raise ValidationError({"number": _("文号“%(n)s”已登记") % {"n": number}})
    hit = negative_hit(area, purpose)
    if hit:
        raise ValidationError({"purpose": _negative_message(hit, _("资金用途"))})
    if received_on is not None and received_on < issued_on:
        raise ValidationError({"received_on": _("到账日期不能早于下达日期")})
    doc = FundDocument(area=area, number=number, title=title.strip(), level=level, channel=channel,
                       purpose=purpose.strip(), year=year, amount=amount, issued_on=issued_on,
                       received_on=received_on, department=department, original_use=original_use.strip(),
                       note=note.strip(), created_by=actor if getattr(actor, "pk", None) else None)
    doc.full_clean()
    doc.save()
    audit_create(actor=actor, obj=doc, area_path=area.path,
                 summary=_("资金文件 %(n)s：%(a)s 元") % {"n": doc.number, "a": shown(amount)})
    return doc


# --- allocations -------------------------------------------------------------------------------------------

@transaction.atomic
def allocation_create(*, actor: User | None, document: FundDocument, project: Project, area: Area | None = None,
                      amount: Any, allocated_on: datetime.date, note: str = "") -> Allocation:
    """Allocate money of ``document`` to ``project``, held by ``area`` (the county, or the township
    that will pay it out; default: the document's area). The document row is locked: its balance never
    goes negative, whoever allocates at the same time."""
    area = area or document.area
    policy.check_action(actor, "funds", area)
    amount = money_in(amount, "amount", _("分配金额"))
    project = Project.objects.select_related("area").get(pk=project.pk)
    if not project.area.path.startswith(area.path):
        raise ValidationError({"area": _("资金拨付至的区划（%(a)s）必须是项目所在地或其上级") % {"a": area.name}})
    if not area.path.startswith(document.area.path):
        raise ValidationError({"area": _("资金只能拨付至资金文件所在区划（%(a)s）及其下级") % {"a": document.area.name}})
    if project.stage not in ALLOCATABLE:
        raise ValidationError({"project": _("项目“%(p)s”处于“%(s)s”阶段，尚未入库或已终止，不能分配资金") % {
            "p": project.name, "s": project.get_stage_display()}})
    hit = negative_hit(project.area, project.name, project.tasks)
    if hit:
        raise ValidationError({"project": _negative_message(hit, _("项目“%(p)s”") % {"p": project.name})})
    if allocated_on < document.issued_on:
        raise ValidationError({"allocated_on": _("分配日期不能早于资金文件下达日期（%(d)s）") % {"d": document.issued_on}})
    doc = FundDocument.objects.select_for_update().get(pk=document.pk)
    allocated = document_allocated(doc)
    if allocated + amount > doc.amount:
        raise ValidationError({"amount": _(
            "超出资金文件余额：文件 %(n)s 金额 %(t)s 元，已分配 %(u)s 元，余额 %(b)s 元，本次 %(a)s 元") % {
            "n": doc.number, "t": shown(doc.amount), "u": shown(allocated), "b": shown(doc.amount - allocated),
            "a": shown(amount)}})
    allocation = Allocation(document=doc, project=project, area=area, amount=amount, allocated_on=allocated_on,
                            note=note.strip(), created_by=actor if getattr(actor, "pk", None) else None)
    allocation.full_clean()
    allocation.save()
    audit_create(actor=actor, obj=allocation, area_path=project.area_path, summary=_(
        "资金分配：%(d)s → %(p)s %(a)s 元") % {"d": doc.number, "p": project.name, "a": shown(amount)})
    return allocation


# --- payments ----------------------------------------------------------------------------------------------

def _lock_payable(allocation: Allocation, amount: Decimal) -> tuple[Allocation, Project]:
    """Lock the allocation, check its project may be paid and its balance covers ``amount``."""
    alloc = Allocation.objects.select_for_update().select_related("area").get(pk=allocation.pk)
    project = Project.objects.select_related("area").get(pk=alloc.project_id)
    if project.stage not in PAYABLE:
        payable = "、".join(str(Stage(s).label) for s in Stage.values if s in PAYABLE)
        raise ValidationError({"allocation": _("项目“%(p)s”处于“%(s)s”阶段，不能支付（可支付阶段：%(ok)s）") % {
            "p": project.name, "s": project.get_stage_display(), "ok": payable}})
    paid = allocation_paid(alloc)
    if paid + amount > alloc.amount:
        raise ValidationError({"amount": _(
            "超出分配余额：分配 %(t)s 元，已支付 %(u)s 元，余额 %(b)s 元，本次 %(a)s 元") % {
            "t": shown(alloc.amount), "u": shown(paid), "b": shown(alloc.amount - paid), "a": shown(amount)}})
    return alloc, project


@transaction.atomic
def payment_create(*, actor: User | None, allocation: Allocation, kind: str, amount: Any, paid_on: datetime.date,
                   payee: str, purpose: str, contract: Contract | None = None, voucher: str = "") -> Payment:
    """Pay money out of ``allocation``: against a contract (合同支付) or another project expense (其他支出).
    Household subsidies are paid by batch (``batch_pay``). Refused, naming the reason: the project not in
    a payable stage, more than the allocation's balance, a purpose on the negative list, a contract paid
    beyond its amount."""
    policy.check_action(actor, "fund_pay", allocation.area)
    amount = money_in(amount, "amount", _("支付金额"))
    if kind == PaymentKind.SUBSIDY:
        raise ValidationError({"kind": _("到户补助请通过补助批次发放（按清单逐户打卡）")})
    if kind not in (PaymentKind.CONTRACT, PaymentKind.OTHER):
        raise ValidationError({"kind": _("请选择支付类别")})
    if not (payee or "").strip():
        raise ValidationError({"payee": _("请填写收款方")})
    alloc, project = _lock_payable(allocation, amount)
    if paid_on < alloc.allocated_on:
        raise ValidationError({"paid_on": _("支付日期不能早于资金分配日期（%(d)s）") % {"d": alloc.allocated_on}})
    hit = negative_hit(project.area, purpose, payee)
    if hit:
        raise ValidationError({"purpose": _negative_message(hit, _("支付用途"))})
    if kind == PaymentKind.CONTRACT:
        if contract is None:
            raise ValidationError({"contract": _("合同支付须选择合同")})
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.project_id != project.pk:
            raise ValidationError({"contract": _("合同 %(c)s 不属于项目“%(p)s”") % {"c": contract.number, "p": project.name}})
        already = contract_paid(contract)
        if already + amount > contract.amount:
            raise ValidationError({"amount": _(
                "超出合同金额：合同 %(c)s 金额 %(t)s 元，已支付 %(u)s 元，本次 %(a)s 元") % {
                "c": contract.number, "t": shown(contract.amount), "u": shown(already), "a": shown(amount)}})
    else:
        contract = None
    payment = Payment(allocation=alloc, project=project, kind=kind, contract=contract, amount=amount, paid_on=paid_on,
                      payee=payee.strip(), purpose=purpose.strip(), voucher=voucher.strip(),
                      created_by=actor if getattr(actor, "pk", None) else None)
    payment.full_clean()
    payment.save()
    audit_create(actor=actor, obj=payment, area_path=project.area_path, summary=_(
        "资金支付：%(p)s → %(e)s %(a)s 元") % {"p": project.name, "e": payment.payee, "a": shown(amount)})
    return payment


# --- household subsidy batches -------------------------------------------------------------------------------

#: Header names of a subsidy list (normalised: no spaces, no bracketed unit) → our key.
HEADERS: dict[str, str] = {
    "证件号码": "id_number", "身份证号": "id_number", "身份证号码": "id_number", "公民身份号码": "id_number",
    "户主身份证号": "id_number", "户主证件号码": "id_number",
    "户编号": "number", "户号": "number",
    "户主姓名": "payee", "姓名": "payee", "收款人": "payee", "户主": "payee",
    "一卡通账号": "bank_account", "银行账号": "bank_account", "账号": "bank_account", "社保卡号": "bank_account",
    "补助金额": "amount", "金额": "amount", "发放金额": "amount", "补助资金": "amount",
    "补助内容": "content", "补助项目": "content", "备注": "content",
}
MAX_LIST_ROWS = 50_000


@dataclass
class ListRow:
    row: int  # the sheet's row number (1-based, as Excel shows it)
    id_number: str = ""
    number: str = ""
    payee: str = ""
    bank_account: str = ""
    amount: Any = ""
    content: str = ""


def _header_key(cell: Any) -> str | None:
    text = re.sub(r"\s+", "", str(cell or ""))
    text = re.sub(r"[（(][^）)]*[）)]$", "", text).strip("*※")
    return HEADERS.get(text)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_list(data: bytes, filename: str = "") -> list[ListRow]:
    """The rows of a subsidy list (.xlsx/.xls/.ods, read with python-calamine): the first sheet whose
    first 15 rows hold a header row naming 补助金额 and 证件号码 or 户编号; blank rows and 合计 rows skipped.
    A file that cannot be read, or has no such header, is a ValidationError on ``file``."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types for every bad file
        raise ValidationError({"file": _("无法读取该文件（%(f)s），请上传 Excel 文件（.xlsx/.xls）") % {"f": filename}}) from exc
    for name in book.sheet_names:
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for h, header in enumerate(grid[:15]):
            keys = [_header_key(c) for c in header]
            if "amount" in keys and ("id_number" in keys or "number" in keys):
                return _rows(grid, h, keys)
    raise ValidationError({"file": _("没有找到表头：清单须有“补助金额”列和“证件号码”或“户编号”列")})


def _rows(grid: list[list[Any]], header_at: int, keys: list[str | None]) -> list[ListRow]:
    out = []
    for i, cells in enumerate(grid[header_at + 1:], start=header_at + 2):
        values = {k: _cell_text(c) for k, c in zip(keys, cells, strict=False) if k}
        if not any(values.values()):
            continue
        if not values.get("id_number") and any(_cell_text(c).startswith(("合计", "总计", "小计", "共计"))
                                                for c in cells):
            continue
        out.append(ListRow(row=i, **values))
        if len(out) > MAX_LIST_ROWS:
            raise ValidationError({"file": _("清单超过 %(n)d 行，请分批上传") % {"n": MAX_LIST_ROWS}})
    if not out:
        raise ValidationError({"file": _("清单中没有数据行")})
    return out


@dataclass
class Matched:
    lines: list[SubsidyLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    total: Decimal = ZERO


def name_warning(row: int, listed: str, registered: str) -> str:
    """The warning of a row matched by ID number whose name differs from the registered one ("" when they
    agree once folded — spaces, full-width forms and case do not count, ``fupin.sheets.cells.same_name``
    — or when the row gave no name). A warning, never a refusal: as the sector lists' push
    (fupin.monitoring.alerts) does, the ID number decides the match; the name is for a person to check."""
    if not listed.strip() or not registered or same_name(listed, registered):
        return ""
    return _("第 %(r)d 行「姓名」%(g)s与登记的%(n)s不符") % {"r": row, "g": listed.strip(), "n": registered}


def match_rows(project: Project, rows: list[ListRow]) -> Matched:
    """Match each row to a registered household — by ID number (any member's, normalised to the citizen
    number), else by 户编号 — among the project's beneficiaries; every refusal names its row. A row matched
    by ID number whose name differs from that member's registered name is kept with a warning
    (``name_warning``). Two queries for the beneficiaries and their members, one more for numbers not found
    among them."""
    from fupin.registry.models import Household, Member

    beneficiaries = {h.pk: h for h in Household.objects.filter(project_benefits__project=project)
                     .only("pk", "number", "head_name", "status", "bank_account")}
    by_citizen = {cid: (hid, name) for cid, hid, name in Member.objects.filter(
        household_id__in=Beneficiary.objects.filter(project=project).values("household_id"), active=True)
        .exclude(citizen_id="").values_list("citizen_id", "household_id", "name")}
    by_number = {h.number: h for h in beneficiaries.values()}
    out, seen = Matched(), {}
    wanted: list[tuple[ListRow, str]] = []
    for r in rows:
        cid = citizen_id(r.id_number) if r.id_number else ""
        household, registered_name = None, ""
        if cid:
            hid, registered_name = by_citizen.get(cid, (-1, ""))
            household = beneficiaries.get(hid)
        elif r.number:
            household = by_number.get(r.number)
        else:
            out.errors.append(_("第 %(r)d 行：没有证件号码或户编号") % {"r": r.row})
            continue
        if household is None:
            wanted.append((r, cid))
            continue
        if household.status == Status.CANCELLED:
            out.errors.append(_("第 %(r)d 行：户 %(n)s（%(h)s）已注销，不能发放") % {
                "r": r.row, "n": household.number, "h": household.head_name})
            continue
        if household.pk in seen:
            out.errors.append(_("第 %(r)d 行：户 %(n)s 与第 %(f)d 行重复") % {
                "r": r.row, "n": household.number, "f": seen[household.pk]})
            continue
        try:
            amount = money_in(r.amount, "amount", _("补助金额"))
        except ValidationError:
            out.errors.append(_("第 %(r)d 行：补助金额“%(a)s”无效（须为大于零、精确到分的金额）") % {
                "r": r.row, "a": r.amount})
            continue
        seen[household.pk] = r.row
        out.total += amount
        warning = name_warning(r.row, r.payee, registered_name)[:200]
        if warning:
            out.warnings.append(warning)
        out.lines.append(SubsidyLine(household_id=household.pk, row=r.row, payee=(r.payee or household.head_name)[:50],
                                     bank_account=(r.bank_account or household.bank_account)[:40], amount=amount,
                                     content=r.content[:200], name_warning=warning))
    if wanted:
        _explain_unmatched(wanted, out)
    return out


def _explain_unmatched(wanted: list[tuple[ListRow, str]], out: Matched) -> None:
    """Rows matched to no beneficiary: registered elsewhere (not a beneficiary of the project; cancelled
    if so) or not registered at all. Nothing of a household beyond what the row typed is named."""
    from fupin.registry.models import Household, Member

    cids = [c for _r, c in wanted if c]
    numbers = [r.number for r, c in wanted if not c]
    registered: dict[str, str] = {}
    for i in range(0, len(cids), 500):
        for cid, status in Member.objects.filter(citizen_id__in=cids[i:i + 500]).values_list(
                "citizen_id", "household__status"):
            registered[cid] = status
    for i in range(0, len(numbers), 500):
        for number, status in Household.objects.filter(number__in=numbers[i:i + 500]).values_list("number", "status"):
            registered[number] = status
    for r, cid in wanted:
        key, shown_as = (cid, _("证件号码 %(v)s") % {"v": policy.mask_id(r.id_number)}) if cid else \
            (r.number, _("户编号 %(v)s") % {"v": r.number})
        status = registered.get(key)
        if status is None:
            out.errors.append(_("第 %(r)d 行：%(w)s 在贫困户档案中没有找到") % {"r": r.row, "w": shown_as})
        elif status == Status.CANCELLED:
            out.errors.append(_("第 %(r)d 行：%(w)s 所在户已注销，且不是本项目受益户，不能发放") % {"r": r.row, "w": shown_as})
        else:
            out.errors.append(_("第 %(r)d 行：%(w)s 所在户不是本项目的受益户，不能发放") % {"r": r.row, "w": shown_as})


MAX_ERRORS_SHOWN = 200


@transaction.atomic
def batch_create(*, actor: User | None, allocation: Allocation, title: str, rows: list[ListRow],
                 drawn_on: datetime.date, area: Area | None = None, source_name: str = "") -> SubsidyBatch:
    """Draw up a household subsidy batch (造册) of ``allocation``'s project from a list: all or nothing —
    any row refused (not found, not a beneficiary, cancelled, repeated, a bad amount) refuses the
    batch with every row named. A name differing from the registry's is not a refusal: the line keeps its
    warning (``SubsidyLine.name_warning``), counted in the audit row. The batch is 待核对 until paid
    (``batch_pay``)."""
    area = area or allocation.area
    policy.check_action(actor, "fund_pay", area)
    project = Project.objects.select_related("area").get(pk=allocation.project_id)
    if not project.area.path.startswith(area.path) and not area.path.startswith(project.area.path):
        raise ValidationError({"area": _("发放区划须为项目所在地或其上级")})
    if project.stage not in PAYABLE:
        raise ValidationError({"allocation": _("项目“%(p)s”处于“%(s)s”阶段，不能造册发放") % {
            "p": project.name, "s": project.get_stage_display()}})
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写批次名称")})
    matched = match_rows(project, rows)
    if matched.errors:
        errors = matched.errors[:MAX_ERRORS_SHOWN]
        if len(matched.errors) > MAX_ERRORS_SHOWN:
            errors.append(_("……另有 %(n)d 行未通过") % {"n": len(matched.errors) - MAX_ERRORS_SHOWN})
        raise ValidationError({"file": errors})
    batch = SubsidyBatch(project=project, allocation=allocation, area=area, title=title.strip(), total=matched.total,
                         lines_count=len(matched.lines), source_name=source_name[:200], drawn_on=drawn_on,
                         created_by=actor if getattr(actor, "pk", None) else None)
    batch.full_clean()
    batch.save()
    for line in matched.lines:
        line.batch_id = batch.pk
    SubsidyLine.objects.bulk_create(matched.lines, batch_size=2000)
    named = _("，姓名与登记不符 %(w)d 行") % {"w": len(matched.warnings)} if matched.warnings else ""
    audit_import(actor=actor, entity="projects.subsidybatch", entity_id=str(batch.pk), area_path=project.area_path,
                 summary=_("到户补助造册：%(t)s，%(n)d 户，%(a)s 元（%(f)s）%(w)s") % {
                     "t": batch.title, "n": batch.lines_count, "a": shown(batch.total), "f": source_name or "—",
                     "w": named})
    return batch


def even_split_warning(batch: SubsidyBatch) -> str:
    """Seed 002's “不得将补助金平均分配”: for a batch of a project of ``rules.NOT_EVENLY`` (危房改造) whose two or
    more lines all pay one amount, the warning to show with it; else "". A warning, not a refusal: households of
    one grade may rightly receive the same standard — the county checks it against each 一户一方案."""
    if batch.project.category not in NOT_EVENLY or batch.lines_count < 2:
        return ""
    amounts = batch.lines.aggregate(lo=Min("amount"), hi=Max("amount"))
    if amounts["lo"] is None or amounts["lo"] != amounts["hi"]:
        return ""
    return _("%(k)s补助不得平均分配（种子文件 002）：本批次 %(n)d 户金额均为 %(a)s 元，请核对是否按一户一方案逐户核定") % {
        "k": batch.project.get_category_display(), "n": batch.lines_count, "a": shown(amounts["lo"])}


def name_warnings(batch: SubsidyBatch) -> list[tuple[int, str]]:
    """The batch's lines whose name differs from the registry's: (row, warning), in the list's order."""
    return list(batch.lines.exclude(name_warning="").order_by("row", "id").values_list("row", "name_warning"))


def names_confirm_label(count: int) -> str:
    """The pay form's confirmation, naming how many lines it confirms."""
    return _("已核对姓名不符的 %(n)d 行") % {"n": count}


@transaction.atomic
def batch_pay(*, actor: User | None, batch: SubsidyBatch, paid_on: datetime.date, voucher: str = "",
              names_checked: bool = False) -> Payment:
    """Pay a batch: one Payment of kind 到户补助 equal to Σ its lines, out of its allocation (locked). The
    lines are checked again (a household cancelled or taken off the beneficiaries since is named). A batch
    with lines whose name differs from the registry's is paid only with ``names_checked`` (the pay form's
    “已核对姓名不符的 N 行”); the confirmation and the rows it covered go into the audit row."""
    policy.check_action(actor, "fund_pay", batch.area)
    batch = SubsidyBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.DRAFT:
        raise ValidationError({"batch": _("批次“%(t)s”%(s)s，不能再发放") % {"t": batch.title, "s": batch.get_status_display()}})
    lines = batch.lines.values_list("row", "household_id", "household__number", "household__status", "amount")
    beneficiaries = set(Beneficiary.objects.filter(project_id=batch.project_id).values_list("household_id", flat=True))
    errors, total, count = [], ZERO, 0
    for row, hid, number, status, amount in lines:
        count += 1
        total += amount
        if status == Status.CANCELLED:
            errors.append(_("第 %(r)d 行：户 %(n)s 已注销，不能发放") % {"r": row, "n": number})
        elif hid not in beneficiaries:
            errors.append(_("第 %(r)d 行：户 %(n)s 已不是本项目的受益户") % {"r": row, "n": number})
    if errors:
        raise ValidationError({"batch": errors[:MAX_ERRORS_SHOWN]})
    warned = [row for row, _w in name_warnings(batch)]
    if warned and not names_checked:
        raise ValidationError({"names_checked": _(
            "该批次有 %(n)d 行姓名与登记不符（第 %(r)s 行），请逐行核对后勾选“%(c)s”再发放") % {
            "n": len(warned), "r": "、".join(str(r) for r in warned[:20]) + ("…" if len(warned) > 20 else ""),
            "c": names_confirm_label(len(warned))}})
    if total != batch.total or count != batch.lines_count or count == 0:
        raise ValidationError({"batch": _("批次合计（%(t)s 元，%(c)d 户）与明细（%(s)s 元，%(n)d 户）不符") % {
            "t": shown(batch.total), "c": batch.lines_count, "s": shown(total), "n": count}})
    alloc, project = _lock_payable(batch.allocation, total)
    if paid_on < batch.drawn_on:
        raise ValidationError({"paid_on": _("发放日期不能早于造册日期（%(d)s）") % {"d": batch.drawn_on}})
    payment = Payment(allocation=alloc, project=project, kind=PaymentKind.SUBSIDY, batch=batch, amount=total,
                      paid_on=paid_on, payee=_("%(n)d 户（一卡通）") % {"n": count}, purpose=batch.title[:300],
                      voucher=voucher.strip(), created_by=actor if getattr(actor, "pk", None) else None)
    payment.full_clean()
    payment.save()
    before = snapshot(batch)
    batch.status, batch.paid_on, batch.version = BatchStatus.PAID, paid_on, batch.version + 1
    batch.save(update_fields=["status", "paid_on", "version"])
    confirmed = {"names_confirmed": {"lines": len(warned), "rows": warned}} if warned else {}
    audit_status(actor=actor, obj=batch, area_path=project.area_path, summary=_(
        "到户补助发放：%(t)s，%(n)d 户，%(a)s 元%(c)s") % {
            "t": batch.title, "n": count, "a": shown(total),
            "c": _("（%(c)s）") % {"c": names_confirm_label(len(warned))} if warned else ""},
        data={"before": jsonable(before), "after": jsonable(snapshot(batch)), **confirmed})
    return payment


@transaction.atomic
def batch_cancel(*, actor: User | None, batch: SubsidyBatch, reason: str) -> SubsidyBatch:
    """作废 a batch not yet paid (with the reason), under the batch's lock: a batch paid (or cancelled)
    meanwhile is refused, naming its state. Nothing is paid from a cancelled batch; it stays listed."""
    policy.check_action(actor, "fund_pay", batch.area)
    batch = SubsidyBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.DRAFT:
        raise ValidationError({"batch": _("批次“%(t)s”%(s)s，不能作废（只能作废待核对的批次）") % {
            "t": batch.title, "s": batch.get_status_display()}})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写作废原因")})
    before = snapshot(batch)
    batch.status, batch.cancel_reason, batch.version = BatchStatus.CANCELLED, reason.strip()[:300], batch.version + 1
    batch.save(update_fields=["status", "cancel_reason", "version"])
    audit_status(actor=actor, obj=batch, area_path=batch.area_path, summary=_("作废补助批次：%(t)s（%(r)s）") % {
        "t": batch.title, "r": reason.strip()}, data={"before": jsonable(before), "after": jsonable(snapshot(batch)), "reason": reason.strip()})
    return batch
