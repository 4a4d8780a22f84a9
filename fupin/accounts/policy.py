"""THE access and privacy policy: every decision about who may see or change what, in one module.

Pages, the API, exports, the admin, search and the CLI ask these functions; none of them compares
role names or builds a scope filter itself (issue 10). Three questions are answered here:

1. **Capabilities** — what a role may do at all (write, reveal, read the audit trail ...): ``can``.
2. **Scope** — which areas and households a user may see (``area_q``, ``household_q``,
   ``visible_households``) and where they may write (``check_write``). Most roles see their area's
   subtree. Roles whose work is about particular households (帮扶责任人: the households paired to them;
   评估人员: the households of the samples assigned to them) get their household set from a
   *provider* that the owning app registers (``register_household_provider``) in its
   ``AppConfig.ready``; this module imports neither app, and the registry imports neither.
3. **Privacy** — how each sensitive field is shown to each role: whole, masked or hidden
   (``field_access``, ``shown``), with the one set of masking functions (``mask_id``, ``mask_phone``,
   ``mask_bank``). ``FIELD_POLICY`` is the table; tests/scope/test_field_matrix.py proves every surface
   (page, API, export, admin) follows it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .models import Role, User

if TYPE_CHECKING:
    # For the annotations only: at run time the policy imports neither the areas nor the registry.
    from django.contrib.auth.models import AnonymousUser

    from fupin.areas.models import Area
    from fupin.registry.models import Household

# --- roles and capabilities ------------------------------------------------------------------------

#: Roles that register and correct registry data inside their area.
WRITERS = frozenset({Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE})

#: What each role may do. A capability not listed for a role is refused.
CAPABILITIES: dict[str, frozenset[str]] = {
    # Register and correct households, members, yearly records; import sheets; pair and sample.
    "write": WRITERS,
    # Press 显示完整信息: unmask personal numbers for one response (audited each time).
    "reveal": frozenset({Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE, Role.CADRE, Role.AUDITOR}),
    # Read the audit trail (/audit/, the audit admin).
    "read_audit": frozenset({Role.ADMIN, Role.COUNTY, Role.AUDITOR}),
    # See a household's 修改记录 tab (the trail of one household they may see anyway).
    "household_history": frozenset({Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE, Role.AUDITOR}),
    # Be shown 贫困发生率 (poor people / the area's rural population). A 帮扶责任人 or 评估人员 sees only
    # some households of an area, so a rate over the whole area's population would be wrong.
    "incidence": frozenset({Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE, Role.LEADER, Role.AUDITOR}),
    # Exports carry personal numbers whole (the file must import again after corrections): only for
    # those who correct the data. Everyone else's export is masked as their pages are.
    "export_whole": WRITERS,
    # May be chosen as the 帮扶责任人 of a pairing / the 评估人员 of a sample.
    "be_paired": frozenset({Role.CADRE}),
    "be_sampled": frozenset({Role.ASSESSOR}),
    # Manage the accounts of their subtree (/accounts/users/): create, reset a password, lock, unlock;
    # which roles each may give is ASSIGNABLE_ROLES.
    "manage_users": frozenset({Role.ADMIN, Role.COUNTY}),
    # The steps of identification and exit cases (fupin.identification.rules says which step needs
    # which): each level acts only on its own steps, inside its own subtree (check_write). 户申报 /
    # 干部上报 may come from any writer; 小组议, 村评定, 民主评议 and 户认可 are the village's; 入户查 the
    # village's or the township's; 逐级核 and the village-exit application the township's; 县确认, 销号
    # and the county's notices the county's; 市抽查 is recorded by the county office (the city's
    # checkers have no accounts here). 系统管理员 may take every step.
    "case_open": WRITERS,
    "case_village": frozenset({Role.ADMIN, Role.VILLAGE}),
    "case_visit": frozenset({Role.ADMIN, Role.VILLAGE, Role.TOWNSHIP}),
    "case_township": frozenset({Role.ADMIN, Role.TOWNSHIP}),
    "case_county": frozenset({Role.ADMIN, Role.COUNTY}),
    # Edit the standards (poverty lines, exit criteria, 七不进, 四进, 四看 scoring) of their area.
    "manage_standards": frozenset({Role.ADMIN, Role.COUNTY}),
    # Run the yearly dynamic adjustment (动态调整) of their area and confirm or decline its proposals.
    "adjust": frozenset({Role.ADMIN, Role.COUNTY}),
    # --- issue 14, archive part: 年度档案 (fupin.monitoring.archive). Build, download and verify the
    # year-end archive of an area in their subtree. It holds the household list as an export does, so
    # only roles whose exports carry the same fields (export_whole, the same FIELD_POLICY): an archive
    # built by one of them shows nothing the others may not see.
    "archive": WRITERS,
    # --- issue 14, dashboards (dash): edit the 目标任务 (targets) of their area, which the dashboards
    # compare exits and returns against. Everyone who sees an area sees its dashboard and tables.
    "edit_targets": frozenset({Role.ADMIN, Role.COUNTY}),
    # (issue 14, alerts) Push a department's warning list (部门预警名单) for an area of their subtree; edit
    # the warning rules (预警规则) of their own area. Closing a warning is a write in its village (check_write).
    "alert_push": frozenset({Role.ADMIN, Role.COUNTY, Role.TOWNSHIP}),
    "alert_rules": frozenset({Role.ADMIN, Role.COUNTY}),
    # --- issue 15 #7, 扶贫小额信贷 (fupin.credit). 评级授信 is done by the village committee, the work team
    # and the bank together; the village's (or a higher level's) writer records it. The rating scheme,
    # the yearly rates and subsidy shares, the subsidy payments and the risk-compensation fund are the
    # county office's. Loans and repayments are recorded by the lending bank (its own loans only:
    # ORGANISATION_SCOPES) or by the county office. The monthly statement is read by the county, its
    # leaders and auditors, and each bank for itself.
    "credit_rate": WRITERS,
    "credit_scheme": frozenset({Role.ADMIN, Role.COUNTY}),
    "credit_lend": frozenset({Role.ADMIN, Role.COUNTY, Role.BANK}),
    "credit_subsidy": frozenset({Role.ADMIN, Role.COUNTY}),
    "credit_fund": frozenset({Role.ADMIN, Role.COUNTY}),
    # bank15: 追偿 after 代偿 is recorded by the county office or by the lending bank (its own bank's loans:
    # check_organisation), and reversed when recorded in error by the county office or the bank that
    # recorded it (may_reverse_recovery)
    "credit_recover": frozenset({Role.ADMIN, Role.COUNTY, Role.BANK}),
    # issue 15 (fin15): the lending banks of their county (承贷银行: create, edit, give a 银行 account)
    "credit_banks": frozenset({Role.ADMIN, Role.COUNTY}),
    "credit_statement": frozenset({Role.ADMIN, Role.COUNTY, Role.LEADER, Role.AUDITOR, Role.BANK}),
    "be_bank_staff": frozenset({Role.BANK}),
    # issue 15 (visit15): 走访 — log a visit to a household (with its photos). A 帮扶责任人 logs visits
    # to the households paired to it (its household scope), the writers to those of their subtree
    # (fupin.assistance.services_visits.visit_create checks the household through visible_households).
    "log_visit": WRITERS | {Role.CADRE},
    # issue 15 (visit15): the home page is the cadre's own page (/assistance/my/: my households, visits
    # and measures due) rather than the general 首页.
    "assistance_home": frozenset({Role.CADRE}),
    # issue 15 (plan15): 一户一策. A plan is drawn up with the household by its 帮扶责任人 and the village:
    # writers in their subtree, and a 帮扶责任人 for the households paired to them (check_household_work).
    "plan": WRITERS | {Role.CADRE},
    # issue 15 (plan15): edit the measure catalogue (帮扶措施目录, the "菜单") of their own area.
    "manage_catalogue": frozenset({Role.ADMIN, Role.COUNTY}),
    # issue 15 (who15): manage who helps — helping units, cadres, work teams and their postings and days in
    # the village, the links of leaders and departments, pairings (bulk by village, reassignment) — inside
    # their subtree (check_write on the row's area). Everyone with a scope reads them (helpers_q).
    "manage_assistance": WRITERS,
    # issue 15 (who15): set the assistance thresholds (AssistanceRule) of their own area: county offices only.
    "assistance_rules": frozenset({Role.ADMIN, Role.COUNTY}),
    # --- issue 16, projects and funds (fupin.projects). The project lifecycle (rules.STEP_CAPABILITY says
    # which step needs which): a village (or any writer) proposes; the township reviews; the lead department
    # (行业部门) or the county office appraises; the county approves, notices, takes it into the library and
    # the year's plan, announces and hands over; implementation (progress, contracts) is recorded by the
    # township, the lead department or the county; acceptance by the lead department or the county.
    "project_propose": WRITERS,
    "project_township": frozenset({Role.ADMIN, Role.TOWNSHIP}),
    "project_appraise": frozenset({Role.ADMIN, Role.COUNTY, Role.DEPARTMENT}),
    "project_county": frozenset({Role.ADMIN, Role.COUNTY}),
    "project_implement": frozenset({Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.DEPARTMENT}),
    "project_accept": frozenset({Role.ADMIN, Role.COUNTY, Role.DEPARTMENT}),
    # The fund ledger: documents, allocations and the negative list are the county office's; payments and
    # household subsidy batches are made by the county or the township holding the money.
    "funds": frozenset({Role.ADMIN, Role.COUNTY}),
    "fund_pay": frozenset({Role.ADMIN, Role.COUNTY, Role.TOWNSHIP}),
    # 公告公示 of funds and projects: published by the level whose board it hangs on (check_write on its area).
    "disclose": WRITERS,
    # 扶贫项目资产: ledger, maintenance, income and its distribution in their subtree; disposal is approved
    # by the county office; the thresholds (ProjectRule) of their area are the county office's.
    "assets": WRITERS,
    "asset_dispose": frozenset({Role.ADMIN, Role.COUNTY}),
    "project_rules": frozenset({Role.ADMIN, Role.COUNTY}),
    "be_department_staff": frozenset({Role.DEPARTMENT}),
}


def role_of(user: User | AnonymousUser | None) -> str | None:
    """The role the policy applies: None for an anonymous user; a superuser counts as 系统管理员."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Role.ADMIN if getattr(user, "is_superuser", False) else getattr(user, "role", None)


def can(user: User | AnonymousUser | None, capability: str) -> bool:
    """Whether ``user``'s role has ``capability`` (a key of CAPABILITIES; an unknown key is a bug)."""
    return role_of(user) in CAPABILITIES[capability]


def can_write(user: User | AnonymousUser | None) -> bool:
    return can(user, "write")


def can_reveal(user: User | AnonymousUser | None) -> bool:
    return can(user, "reveal")


def can_read_audit(user: User | AnonymousUser | None) -> bool:
    return can(user, "read_audit")


def sees_incidence(user: User | AnonymousUser | None) -> bool:
    return can(user, "incidence")


def require(user: User | AnonymousUser | None, capability: str, message: str | None = None) -> None:
    """PermissionDenied (403) unless the user has ``capability``."""
    if not can(user, capability):
        raise PermissionDenied(message or _("您的角色只能查看，不能修改数据"))


def user_choices_q(capability: str) -> Q:
    """Users who may be chosen for a role-bound part (``be_paired``, ``be_sampled``): for forms and
    ``limit_choices_to``."""
    return Q(role__in=sorted(CAPABILITIES[capability]), is_active=True)


def role_fit_for(capability: str) -> str:
    """The one role fit for a role-bound part (``be_bank_staff``: the role a bank's new account is given)."""
    (role,) = CAPABILITIES[capability]
    return role


def check_assignable(user: User | None, capability: str, field: str, message: str) -> None:
    """ValidationError on ``field`` unless ``user`` is an active account fit for ``capability``."""
    if user is None or getattr(user, "role", None) not in CAPABILITIES[capability] or not user.is_active:
        raise ValidationError({field: message})


# --- user management -----------------------------------------------------------------------------

#: The roles a user manager may give an account (create it with, reset or lock it): never a role with
#: more power than their own, never their own (a 县级管理员 does not make other 县级管理员).
#: A 县级管理员 sets up the township and village cadres and the 帮扶责任人 of the county; 领导, 审计 and
#: 评估人员 belong to other offices and are set up by the 系统管理员.
#: Capabilities that are a level's own duty in a procedure (the village's 小组议 and 村评定, the township's 逐级核 and
#: its 乡镇审核 of a project), not a power over anyone: a county manager does not hold them (each level acts on
#: its own steps), yet may create the village and township accounts that do.
LEVEL_DUTIES = frozenset({"case_village", "case_visit", "case_township", "project_township"})

ASSIGNABLE_ROLES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Role.values) - {Role.ADMIN},
    # issue 15 (fin15): and the 银行 accounts of the banks lending in the county (linked to their bank on
    # /credit/banks/; a 银行 account sees nothing until linked, then only its own bank's clients and loans)
    # issue 16: and the 行业部门 accounts of the county's line departments (linked to their department on the
    # accounts page or /projects/departments/; an account without one sees no project)
    Role.COUNTY: frozenset({Role.TOWNSHIP, Role.VILLAGE, Role.CADRE, Role.BANK, Role.DEPARTMENT}),
}

#: The area levels an account of each role is placed at (its area is its scope).
ROLE_AREA_LEVELS: dict[str, tuple[str, ...]] = {
    Role.COUNTY: ("county",),
    Role.TOWNSHIP: ("township",),
    Role.VILLAGE: ("village",),
    Role.CADRE: ("county", "township", "village"),
    Role.LEADER: ("county", "township"),
    Role.AUDITOR: ("county",),
    Role.ASSESSOR: ("county",),
    Role.BANK: ("county",),
    Role.DEPARTMENT: ("county",),
}


def assignable_roles(actor: User | AnonymousUser | None) -> list[str]:
    """The roles ``actor`` may give, in the order of Role (empty without ``manage_users``)."""
    if not can(actor, "manage_users"):
        return []
    allowed = ASSIGNABLE_ROLES.get(role_of(actor), frozenset())
    return [r for r in Role.values if r in allowed]


def users_q(actor: User | AnonymousUser | None) -> Q:
    """The accounts a user manager sees on the accounts page: those placed in their subtree (a global
    administrator: every account). Nobody else sees any."""
    if not can(actor, "manage_users"):
        return Q(pk__in=[])
    return area_q(actor, "area__path") if scope_path(actor) else Q()


def manageable_users_q(actor: User | AnonymousUser | None) -> Q:
    """The accounts ``actor`` may reset and lock: in their subtree, of a role they may give, never a
    superuser and never themselves."""
    roles = assignable_roles(actor)
    if not roles:
        return Q(pk__in=[])
    return users_q(actor) & Q(role__in=roles, is_superuser=False) & ~Q(pk=getattr(actor, "pk", None))


def may_manage(actor: User | AnonymousUser | None, user: User) -> bool:
    """Whether ``actor`` may reset / lock ``user`` (the account's role and area, as ``manageable_users_q``)."""
    if user.is_superuser or user.pk == getattr(actor, "pk", None) or user.role not in assignable_roles(actor):
        return False
    scope = scope_path(actor)
    if scope == "":
        return True
    area = getattr(user, "area", None)
    return scope is not None and area is not None and area.path.startswith(scope)


def check_account(actor: User | None, role: str, area: Area | None) -> None:
    """The check every account write calls: PermissionDenied without ``manage_users``; a
    ValidationError naming ``role`` for a role the actor may not give, and naming ``area`` for an area
    outside their subtree or of the wrong level for the role. ``actor`` None is the system."""
    if actor is None:
        return
    if not can(actor, "manage_users"):
        raise PermissionDenied(_("您的角色不能管理用户账号"))
    if role not in assignable_roles(actor):
        raise ValidationError({"role": _("您不能设置“%(role)s”角色的账号") % {"role": Role(role).label}})
    levels = ROLE_AREA_LEVELS.get(role, ())
    if area is None:
        raise ValidationError({"area": _("请选择所属区划")})
    scope = scope_path(actor)
    if scope is None or not area.path.startswith(scope):
        raise ValidationError({"area": _("无权在该区划（%(name)s）设置账号") % {"name": area.name}})
    if levels and area.level not in levels:
        raise ValidationError({"area": _("“%(role)s”账号的所属区划须为%(levels)s，“%(name)s”不是") % {
            "role": Role(role).label, "name": area.name,
            "levels": "、".join(str(_level_label(lv)) for lv in levels)}})


def _level_label(level: str) -> str:
    field = apps.get_model("areas", "Area")._meta.get_field("level")
    return str(dict(field.flatchoices).get(level, level))


# --- scope ---------------------------------------------------------------------------------------

def scope_path(user: User | AnonymousUser | None) -> str | None:
    """The area-code prefix a user's area scope covers: '' means everything, None means nothing.

    A user with an area sees its subtree. A 系统管理员 (or superuser) without an area sees the whole
    tree. Anyone else without an area sees no area (safe by default); a household-scoped role may
    still see households through its provider (``household_q``).
    """
    role = role_of(user)
    if role is None:
        return None
    area = getattr(user, "area", None)
    if area is not None:
        return area.path
    return "" if role == Role.ADMIN else None


def area_q(user: User | AnonymousUser | None, field: str = "path") -> Q:
    """A filter keeping only rows whose ``field`` (an area-code prefix) lies in the user's subtree."""
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == "":
        return Q()
    return Q(**{f"{field}__subtree": path})


#: Roles whose scope is a set of households rather than an area, and the name of that set: a
#: 帮扶责任人 sees the households paired to them (不脱贫不脱钩), an 评估人员 those of the samples
#: assigned to them.
HOUSEHOLD_SCOPES: dict[str, str] = {Role.CADRE: "pairings", Role.ASSESSOR: "samples",
                                     # a bank: the households it lent to or took part in rating (fupin.credit)
                                     Role.BANK: "bank_clients",
                                     # a 行业部门: the beneficiaries of the projects it leads (fupin.projects)
                                     Role.DEPARTMENT: "department_beneficiaries"}

#: scope name → function(user) giving a queryset of the ids of that user's households. Registered by
#: the apps that own the relation (assistance: "pairings", assessment: "samples"), so that this
#: module imports neither and the apps name no role.
_HOUSEHOLD_PROVIDERS: dict[str, Callable[[User], QuerySet]] = {}


def register_household_provider(scope: str, provider: Callable[[User], QuerySet]) -> None:
    """Provide the household set named ``scope`` (a value of HOUSEHOLD_SCOPES): the users of that role
    see the households ``provider(user)`` yields (a queryset of ids), still inside their area when
    they have one."""
    if scope not in HOUSEHOLD_SCOPES.values():
        raise ValueError(f"unknown household scope {scope!r}")
    _HOUSEHOLD_PROVIDERS[scope] = provider


#: Roles whose accounts act for an outside organisation: besides their households, the rows they see
#: are their organisation's only (a 银行 sees its own bank's loans, not another bank's loan to the same
#: household). scope name → function(user) giving the organisation's id (None: none), registered by the
#: app that owns the organisation (fupin.credit: "bank").
ORGANISATION_SCOPES: dict[str, str] = {Role.BANK: "bank", Role.DEPARTMENT: "department"}
_ORGANISATION_PROVIDERS: dict[str, Callable[[User], int | None]] = {}


def register_organisation_provider(scope: str, provider: Callable[[User], int | None]) -> None:
    if scope not in ORGANISATION_SCOPES.values():
        raise ValueError(f"unknown organisation scope {scope!r}")
    _ORGANISATION_PROVIDERS[scope] = provider


def acts_for(user: User | AnonymousUser | None, scope: str) -> bool:
    """Whether ``user``'s role acts for an organisation of ``scope`` ("bank", "department")."""
    return ORGANISATION_SCOPES.get(role_of(user)) == scope


def organisation_of(user: User | AnonymousUser | None) -> int | None:
    """The id of the organisation an organisation-scoped user acts for (None: none, or not such a role)."""
    scope = ORGANISATION_SCOPES.get(role_of(user))
    provider = _ORGANISATION_PROVIDERS.get(scope) if scope else None
    return provider(user) if provider is not None else None


def organisation_q(user: User | AnonymousUser | None, field: str) -> Q:
    """A filter keeping only rows of the user's own organisation (``field``: the row's organisation key)
    for organisation-scoped roles; no narrowing for the others (their area or households scope them)."""
    role = role_of(user)
    if role is None:
        return Q(pk__in=[])
    if role not in ORGANISATION_SCOPES:
        return Q()
    org = organisation_of(user)
    return Q(pk__in=[]) if org is None else Q(**{field: org})


def check_organisation(actor: User | None, organisation_id: int | None, field: str, message: str) -> None:
    """ValidationError on ``field`` when an organisation-scoped actor acts for another organisation (a
    bank's account records only its own bank's loans). Other roles and the system pass."""
    if actor is None or role_of(actor) not in ORGANISATION_SCOPES:
        return
    if organisation_of(actor) is None or organisation_of(actor) != organisation_id:
        raise ValidationError({field: message})


def may_reverse_recovery(actor: User | AnonymousUser | None, recorded_by_organisation: int | None) -> bool:
    """Whether ``actor`` (holding ``credit_recover``) may reverse a recovery recorded by the organisation
    ``recorded_by_organisation`` (None: by the county office): an organisation-scoped account (a 银行) only
    what its own organisation recorded; the others (the county office, a global administrator) any
    recovery of their scope. The system (None) may."""
    if actor is None:
        return True
    if not can(actor, "credit_recover"):
        return False
    if role_of(actor) in ORGANISATION_SCOPES:
        org = organisation_of(actor)
        return org is not None and org == recorded_by_organisation
    return True


def check_action(actor: User | None, capability: str, area: Area) -> None:
    """The write check of actions that are not registry writes (issue 15: rating, lending, subsidy, the
    risk fund): PermissionDenied without ``capability``; a ValidationError naming the area when ``area``
    lies outside the actor's subtree. ``actor`` None is the system."""
    if actor is None:
        return
    require(actor, capability, _("您的角色不能办理此项业务"))
    scope = scope_path(actor)
    if scope is None or not area.path.startswith(scope):
        raise ValidationError({"area": _("无权在该区划（%(name)s）办理此项业务") % {"name": area.name}})


def rule_areas_q(user: User | AnonymousUser | None) -> Q | None:
    """The areas whose thresholds (ProjectRule, capability ``project_rules``) ``user`` may set, as a filter on
    Area; None when the user may also set the values for everywhere (全国: a 系统管理员 without an area).
    A 系统管理员 chooses any area of their subtree; a county office only its own area (its county)."""
    if not can(user, "project_rules"):
        return Q(pk__in=[])
    if role_of(user) == Role.ADMIN:
        scope = scope_path(user)
        return None if scope == "" else (Q(pk__in=[]) if scope is None else Q(path__startswith=scope))
    area = getattr(user, "area", None)
    return Q(pk=area.pk) if area is not None else Q(pk__in=[])


def check_rule_area(actor: User | None, area: Area | None) -> None:
    """The write check of a threshold (fupin.projects.services_rules): PermissionDenied without
    ``project_rules``; a ValidationError naming the area when ``area`` (None: 全国) is not one the actor may
    set (rule_areas_q). ``actor`` None is the system."""
    if actor is None:
        return
    require(actor, "project_rules", _("您的角色不能修改项目资金规则"))
    allowed = rule_areas_q(actor)
    if allowed is None:
        return
    if area is None:
        raise ValidationError({"area": _("只有系统管理员能修改全国的规则值")})
    if not apps.get_model("areas", "Area").objects.filter(allowed, pk=area.pk).exists():
        raise ValidationError({"area": _("无权修改该区划（%(name)s）的规则值：县级只能修改本县的规则") % {"name": area.name}})


def may_act(user: User | AnonymousUser | None, capability: str, area: Area) -> bool:
    """``check_action`` as a yes/no, for showing a page's button (the service still checks)."""
    if not can(user, capability):
        return False
    scope = scope_path(user)
    return scope is not None and area.path.startswith(scope)


def scoped_by_households(user: User | AnonymousUser | None) -> bool:
    """帮扶责任人 and 评估人员: scoped by a set of households, not an area."""
    return role_of(user) in HOUSEHOLD_SCOPES


def household_q(user: User | AnonymousUser | None, field: str = "household") -> Q:
    """A filter keeping only rows whose household (reached through ``field``; "" for Household itself)
    the user may see. Members, yearly records, status history, findings ... all use it."""
    prefix = f"{field}__" if field else ""
    role = role_of(user)
    if role is None:
        return Q(pk__in=[])
    scope = HOUSEHOLD_SCOPES.get(role)
    if scope is None:
        return area_q(user, f"{prefix}area_path")
    provider = _HOUSEHOLD_PROVIDERS.get(scope)
    if provider is None:  # the owning app is not installed: nothing, never everything
        return Q(pk__in=[])
    q = Q(**{f"{prefix}pk__in": provider(user)})
    if getattr(user, "area", None) is not None:
        q &= area_q(user, f"{prefix}area_path")
    return q


def visible_households(user: User | AnonymousUser | None) -> QuerySet[Household]:
    """Every household the user may see (the registry's selectors start here)."""
    return apps.get_model("registry", "Household").objects.filter(household_q(user, ""))


def household_ids_seen(user: User | None, household_ids: Iterable[int]) -> set[int]:
    """Which of ``household_ids`` the user may see; all of them for the system (``user`` None). A
    message about another household (a person already registered there, its number taken) names it
    only to those who may see it: to others it would tell where someone lives (issue 11 #6)."""
    ids = set(household_ids)
    if user is None or not ids:
        return ids
    return set(visible_households(user).filter(pk__in=ids).values_list("pk", flat=True))


def visible_areas(user: User | AnonymousUser | None) -> QuerySet[Area]:
    """Every area in the user's subtree."""
    return apps.get_model("areas", "Area").objects.filter(area_q(user))


def check_write(actor: User | None, area: Area) -> None:
    """The write-scope check every service calls before changing anything in ``area``.

    ``actor`` None is the system itself (migrations, the demo generator, management commands run
    without ``--user``). Read-only roles get PermissionDenied (403); a writer outside their subtree
    gets a ValidationError naming the area (the object itself was already found through a scoped
    read, so nothing is revealed).
    """
    if actor is None:
        return
    if not can_write(actor):
        raise PermissionDenied(_("当前角色只能查看，不能登记或修改数据"))
    scope = scope_path(actor)
    if scope is None or not area.path.startswith(scope):
        raise ValidationError({"area": _("无权在该区划（%(name)s）登记或修改数据") % {"name": area.name}})


def check_household_work(actor: User | None, household: Household, capability: str) -> None:
    """issue 15 (plan15): the check of a write about one household that a household-scoped role may make
    on its own households (a 帮扶责任人's plan for a household paired to them). PermissionDenied without
    ``capability``; a household-scoped role must see the household (else a ValidationError, though the
    views found it through a scoped read first); any other role writes in its subtree (check_write)."""
    if actor is None:
        return
    if not can(actor, capability):
        raise PermissionDenied(_("您的角色只能查看，不能修改数据"))
    if scoped_by_households(actor):
        if not visible_households(actor).filter(pk=household.pk).exists():
            raise ValidationError({"household": _("无权修改该户（%(n)s）的数据") % {"n": household.number}})
        return
    check_write(actor, household.area)


def may_manage_catalogue(user: User | AnonymousUser | None, area: Area | None) -> bool:
    """issue 15 (plan15): whether ``user`` may edit a catalogue measure of ``area`` (None = offered
    everywhere: only with the whole tree in scope); as ``may_manage_standards`` for the catalogue."""
    if not can(user, "manage_catalogue"):
        return False
    scope = scope_path(user)
    if area is None:
        return scope == ""
    return scope is not None and area.path.startswith(scope)


def in_write_scope(actor: User | None, area: Area) -> bool:
    """``check_write`` as a yes/no (the importer asks it per row and words its own error)."""
    if actor is None:
        return True
    scope = scope_path(actor)
    return can_write(actor) and scope is not None and area.path.startswith(scope)


def actor_area_path(actor: User | None) -> str:
    """The area an audit row about no particular household belongs to: the actor's own area (so the
    county and auditors of that subtree see it); '' for the system or a global administrator."""
    return (scope_path(actor) or "") if actor is not None else ""


# --- standards (rule sets and poverty lines) -------------------------------------------------------

def standards_q(user: User | AnonymousUser | None, field: str = "area") -> Q:
    """The standards (rule sets, poverty lines; ``field`` their area, None = national) a user may read:
    the national ones, those of the areas above theirs (which apply to them) and those of their
    subtree. A user with no area scope reads the national ones only; anonymous users none."""
    if role_of(user) is None:
        return Q(pk__in=[])
    national = Q(**{f"{field}__isnull": True})
    path = scope_path(user)
    if path is None:
        return national
    if path == "":
        return Q()
    # Every prefix of the user's own path: the areas above it (paths have fixed widths per level, so
    # only real ancestors match), without this module knowing the widths.
    above = [path[:n] for n in range(1, len(path) + 1)]
    return national | Q(**{f"{field}__path__in": above}) | Q(**{f"{field}__path__subtree": path})


def may_manage_standards(user: User | AnonymousUser | None, area: Area | None) -> bool:
    """Whether ``user`` may set the standards of ``area`` (None = national): ``manage_standards`` and the
    area inside their subtree; the national standards only with the whole tree in scope."""
    if not can(user, "manage_standards"):
        return False
    scope = scope_path(user)
    if area is None:
        return scope == ""
    return scope is not None and area.path.startswith(scope)


def check_standards_write(actor: User | None, area: Area | None) -> None:
    """The check every write of a standard calls: PermissionDenied without ``manage_standards`` or for an
    area above the actor's own (the national or the province's standards are read-only to a county);
    a ValidationError naming ``area`` for one outside their subtree. ``actor`` None is the system."""
    if actor is None:
        return
    if not can(actor, "manage_standards"):
        raise PermissionDenied(_("您的角色只能查看标准，不能修改"))
    if may_manage_standards(actor, area):
        return
    scope = scope_path(actor) or ""
    if area is None or scope.startswith(area.path):
        raise PermissionDenied(_("“%(name)s”的标准由上级制定，您只能查看；可为本级另立标准") % {
            "name": area.name if area is not None else _("全国")})
    raise ValidationError({"area": _("无权设置该区划（%(name)s）的标准") % {"name": area.name}})


# --- assistance: who helps (issue 15, who15) ----------------------------------------------------------

def helpers_q(user: User | AnonymousUser | None, field: str = "area") -> Q:
    """The helping units and cadres (``field`` their area) a user may read: those of their subtree and of
    the areas above it. A county's departments and leaders help every township of the county, so a
    township officer sees them (to pair them with their households) but edits only their own subtree's
    (``check_write``); another county's are not there (404). Anonymous users and users with no area
    scope see none."""
    if role_of(user) is None or scope_path(user) is None:
        return Q(pk__in=[])
    return standards_q(user, field) & Q(**{f"{field}__isnull": False})


# --- privacy -------------------------------------------------------------------------------------

class Access(enum.StrEnum):
    WHOLE = "whole"
    MASKED = "masked"
    HIDDEN = "hidden"


W, M, H = Access.WHOLE, Access.MASKED, Access.HIDDEN

#: Sensitive fields, grouped: every field of a group is treated alike.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "id_number": ("id_number", "citizen_id"),
    "phone": ("phone", "cadre_phones"),
    "bank_account": ("bank_account",),
    "health": ("health",),
    "disability": ("disability_category", "disability_grade"),
    "disability_cert": ("disability_cert_no",),
    "dibao": ("dibao_amount",),
    "tekun": ("tekun_amount",),
    # Free text that can carry health details ("家庭成员患大病…"): the status history's reasons, the
    # notes of yearly records, the explanation of a data-quality finding, a case's 申请理由 and the
    # opinions recorded at its steps. It follows the health rule (HEALTH_FOLLOWERS), on every surface.
    # issue 15 (visit15): what a visit found, the help given and the follow-up (走访记录) likewise.
    "health_text": ("reason", "note", "resolution_note", "opinion", "findings", "help_given", "follow_up"),
}
#: Groups that have no rule of their own: they are treated as the group named here, for every role.
HEALTH_FOLLOWERS: dict[str, str] = {"health_text": "health"}
GROUP_OF: dict[str, str] = {field: group for group, fields in FIELD_GROUPS.items() for field in fields}

#: How each role sees each group on read surfaces (pages, API, admin), before any reveal.
#: Personal numbers are masked for everyone (they are needed whole only to correct them, in the edit
#: form, or after an audited 显示完整信息). Health, disability and support amounts are shown to those
#: who identify and help households and hidden from 领导 and 审计 (seed 002: 数据不外泄; they read
#: figures, not medical files).
_NUMBERS = {"id_number": M, "phone": M, "bank_account": M}
_CARE_WHOLE = {"health": W, "disability": W, "disability_cert": M, "dibao": W, "tekun": W}
_CARE_HIDDEN = {"health": H, "disability": H, "disability_cert": H, "dibao": H, "tekun": H}
FIELD_POLICY: dict[str, dict[str, Access]] = {
    Role.ADMIN: {**_NUMBERS, **_CARE_WHOLE},
    Role.COUNTY: {**_NUMBERS, **_CARE_WHOLE},
    Role.TOWNSHIP: {**_NUMBERS, **_CARE_WHOLE},
    Role.VILLAGE: {**_NUMBERS, **_CARE_WHOLE},
    Role.CADRE: {**_NUMBERS, **_CARE_WHOLE},
    Role.ASSESSOR: {**_NUMBERS, **_CARE_WHOLE},
    Role.LEADER: {**_NUMBERS, **_CARE_HIDDEN},
    Role.AUDITOR: {**_NUMBERS, **_CARE_HIDDEN},
    # A bank sees its borrowers' numbers masked and may not reveal them (it holds them from its own
    # contracts; this system is not to become a second source), and nothing of health, disability or
    # 低保/特困 amounts: a loan is decided on the rating, not on a medical file (fupin/credit docs).
    Role.BANK: {**_NUMBERS, **_CARE_HIDDEN},
    # A 行业部门 sees the beneficiaries of its projects as a leader does: numbers masked, care hidden.
    Role.DEPARTMENT: {**_NUMBERS, **_CARE_HIDDEN},
}


def field_access(user: User | AnonymousUser | None, field: str, *, revealed: bool = False) -> Access:
    """How ``user`` sees ``field``. Fields outside FIELD_GROUPS are not sensitive: WHOLE.

    ``revealed``: the response is an audited 显示完整信息 (or an export by a role with
    ``export_whole``): masked fields show whole for roles that may reveal. Revealing never shows what
    the role may not see at all (HIDDEN stays hidden)."""
    group = GROUP_OF.get(field)
    if group is None:
        return W
    group = HEALTH_FOLLOWERS.get(group, group)
    role = role_of(user)
    access = FIELD_POLICY.get(role, {}).get(group, H) if role is not None else H
    if access is M and revealed and can_reveal(user):
        return W
    return access


def export_reveals(user: User | AnonymousUser | None) -> bool:
    """Whether an export by ``user`` carries masked fields whole (see CAPABILITIES["export_whole"])."""
    return can(user, "export_whole")


def export_access(user: User | AnonymousUser | None, *, mask: bool = False) -> Callable[[str], Access]:
    """How an export by ``user`` carries each field (field name → Access). Personal numbers are whole
    for roles with ``export_whole`` (the file must import again after corrections), masked for the
    rest, as on their pages; ``mask`` masks them for everyone (``fupin export --mask``). What the role
    may not see is left out either way."""
    revealed = export_reveals(user) and not mask

    def access(field: str) -> Access:
        return field_access(user, field, revealed=revealed)

    return access


def revealed_fields(user: User | AnonymousUser | None) -> list[str]:
    """The fields 显示完整信息 unmasks for this user (written into the audit row); empty when the user
    may not reveal."""
    if not can_reveal(user):
        return []
    return [f for group in FIELD_GROUPS.values() for f in group
            if field_access(user, f) is M and field_access(user, f, revealed=True) is W]


def hidden_fields(user: User | AnonymousUser | None, fields: Iterable[str]) -> set[str]:
    """Which of ``fields`` the user may not see at all."""
    return {f for f in fields if field_access(user, f) is H}


def sees(user: User | AnonymousUser | None, field: str) -> bool:
    """Whether the field is shown at all (whole or masked)."""
    return field_access(user, field) is not H


def shown(user: User | AnonymousUser | None, field: str, value: Any, *, revealed: bool = False) -> Any:
    """``value`` as ``user`` may see it: whole, masked (a string) or None when hidden."""
    access = field_access(user, field, revealed=revealed)
    if access is W:
        return value
    if access is H:
        return None
    return mask(field, value)


# --- search by personal numbers --------------------------------------------------------------------

#: A household may be found by the last this-many digits of a member's ID number (the 18-digit citizen
#: number, also behind a 残疾人证 number).
ID_SUFFIX_LENGTHS = (4, 6)


def may_search_id(user: User | AnonymousUser | None) -> bool:
    """Whether ``user`` may find households by an ID number: whole, or its last 4 or 6 digits.

    A search answers "is there such a person among my households", so it must tell no more than the
    role already sees. Searches are scoped (only the households the user may see are searched), and
    every role that sees ID numbers at all, even masked, sees what a suffix search confirms: the last
    four digits are in the mask (``mask_id``), and the two before them (the 13th and 14th) are the
    day of birth, which the same roles see as the member's 出生日期 (API, member form). A role for
    which ID numbers are hidden may not search by them."""
    return sees(user, "id_number")


# --- masking: the one implementation --------------------------------------------------------------

def mask_id(value: str | None) -> str:
    """530324********123X: the area and the last four stay, the birth date and order code are hidden.
    Also for 残疾人证 numbers (the holder's ID + category and grade digits)."""
    number = (value or "").strip()
    if not number:
        return ""
    if len(number) <= 10:
        return number[:2] + "*" * (len(number) - 2)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678; short numbers keep only their last two digits. Several numbers
    separated by "、" or "," are masked one by one."""
    text = (value or "").strip()
    if not text:
        return ""
    for sep in ("、", ",", "，", ";", "；"):
        if sep in text:
            return sep.join(mask_phone(part) for part in text.split(sep))
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_bank(value: str | None) -> str:
    """6228480012345678901 → ***************8901: only the last four digits stay."""
    text = "".join((value or "").split())
    if not text:
        return ""
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


_MASKERS: dict[str, Callable[[str | None], str]] = {
    "id_number": mask_id, "phone": mask_phone, "bank_account": mask_bank, "disability_cert": mask_id,
}


def mask(field: str, value: Any) -> Any:
    """The masked form of ``value`` for ``field`` (personal numbers); other values unchanged."""
    if value in (None, ""):
        return value
    masker = _MASKERS.get(GROUP_OF.get(field, ""))
    return value if masker is None else masker(str(value))
