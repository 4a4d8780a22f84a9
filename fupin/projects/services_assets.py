"""扶贫项目资产 (issue 16 item 6, REFERENCE §9): the assets accepted projects leave behind — three classes
(经营性, 公益性, 到户类), their owner confirmed (确权), maintenance, income and its distribution to households,
disposal with the county's approval — and the ledger per village with its .xlsx export.

Writes are keyword-only, each with its audit row in the same transaction; ``policy.check_action`` with
"assets" on the asset's area (disposal: "asset_dispose", the county office).

**The distribution list sums exactly** (``split``): an income's ``distributable`` amount is shared among the
households in proportion to their weights (equal shares, or the people of each household), in whole fen.
Each household first gets its share rounded *down* to the fen; the fen left over (fewer than the number of
households) go one each to the households with the largest remainders dropped, ties to the earlier household
in the list (the list is ordered by household number). So Σ shares = distributable to the fen, no share
differs from its exact value by a fen or more, and the same list always splits the same way. A list given
amount by amount is refused unless it sums exactly, naming the difference.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_status, audit_update
from fupin.lib.money import CENT, ZERO, shown, yuan

from .models import Asset, AssetDisposal, AssetIncome, AssetMaintenance, Beneficiary, IncomeShare, Project
from .rules import AssetKind, Stage
from .selectors import project_q

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.registry.models import Household

#: A project leaves assets once accepted (竣工验收 and after).
ACCEPTED_STAGES = frozenset({Stage.ACCEPTED, Stage.ANNOUNCED, Stage.HANDED_OVER, Stage.OPERATING})
CANCELLED = "cancelled"


def split(total: Decimal, weights: Sequence[tuple[Any, int]]) -> dict[Any, Decimal]:
    """``total`` (yuan, to the fen) shared by ``weights`` [(key, weight ≥ 0), …] with the largest remainder
    rule of this module's docstring. Keys with weight 0 get nothing (are left out)."""
    fen = int((yuan(total) / CENT).to_integral_value())
    items = [(key, int(w)) for key, w in weights if int(w) > 0]
    whole = sum(w for _key, w in items)
    if fen < 0 or whole <= 0:
        raise ValueError("nothing to split")
    base = {key: fen * w // whole for key, w in items}
    left = fen - sum(base.values())
    # remainders as exact fractions (fen * w mod whole); ties keep the list's order (sorted is stable)
    order = sorted(range(len(items)), key=lambda i: -(fen * items[i][1] % whole))
    for i in order[:left]:
        base[items[i][0]] += 1
    return {key: (Decimal(v) * CENT).quantize(CENT) for key, v in base.items()}


def _check_asset_write(actor: User | None, asset: Asset, capability: str = "assets") -> None:
    policy.check_action(actor, capability, asset.area)
    if asset.disposed_on is not None:
        raise ValidationError({"asset": _("资产“%(n)s”已于%(d)s处置，不能再登记。") % {
            "n": asset.name, "d": asset.disposed_on.isoformat()}})


def _village(household: Household) -> Area:
    area = household.area
    return area.parent if area.level == "group" and area.parent_id else area


def next_code(project: Project) -> str:
    n = Asset.objects.filter(project=project).count() + 1
    while Asset.objects.filter(code=f"ZC-{project.code}-{n:02d}").exists():
        n += 1
    return f"ZC-{project.code}-{n:02d}"


def asset_create(*, actor: User | None, project: Project, kind: str, name: str, value: Decimal | str, owner: str,
                 manager: str = "", household: Household | None = None, area: Area | None = None,
                 handed_over_on: datetime.date | None = None) -> Asset:
    """Register an asset of an accepted ``project``. 到户类 needs the household (a beneficiary of the project;
    the asset sits in its village); the others sit at the project's site unless ``area`` (in the project's
    subtree) says where. Refused, naming the field: a project not yet accepted, a household that is no
    beneficiary or is cancelled, a household on a non-household asset, a value not positive."""
    errors: dict[str, str] = {}
    if project.stage not in ACCEPTED_STAGES:
        errors["project"] = _("项目“%(n)s”处于“%(s)s”阶段，竣工验收后方可登记资产。") % {
            "n": project.name, "s": project.get_stage_display()}
    if actor is not None and not Project.objects.filter(pk=project.pk).filter(project_q(actor)).exists():
        errors["project"] = _("无权为该项目登记资产。")
    if kind not in AssetKind.values:
        errors["kind"] = _("资产类别不正确。")
    if kind == AssetKind.HOUSEHOLD:
        if household is None:
            errors["household"] = _("到户类资产须选择到户对象（本项目的一户受益户）。")
        else:
            if not Beneficiary.objects.filter(project=project, household=household).exists():
                errors["household"] = _("户“%(n)s”（%(h)s）不是项目“%(p)s”的受益户。") % {
                    "n": household.number, "h": household.head_name, "p": project.name}
            elif household.status == CANCELLED:
                errors["household"] = _("户“%(n)s”（%(h)s）已注销。") % {"n": household.number, "h": household.head_name}
            area = _village(household)
    elif household is not None:
        errors["household"] = _("“%(k)s”不填到户对象：只有到户类资产登记到户（请清空到户对象，或把资产类别改为到户类资产）。") % {
            "k": AssetKind(kind).label if kind in AssetKind.values else kind}
    area = area or project.area
    if not area.path.startswith(project.area_path) and not project.area_path.startswith(area.path):
        errors["area"] = _("资产所在区划（%(a)s）不在项目建设地点。") % {"a": area.name}
    try:
        value = yuan(value)
    except Exception:  # noqa: BLE001 - any unreadable amount
        errors["value"] = _("资产原值应为金额，如 120000.00。")
    else:
        if value <= ZERO:
            errors["value"] = _("资产原值应大于 0。")
    if not (owner or "").strip():
        errors["owner"] = _("请填写所有权人（如：某村股份经济合作社）。")
    if errors:
        raise ValidationError(errors)
    policy.check_action(actor, "assets", area)
    with transaction.atomic():
        asset = Asset(project=project, area=area, code=next_code(project), name=name.strip(), kind=kind,
                      household=household, owner=owner.strip(), manager=(manager or "").strip(), value=value,
                      handed_over_on=handed_over_on)
        asset.full_clean()
        asset.save()
        audit_create(actor=actor, obj=asset, area_path=asset.area_path,
                     summary=_("登记项目资产：%(c)s %(n)s") % {"c": asset.code, "n": asset.name})
    return asset


def ownership_confirm(*, actor: User | None, asset: Asset, owner: str, on: datetime.date) -> Asset:
    """确权: the owner as confirmed on ``on``."""
    _check_asset_write(actor, asset)
    if not (owner or "").strip():
        raise ValidationError({"owner": _("请填写确权后的所有权人。")})
    if asset.handed_over_on and on < asset.handed_over_on:
        raise ValidationError({"on": _("确权日期不能早于移交日期%(d)s。") % {"d": asset.handed_over_on.isoformat()}})
    with transaction.atomic():
        before = {"owner": asset.owner, "ownership_confirmed_on": asset.ownership_confirmed_on}
        asset.owner, asset.ownership_confirmed_on = owner.strip(), on
        asset.full_clean()
        asset.save(update_fields=["owner", "ownership_confirmed_on"])
        audit_update(actor=actor, obj=asset, before=before, area_path=asset.area_path,
                     after={"owner": asset.owner, "ownership_confirmed_on": on},
                     summary=_("资产确权：%(c)s → %(o)s") % {"c": asset.code, "o": asset.owner})
    return asset


def maintenance_add(*, actor: User | None, asset: Asset, on: datetime.date, work: str, cost: Decimal | str = "0",
                    by: str = "") -> AssetMaintenance:
    _check_asset_write(actor, asset)
    if not (work or "").strip():
        raise ValidationError({"work": _("请填写管护内容。")})
    with transaction.atomic():
        row = AssetMaintenance(asset=asset, on=on, work=work.strip(), cost=yuan(cost or 0), by=(by or "").strip())
        row.full_clean()
        row.save()
        audit_create(actor=actor, obj=row, area_path=asset.area_path,
                     summary=_("资产管护：%(c)s %(w)s") % {"c": asset.code, "w": row.work})
    return row


def _check_households(asset: Asset, households: Sequence[Household]) -> None:
    """Every household of a distribution list is a beneficiary of the asset's project, not cancelled, once."""
    errors = []
    seen = set()
    beneficiaries = set(Beneficiary.objects.filter(project_id=asset.project_id).values_list("household_id", flat=True))
    for n, h in enumerate(households, start=1):
        who = _("名单第 %(n)s 户（%(num)s %(h)s）") % {"n": n, "num": h.number, "h": h.head_name}
        if h.pk in seen:
            errors.append(who + _("：重复。"))
        seen.add(h.pk)
        if asset.project_id and h.pk not in beneficiaries:
            errors.append(who + _("：不是项目受益户。"))
        elif h.status == CANCELLED:
            errors.append(who + _("：已注销。"))
    if errors:
        raise ValidationError({"households": errors})


def income_record(*, actor: User | None, asset: Asset, year: int, amount: Decimal | str, distributable: Decimal | str,
                  received_on: datetime.date, households: Sequence[Household] = (), basis: str = "equal",
                  amounts: Sequence[Decimal | str] | None = None, note: str = "",
                  paid_on: datetime.date | None = None) -> AssetIncome:
    """Record an income of ``asset`` and its distribution list (收益分配名单). ``households`` share
    ``distributable`` — ``basis`` "equal" (per household) or "people" (per member) by ``split`` — or, with
    ``amounts``, as listed (then Σ amounts must equal ``distributable`` exactly). A 到户类 asset's whole
    distributable income goes to its household. Nothing distributable: no list. ``paid_on``: the day the shares
    reached the households (发放日期; not before the income was received, not in the future), when known."""
    _check_asset_write(actor, asset)
    amount, distributable = yuan(amount), yuan(distributable or 0)
    if amount <= ZERO:
        raise ValidationError({"amount": _("收益金额应大于 0。")})
    if distributable < ZERO or distributable > amount:
        raise ValidationError({"distributable": _("用于分配的金额应在 0 至收益金额 %(a)s 元之间。") % {"a": shown(amount)}})
    if paid_on is not None and (paid_on < received_on or paid_on > timezone.localdate()):
        raise ValidationError({"paid_on": _("发放日期应在收益日期 %(r)s 至今天之间。") % {"r": received_on.isoformat()}})
    households = list(households)
    if asset.kind == AssetKind.HOUSEHOLD and distributable > ZERO:
        households = [asset.household] if not households else households
        if [h.pk for h in households] != [asset.household_id]:
            raise ValidationError({"households": _("到户类资产的收益只分配给到户对象本户。")})
    if distributable > ZERO and not households:
        raise ValidationError({"households": _("请提供收益分配名单。")})
    if households and distributable > ZERO:
        _check_households(asset, households)
    if amounts is not None:
        if len(amounts) != len(households):
            raise ValidationError({"amounts": _("分配金额的个数（%(a)s）与名单户数（%(h)s）不一致。") % {
                "a": len(amounts), "h": len(households)}})
        shares = {h.pk: yuan(a) for h, a in zip(households, amounts, strict=True)}
        total = sum(shares.values(), ZERO)
        if total != distributable:
            raise ValidationError({"amounts": _("分配名单合计 %(t)s 元，与用于分配的 %(d)s 元相差 %(x)s 元。") % {
                "t": shown(total), "d": shown(distributable), "x": shown(total - distributable)}})
        bad = [h for h in households if shares[h.pk] <= ZERO]
        if bad:
            raise ValidationError({"amounts": _("户“%(n)s”的分配金额应大于 0。") % {"n": bad[0].number}})
    elif distributable > ZERO:
        if basis not in ("equal", "people"):
            raise ValidationError({"basis": _("分配方式只能是按户平均或按人口。")})
        weights = [(h.pk, 1 if basis == "equal" else max(h.member_count, 0)) for h in households]
        shares = split(distributable, weights)
        short = [h for h in households if shares.get(h.pk, ZERO) <= ZERO]
        if short:
            raise ValidationError({"distributable": _("用于分配的金额不足以使每户至少分得 0.01 元（户“%(n)s”）。") % {
                "n": short[0].number}})
    else:
        shares = {}
    with transaction.atomic():
        income = AssetIncome(asset=asset, year=year, amount=amount, distributable=distributable, received_on=received_on,
                             note=(note or "").strip())
        income.full_clean()
        income.save()
        IncomeShare.objects.bulk_create([IncomeShare(income=income, household_id=pk, amount=value, paid_on=paid_on)
                                         for pk, value in shares.items()])
        assert sum(shares.values(), ZERO) == (distributable if shares else ZERO)
        audit_create(actor=actor, obj=income, area_path=asset.area_path,
                     summary=_("资产收益：%(c)s %(y)s年 %(a)s 元，分配 %(n)s 户 %(d)s 元") % {
                         "c": asset.code, "y": year, "a": shown(amount), "n": len(shares), "d": shown(distributable)})
    return income


def income_paid_on(*, actor: User | None, income: AssetIncome, paid_on: datetime.date) -> int:
    """登记发放日期: the day the shares of ``income`` still undated reached the households (an income recorded
    without its 发放到户日期). Not before the income was received, not in the future; the shares already dated
    keep theirs. The income row is locked while its undated shares are dated (two clerks dating it at once:
    the second is told there is nothing left to date). Capability "assets" in the asset's area — also once the
    asset is disposed of (the date is a fact of the past). Returns the number of shares dated."""
    asset = income.asset
    policy.check_action(actor, "assets", asset.area)
    if paid_on is None:
        raise ValidationError({"paid_on": _("请填写发放到户日期。")})
    if paid_on < income.received_on or paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("发放日期应在收益日期 %(r)s 至今天之间。") % {
            "r": income.received_on.isoformat()}})
    with transaction.atomic():
        AssetIncome.objects.select_for_update().filter(pk=income.pk).first()
        undated = IncomeShare.objects.filter(income=income, paid_on__isnull=True)
        ids = list(undated.values_list("pk", flat=True))
        if not ids:
            raise ValidationError({"paid_on": _("%(y)s年这笔收益的分配已全部登记发放日期（请刷新页面）。") % {"y": income.year}})
        IncomeShare.objects.filter(pk__in=ids).update(paid_on=paid_on)
        audit_update(actor=actor, obj=income, area_path=asset.area_path,
                     before={"paid_on": None}, after={"paid_on": paid_on},
                     summary=_("登记收益发放日期：%(c)s %(y)s年收益，%(n)s 户于 %(d)s 发放到户") % {
                         "c": asset.code, "y": income.year, "n": len(ids), "d": paid_on.isoformat()})
    return len(ids)


def dispose(*, actor: User | None, asset: Asset, on: datetime.date, method: str, reason: str, approval: str,
            proceeds: Decimal | str = "0") -> AssetDisposal:
    """处置 with the county's approval (capability "asset_dispose"): the approval's number is required; the
    asset leaves the active ledger (disposed_on) but stays on record."""
    _check_asset_write(actor, asset, "asset_dispose")
    errors = {}
    for key, value, label in (("method", method, _("处置方式")), ("reason", reason, _("处置原因")),
                              ("approval", approval, _("批准文号"))):
        if not (value or "").strip():
            errors[key] = _("请填写%(l)s。") % {"l": label}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        disposal = AssetDisposal(asset=asset, on=on, method=method.strip(), reason=reason.strip(),
                                 approval=approval.strip(), proceeds=yuan(proceeds or 0),
                                 approved_by=actor if getattr(actor, "pk", None) else None)
        disposal.full_clean()
        disposal.save()
        asset.disposed_on = on
        asset.save(update_fields=["disposed_on"])
        audit_status(actor=actor, obj=asset, area_path=asset.area_path,
                     summary=_("资产处置：%(c)s %(m)s（%(a)s）") % {"c": asset.code, "m": disposal.method, "a": disposal.approval},
                     data={"changes": {"disposed_on": {"before": None, "after": on.isoformat()}},
                           "reason": disposal.reason, "approval": disposal.approval, "proceeds": str(disposal.proceeds)})
    return disposal


__all__ = ["asset_create", "dispose", "income_paid_on", "income_record", "maintenance_add", "ownership_confirm", "split"]
