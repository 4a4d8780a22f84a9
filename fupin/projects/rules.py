"""Projects and funds (issue 16, REFERENCE §9): the pure rules — the project lifecycle as a transition
table, the fund channels and levels, the kinds of projects of seed 000, the thresholds as data keys and
their defaults. No database access here; services and selectors use these.

The lifecycle (REFERENCE §9; seed 001 储备 → 立项 → 实施 → 验收 → 管护 → 收益分配):

    村申报 → 乡镇审核 → 部门论证 → 县级审定 → 公示 → 入库 → 纳入年度计划 → 实施 → 竣工验收 → 公告
    → 资产移交 → 管护运营 (income distribution is recorded while 管护运营)

and 退回 (a step back to 村申报 from the reviews, with the reason) and 终止 (cancelled, from any stage
before acceptance, with the reason).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    PROPOSED = "proposed", _("村级申报")
    TOWNSHIP_REVIEWED = "township_reviewed", _("乡镇审核")
    APPRAISED = "appraised", _("部门论证")
    APPROVED = "approved", _("县级审定")
    NOTICE = "notice", _("入库公示")
    LIBRARY = "library", _("已入库")
    PLANNED = "planned", _("纳入年度计划")
    IMPLEMENTING = "implementing", _("实施中")
    ACCEPTED = "accepted", _("竣工验收")
    ANNOUNCED = "announced", _("公告公示完成")
    HANDED_OVER = "handed_over", _("资产移交")
    OPERATING = "operating", _("管护运营")
    CANCELLED = "cancelled", _("已终止")


#: The forward path, in order.
PATH: tuple[str, ...] = (
    Stage.PROPOSED, Stage.TOWNSHIP_REVIEWED, Stage.APPRAISED, Stage.APPROVED, Stage.NOTICE, Stage.LIBRARY,
    Stage.PLANNED, Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.ANNOUNCED, Stage.HANDED_OVER, Stage.OPERATING,
)

#: Which capability of fupin.accounts.policy.CAPABILITIES takes the step INTO each stage.
STEP_CAPABILITY: dict[str, str] = {
    Stage.TOWNSHIP_REVIEWED: "project_township",
    Stage.APPRAISED: "project_appraise",
    Stage.APPROVED: "project_county",
    Stage.NOTICE: "project_county",
    Stage.LIBRARY: "project_county",
    Stage.PLANNED: "project_county",
    Stage.IMPLEMENTING: "project_implement",
    Stage.ACCEPTED: "project_accept",
    Stage.ANNOUNCED: "project_county",
    Stage.HANDED_OVER: "project_county",
    Stage.OPERATING: "project_implement",
}

#: Stages in which money may be paid out against the project (contracts, household subsidies).
PAYABLE = frozenset({Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.ANNOUNCED, Stage.HANDED_OVER, Stage.OPERATING})
#: Stages from which a project may be sent back to the village (退回) with a reason.
RETURNABLE = frozenset({Stage.TOWNSHIP_REVIEWED, Stage.APPRAISED, Stage.APPROVED, Stage.NOTICE})
#: Stages from which a project may be cancelled (终止); money already paid stays on the record.
CANCELLABLE = frozenset(PATH[: PATH.index(Stage.ACCEPTED)])


class Level(models.TextChoices):
    """The level of government a fund document comes from."""

    CENTRAL = "central", _("中央")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class Channel(models.TextChoices):
    """Fund source channels (REFERENCE §9). Integrated funds keep their original channel and use
    (渠道不乱、用途不变、各负其责、各记其功): a document records both."""

    SPECIAL = "special", _("财政专项扶贫资金")
    INTEGRATED = "integrated", _("统筹整合涉农资金")
    EAST_WEST = "east_west", _("东西部扶贫协作资金")
    PAIRED = "paired", _("定点帮扶资金")
    DONATION = "donation", _("社会捐赠资金")
    CREDIT = "credit", _("信贷资金")
    OTHER = "other", _("其他资金")


class Category(models.TextChoices):
    """Seed 000's eight projects (八大扶贫工程), each with its lead department (see LEAD_DEPARTMENTS)."""

    HOUSING = "housing", _("农村危房改造")
    ROADS = "roads", _("乡村道路畅通")
    WATER = "water", _("饮水安全")
    POWER = "power", _("农村电力保障")
    INDUSTRY = "industry", _("特色产业增收")
    TOURISM = "tourism", _("乡村旅游扶贫")
    EDUCATION = "education", _("教育文化卫生")
    INFORMATION = "information", _("贫困村信息化")
    OTHER = "other", _("其他")


#: Seed 002 on 农村危房改造: “严格把关监督资金使用，不得将补助金平均分配” — a household's subsidy follows its own
#: assessed need (一户一方案), so a subsidy batch of these kinds paying every household one amount is flagged.
NOT_EVENLY: frozenset[str] = frozenset({Category.HOUSING})

#: Seed 000: "一是农村危房改造工程，由县住建局牵头 …" — the lead department of each kind. The seed's text names
#: no lead for 七 (教育文化卫生扶贫工程): 县教育局 is our assumption.
LEAD_DEPARTMENTS: dict[str, str] = {
    Category.HOUSING: "县住建局",
    Category.ROADS: "县交通运输局",
    Category.WATER: "县水务局",
    Category.POWER: "县供电公司",
    Category.INDUSTRY: "县农业局",
    Category.TOURISM: "县旅游局",
    Category.EDUCATION: "县教育局",
    Category.INFORMATION: "县工信局",
}


class Nature(models.TextChoices):
    NEW = "new", _("新建")
    EXTENSION = "extension", _("续建")
    REBUILD = "rebuild", _("改扩建")


class PaymentKind(models.TextChoices):
    CONTRACT = "contract", _("合同支付")
    SUBSIDY = "subsidy", _("到户补助")
    OTHER = "other", _("其他支出")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("待核对")
    PAID = "paid", _("已发放")
    CANCELLED = "cancelled", _("已作废")


class AssetKind(models.TextChoices):
    PRODUCTIVE = "productive", _("经营性资产")
    PUBLIC = "public", _("公益性资产")
    HOUSEHOLD = "household", _("到户类资产")


#: Thresholds as data (fupin.projects.models.ProjectRule, most specific area wins), with their defaults.
#: Read through fupin.projects.thresholds_pub16 (the one reader of the alerts, the disclosures and the
#: lifecycle's notice guards, and of the 规则与阈值 page); written through fupin.projects.services_rules.
RULE_DEFAULTS: dict[str, int] = {
    # 资金滞留: allocated money not paid out this many days after it reached the level holding it.
    "stuck_days": 90,
    # 进度滞后: a planned or implementing project not finished this many days after its planned end (0: the
    # day after it).
    "behind_days": 0,
    # 验收滞后: a project still not accepted this many days after its planned end.
    "acceptance_days": 30,
    # 补助未按时发放: a subsidy batch still unpaid this many days after it was drawn up.
    "subsidy_days": 30,
    # 资金分配未公开: an allocation not yet on a disclosure this many days after it was made.
    "disclose_days": 15,
    # 公示期: a disclosure hangs at least this many days (REFERENCE §9: at least 10).
    "notice_days": 10,
}

RULE_LABELS: dict[str, str] = {
    "stuck_days": _("资金滞留天数"),
    "behind_days": _("进度滞后宽限天数"),
    "acceptance_days": _("验收滞后天数"),
    "subsidy_days": _("补助发放期限（天）"),
    "disclose_days": _("资金分配公开期限（天）"),
    "notice_days": _("公示最少天数"),
}

#: What each threshold means (the 规则与阈值 page), its unit and the range a value must lie in (inclusive).
#: notice_days is at least 10: REFERENCE §9 (公示期不少于 10 天) — an area may lengthen it, not shorten it.
RULE_MEANINGS: dict[str, str] = {
    "stuck_days": _("已分配到项目的资金，自到达持有级次（县或乡镇）之日起超过此天数仍未支付完毕，列入“资金滞留”预警；"
                    "预警的截止日期为分配日加此天数。"),
    "behind_days": _("纳入年度计划或实施中的项目，超过计划完工日期此天数仍未完工，列入“进度滞后”预警（0 表示计划完工日的次日起即预警）。"),
    "acceptance_days": _("项目完工（未完工则为计划完工日）后超过此天数仍未验收，列入“验收滞后”预警。"),
    "subsidy_days": _("到户补助批次造册后超过此天数仍未发放，列入“补助未按时发放”预警。"),
    "disclose_days": _("资金分配后超过此天数仍无资金分配公告，列入“资金分配未公开”预警。"),
    "notice_days": _("公告公示的最少天数：发布公告时公示期不得短于此天数；入库公示、竣工公告须满此天数并结束后方可推进项目阶段。"),
}
RULE_UNITS: dict[str, str] = {key: _("天") for key in RULE_DEFAULTS}
RULE_RANGES: dict[str, tuple[int, int]] = {
    "stuck_days": (1, 730),
    "behind_days": (0, 365),
    "acceptance_days": (1, 365),
    "subsidy_days": (1, 365),
    "disclose_days": (1, 90),
    "notice_days": (10, 90),
}
