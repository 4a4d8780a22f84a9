"""The rules of identification, exit and village exit (REFERENCE §3, §4; seed 004): the transition
tables of the three case processes, who takes each step, the vote's quorum, the home-visit checklist,
which notice each step waits for, and the notice period's minimum. One place: the services, the pages,
the API, the adjustment job and the demo all follow these tables.

Identification (识别, seven steps; the state names the last step done)::

    户申报 applied → 小组议 group → 村评定 village ══ first notice (村) ══▶ 入户查 visited
      → 逐级核 township ══ second notice (村) ══▶ 县确认 county (户 → 贫困户) ══ announcement (县) ══▶ 市抽查 city

Exit (退出)::

    民主评议 proposed (exit check passes) → 户认可 agreed ══ exit notice (村) ══▶ 乡镇审核 reviewed
      ══ exit announcement (县) ══▶ 销号 closed (户 → 已脱贫, the check passing again)

Village exit (贫困村退出)::

    乡镇申请 village_proposed (incidence under the threshold) ══ notice (乡镇) ══▶ 县级核查 village_reviewed
      ══ announcement (县) ══▶ 批准退出 village_exited

Monitoring entry and risk elimination (防返贫监测, issue 14; REFERENCE §7; fupin.monitoring)::

    入户核实 entry_visit (signed consent) → 数据比对 entry_check → 村级民主评议 entry_appraisal (vote)
      ══ village notice (≥ 5 days) ══▶ 乡镇审核 entry_township → 县级审定 entry_county
      (户 → 监测对象(风险未消除)) ══ announcement (县) ══▶ 公告录入 entry_recorded

and the same for 风险消除 (clear_*; 县级审定 → 监测对象(风险已消除), REFERENCE §7's conditions judged again).

Any open step may send the case back to an earlier one (with a reason; it is then struck from the notices
it was on) or refuse it (不予通过); the applicant may withdraw (撤回). The one who may take the next step
forward is the one who sends back or refuses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin import workflow

from .models import CaseKind, NoticeKind, Step

if TYPE_CHECKING:
    from fupin.accounts.models import User

    from .models import Case

# --- who ----------------------------------------------------------------------------------------------

#: The capability (fupin.accounts.policy.CAPABILITIES) that reaching each state needs.
STEP_CAPABILITY: dict[str, str] = {
    Step.APPLIED: "case_open",
    Step.GROUP: "case_village",
    Step.VILLAGE: "case_village",
    Step.VISITED: "case_visit",
    Step.TOWNSHIP: "case_township",
    Step.COUNTY: "case_county",
    Step.CITY: "case_county",
    Step.PROPOSED: "case_village",
    Step.AGREED: "case_village",
    Step.REVIEWED: "case_township",
    Step.CLOSED: "case_county",
    Step.VILLAGE_PROPOSED: "case_township",
    Step.VILLAGE_REVIEWED: "case_county",
    Step.VILLAGE_EXITED: "case_county",
    # 防返贫监测: the village visits, cross-checks and appraises; the township reviews; the county approves
    # and records the announcement.
    Step.ENTRY_VISIT: "case_open", Step.ENTRY_CHECK: "case_village", Step.ENTRY_APPRAISAL: "case_village",
    Step.ENTRY_TOWNSHIP: "case_township", Step.ENTRY_COUNTY: "case_county", Step.ENTRY_RECORDED: "case_county",
    Step.CLEAR_VISIT: "case_open", Step.CLEAR_CHECK: "case_village", Step.CLEAR_APPRAISAL: "case_village",
    Step.CLEAR_TOWNSHIP: "case_township", Step.CLEAR_COUNTY: "case_county", Step.CLEAR_RECORDED: "case_county",
}

#: The forward path of each kind, first state first.
PATHS: dict[str, tuple[str, ...]] = {
    CaseKind.IDENTIFICATION: (Step.APPLIED, Step.GROUP, Step.VILLAGE, Step.VISITED, Step.TOWNSHIP, Step.COUNTY,
                              Step.CITY),
    CaseKind.EXIT: (Step.PROPOSED, Step.AGREED, Step.REVIEWED, Step.CLOSED),
    CaseKind.VILLAGE_EXIT: (Step.VILLAGE_PROPOSED, Step.VILLAGE_REVIEWED, Step.VILLAGE_EXITED),
    CaseKind.MONITOR_ENTRY: (Step.ENTRY_VISIT, Step.ENTRY_CHECK, Step.ENTRY_APPRAISAL, Step.ENTRY_TOWNSHIP,
                             Step.ENTRY_COUNTY, Step.ENTRY_RECORDED),
    CaseKind.MONITOR_CLEAR: (Step.CLEAR_VISIT, Step.CLEAR_CHECK, Step.CLEAR_APPRAISAL, Step.CLEAR_TOWNSHIP,
                             Step.CLEAR_COUNTY, Step.CLEAR_RECORDED),
}
#: The monitoring procedures' kinds (fupin.monitoring runs them; their household effect is its own).
MONITOR_KINDS = frozenset({CaseKind.MONITOR_ENTRY, CaseKind.MONITOR_CLEAR})
FINAL = frozenset({Step.CITY, Step.CLOSED, Step.VILLAGE_EXITED, Step.ENTRY_RECORDED, Step.CLEAR_RECORDED,
                   Step.REJECTED, Step.WITHDRAWN})
#: After these, the household's status has changed: the case can no longer go back or be refused.
POINT_OF_NO_RETURN = frozenset({Step.COUNTY, Step.ENTRY_COUNTY, Step.CLEAR_COUNTY})

#: The notice a case waits on before it may leave a state: {state: notice kind}. The notice is hung while
#: the case is in that state; the next step may be taken only once its period is over and every objection
#: to the case (or to the notice as a whole) is resolved and none upheld.
NOTICE_BEFORE_LEAVING: dict[str, str] = {
    Step.VILLAGE: NoticeKind.FIRST,
    Step.TOWNSHIP: NoticeKind.SECOND,
    Step.COUNTY: NoticeKind.COUNTY,
    Step.AGREED: NoticeKind.EXIT_NOTICE,
    Step.REVIEWED: NoticeKind.EXIT_ANNOUNCEMENT,
    Step.VILLAGE_PROPOSED: NoticeKind.VILLAGE_EXIT_NOTICE,
    Step.VILLAGE_REVIEWED: NoticeKind.VILLAGE_EXIT_ANNOUNCEMENT,
    Step.ENTRY_APPRAISAL: NoticeKind.MONITOR_ENTRY_NOTICE,
    Step.ENTRY_COUNTY: NoticeKind.MONITOR_ENTRY_ANNOUNCEMENT,
    Step.CLEAR_APPRAISAL: NoticeKind.MONITOR_CLEAR_NOTICE,
    Step.CLEAR_COUNTY: NoticeKind.MONITOR_CLEAR_ANNOUNCEMENT,
}
#: {notice kind: the state its cases are in}, and the level of area a notice of the kind hangs in.
NOTICE_STEP: dict[str, str] = {kind: step for step, kind in NOTICE_BEFORE_LEAVING.items()}
NOTICE_LEVEL: dict[str, str] = {
    NoticeKind.FIRST: "village", NoticeKind.SECOND: "village", NoticeKind.EXIT_NOTICE: "village",
    NoticeKind.COUNTY: "county", NoticeKind.EXIT_ANNOUNCEMENT: "county",
    NoticeKind.VILLAGE_EXIT_NOTICE: "township", NoticeKind.VILLAGE_EXIT_ANNOUNCEMENT: "county",
    NoticeKind.MONITOR_ENTRY_NOTICE: "village", NoticeKind.MONITOR_ENTRY_ANNOUNCEMENT: "county",
    NoticeKind.MONITOR_CLEAR_NOTICE: "village", NoticeKind.MONITOR_CLEAR_ANNOUNCEMENT: "county",
}
#: Who publishes a notice of each kind (and resolves its objections: the level that decided).
NOTICE_CAPABILITY: dict[str, str] = {
    NoticeKind.FIRST: "case_village", NoticeKind.SECOND: "case_township", NoticeKind.COUNTY: "case_county",
    NoticeKind.EXIT_NOTICE: "case_village", NoticeKind.EXIT_ANNOUNCEMENT: "case_county",
    NoticeKind.VILLAGE_EXIT_NOTICE: "case_township", NoticeKind.VILLAGE_EXIT_ANNOUNCEMENT: "case_county",
    NoticeKind.MONITOR_ENTRY_NOTICE: "case_village", NoticeKind.MONITOR_ENTRY_ANNOUNCEMENT: "case_county",
    NoticeKind.MONITOR_CLEAR_NOTICE: "case_village", NoticeKind.MONITOR_CLEAR_ANNOUNCEMENT: "case_county",
}

#: Kinds whose minimum period is not the identification's (the setting named): {kind: (setting, default)}.
#: REFERENCE §7: a monitoring notice runs at least 5 days (FUPIN_MONITOR_NOTICE_MIN_DAYS).
NOTICE_MIN_DAYS_SETTING: dict[str, tuple[str, int]] = {
    NoticeKind.MONITOR_ENTRY_NOTICE: ("MONITOR_NOTICE_MIN_DAYS", 5),
    NoticeKind.MONITOR_ENTRY_ANNOUNCEMENT: ("MONITOR_NOTICE_MIN_DAYS", 5),
    NoticeKind.MONITOR_CLEAR_NOTICE: ("MONITOR_NOTICE_MIN_DAYS", 5),
    NoticeKind.MONITOR_CLEAR_ANNOUNCEMENT: ("MONITOR_NOTICE_MIN_DAYS", 5),
}


def notice_min_days(kind: str | None = None) -> int:
    """A notice of ``kind`` runs at least this many days, first and last included (REFERENCE §3: 7,
    configurable through FUPIN_NOTICE_MIN_DAYS; §7's monitoring notices 5, FUPIN_MONITOR_NOTICE_MIN_DAYS)."""
    setting, default = NOTICE_MIN_DAYS_SETTING.get(kind or "", ("NOTICE_MIN_DAYS", 7))
    return int(getattr(settings, setting, default))


def step_label(code: str) -> str:
    return str(Step(code).label) if code in Step.values else str(code)


def may_take(actor: User | None, target: str, case: Case | None = None) -> bool:
    """Whether ``actor``'s role may bring a case to ``target`` (scope is checked apart). With ``case``, the
    table's answer for the step from where the case is (sending back, 不予通过 and 撤回 depend on it)."""
    from fupin.accounts import policy

    if actor is None:
        return True
    capability = STEP_CAPABILITY.get(target)
    if case is not None:
        transition = TABLES[case.kind].find(case.step, target)
        capability = transition.may if transition is not None else None
    return isinstance(capability, str) and policy.can(actor, capability)


def _forward_capability(source: str, kind: str) -> str:
    """Sending back or refusing from ``source`` is for whoever would take the next step forward."""
    path = PATHS[kind]
    return STEP_CAPABILITY[path[path.index(source) + 1]]


# --- the vote -----------------------------------------------------------------------------------------

#: 村民代表会议: at least two thirds of the representatives present, and more than half of those present
#: in favour (REFERENCE §3: "a quorum of 2/3 of representatives is typical").
QUORUM_NUMERATOR, QUORUM_DENOMINATOR = 2, 3
#: The steps that are a democratic appraisal and need the vote.
VOTED_STEPS = frozenset({Step.VILLAGE, Step.PROPOSED, Step.ENTRY_APPRAISAL, Step.CLEAR_APPRAISAL})


def vote_errors(votes: Mapping[str, Any] | None) -> dict[str, str]:
    """Why a recorded vote does not carry the step ({field: message}), empty when it does."""
    votes = votes or {}
    names = ("representatives", "present", "votes_for", "votes_against", "votes_abstain")
    values: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name in names:
        value = votes.get(name)
        if value in (None, ""):
            value = 0 if name in ("votes_against", "votes_abstain") else None
        if value is None:
            errors[name] = _("民主评定须填写应到代表人数、实到人数和同意票数")
            continue
        try:
            values[name] = int(value)
        except (TypeError, ValueError):
            errors[name] = _("“%(v)s”不是人数") % {"v": value}
            continue
        if values[name] < 0:
            errors[name] = _("人数不能为负数")
    if errors:
        return errors
    total, present = values["representatives"], values["present"]
    if total < 1:
        return {"representatives": _("应到代表人数至少为 1")}
    if present > total:
        return {"present": _("实到人数（%(p)d）不能多于应到代表人数（%(t)d）") % {"p": present, "t": total}}
    cast = values["votes_for"] + values["votes_against"] + values["votes_abstain"]
    if cast > present:
        return {"votes_for": _("同意、反对、弃权票合计 %(c)d 张，多于实到人数 %(p)d") % {"c": cast, "p": present}}
    needed = math.ceil(total * QUORUM_NUMERATOR / QUORUM_DENOMINATOR)
    if present < needed:
        return {"present": _("实到 %(p)d 人，不足应到代表 %(t)d 人的三分之二（至少 %(n)d 人），会议无效") % {
            "p": present, "t": total, "n": needed}}
    if values["votes_for"] * 2 <= present:
        return {"votes_for": _("同意 %(f)d 票，未超过实到人数 %(p)d 的半数，评定未通过") % {
            "f": values["votes_for"], "p": present}}
    return {}


# --- the home visit -----------------------------------------------------------------------------------

#: 入户查 (REFERENCE §3 step 4): each item answered 是/否 with a note; every item must be answered.
CHECKLIST: dict[str, Any] = {
    "housing": gettext_lazy("住房情况已核实（面积、结构、是否危房）"),
    "grain": gettext_lazy("粮食与生产情况已核实（耕地、作物、养殖）"),
    "labour": gettext_lazy("劳动力与务工情况已核实"),
    "schooling": gettext_lazy("子女就学情况已核实"),
    "assets": gettext_lazy("家庭资产已核实（车辆、商品房、经营实体）"),
    "registries": gettext_lazy("已与公安、车管、工商、不动产等部门信息比对"),
    "consent": gettext_lazy("农户已签字同意信息核查"),
}


#: 入户核实 of the monitoring procedures (REFERENCE §7: "household visit with a signed consent"): the
#: consent must be answered 是 — without the household's signed commitment the procedure does not start.
MONITOR_CHECKLIST: dict[str, Any] = {
    "situation": gettext_lazy("家庭成员、收入支出和风险情况已入户核实"),
    "income": gettext_lazy("近12个月家庭收入已核算"),
    "expenses": gettext_lazy("刚性支出（医疗、教育、灾损等）已核实"),
    "consent": gettext_lazy("农户已签字承诺所报信息真实并授权查询核对"),
}
#: Items that must be answered 是 (not merely answered).
REQUIRED_YES: dict[str, frozenset[str]] = {"monitor": frozenset({"consent"})}
#: The checklist a step takes (forward), by its target state.
CHECKLISTS: dict[str, tuple[str, dict[str, Any]]] = {
    Step.VISITED: ("identification", CHECKLIST),
    Step.ENTRY_VISIT: ("monitor", MONITOR_CHECKLIST),
    Step.CLEAR_VISIT: ("monitor", MONITOR_CHECKLIST),
}


def checklist_for(target: str) -> dict[str, Any] | None:
    """The home-visit checklist reaching ``target`` takes, or None."""
    found = CHECKLISTS.get(target)
    return found[1] if found else None


def checklist_errors(checklist: Mapping[str, Any] | None, target: str = Step.VISITED) -> dict[str, str]:
    name, items = CHECKLISTS.get(target, ("identification", CHECKLIST))
    checklist = checklist or {}
    unknown = sorted(set(checklist) - set(items))
    if unknown:
        return {"checklist": _("入户核查清单含有未知项目：%(k)s") % {"k": "、".join(unknown)}}
    missing = [str(label) for key, label in items.items()
               if not isinstance(checklist.get(key), Mapping) or not isinstance(checklist[key].get("ok"), bool)]
    if missing:
        return {"checklist": _("入户核查清单未填完：%(items)s") % {"items": "；".join(missing)}}
    refused = [str(items[key]) for key in sorted(REQUIRED_YES.get(name, ())) if checklist[key]["ok"] is not True]
    if refused:
        return {"checklist": _("未取得农户签字承诺，不能办理：%(items)s") % {"items": "；".join(refused)}}
    return {}


# --- the tables ---------------------------------------------------------------------------------------


def _needs_vote(step: workflow.Step) -> Mapping[str, str] | None:
    return vote_errors(step.extra.get("votes")) or None


def _needs_checklist(step: workflow.Step) -> Mapping[str, str] | None:
    return checklist_errors(step.extra.get("checklist"), step.target) or None


def _notice_over(step: workflow.Step) -> str | None:
    """The case may leave its state only after the notice it waits on has run its full period with every
    objection resolved and none upheld (fupin.identification.services.notice_blocker)."""
    from . import services

    return services.notice_blocker(step.obj, step.source)


def _household_effect(step: workflow.Step) -> None:
    from . import services

    services.apply_household_effect(step)


def _guard(source: str, target: str) -> tuple:
    guards: list = []
    if source in NOTICE_BEFORE_LEAVING and target not in (Step.REJECTED, Step.WITHDRAWN) \
            and PATHS_INDEX.get((source, target)) == "forward":
        guards.append(_notice_over)
    if target in VOTED_STEPS:
        guards.append(_needs_vote)
    if target in CHECKLISTS:
        guards.append(_needs_checklist)
    return tuple(guards)


PATHS_INDEX: dict[tuple[str, str], str] = {}


def _table(kind: str) -> workflow.Table:
    path = PATHS[kind]
    transitions = []
    for i, source in enumerate(path[:-1]):
        target = path[i + 1]
        PATHS_INDEX[(source, target)] = "forward"
        transitions.append(workflow.Transition(source, target, may=STEP_CAPABILITY[target],
                                               guards=_guard(source, target), effects=(_household_effect,)))
        if source in POINT_OF_NO_RETURN:
            continue
        back = _forward_capability(source, kind)
        for earlier in path[:i]:
            PATHS_INDEX[(source, earlier)] = "back"
            transitions.append(workflow.Transition(source, earlier, may=back, effects=(_household_effect,)))
        transitions.append(workflow.Transition(source, Step.REJECTED, may=back, effects=(_household_effect,)))
        transitions.append(workflow.Transition(source, Step.WITHDRAWN, may=STEP_CAPABILITY[path[0]],
                                               effects=(_household_effect,)))
    states = [*path, Step.REJECTED, Step.WITHDRAWN]
    return workflow.Table(states=states, transitions=transitions)


TABLES: dict[str, workflow.Table] = {kind: _table(kind) for kind in PATHS}


def is_back(source: str, target: str) -> bool:
    return PATHS_INDEX.get((source, target)) == "back"


def next_steps(case: Case) -> list[str]:
    """The states a case may move to from where it is, forward first (for the page's buttons)."""
    table = TABLES[case.kind]
    path = PATHS[case.kind]
    targets = table.targets(case.step)
    forward = [t for t in path if t in targets and not is_back(case.step, t)]
    back = [t for t in path if t in targets and is_back(case.step, t)]
    return [*forward, *back, *[t for t in (Step.REJECTED, Step.WITHDRAWN) if t in targets]]
