"""What each role may do, in one place. Views, API, exports and templates ask these functions;
none of them compares role names itself.

Scope (which households a user sees at all) is decided by the selectors; these decide what a user
may do and see *within* that scope.
"""

from __future__ import annotations

from .models import Role

#: Roles that may register and correct registry data inside their area.
WRITERS = {Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE}
#: Roles whose work needs full ID numbers, phones and bank accounts (registration, payments).
FULL_IDENTITY = {Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE}
#: Roles that may see health and disability details (those who identify and help households).
HEALTH_DETAILS = {Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE, Role.CADRE, Role.ASSESSOR}
#: Roles that may press "显示完整信息" to reveal masked details (audited each time).
REVEAL = {Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE, Role.CADRE, Role.AUDITOR}
#: Roles that may read the audit trail.
AUDIT_READERS = {Role.ADMIN, Role.COUNTY, Role.AUDITOR}
#: Roles shown 贫困发生率 (poor people / the area's rural population). A 帮扶责任人 or 评估人员 sees
#: only some households of an area, so a rate over the whole area's population would be wrong.
INCIDENCE = {Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE, Role.LEADER, Role.AUDITOR}

#: What "显示完整信息" shows in full: always the personal numbers; health details only to roles
#: that see them at all (revealing does not widen what a role may see, it only unmasks).
REVEAL_FIELDS = ["id_number", "phone", "bank_account"]
REVEAL_HEALTH_FIELDS = ["health", "disability_category", "disability_grade", "disability_cert_no",
                        "dibao_amount", "tekun_amount"]


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Role.ADMIN if user.is_superuser else user.role


def can_write(user) -> bool:
    return _role(user) in WRITERS


def sees_full_identity(user) -> bool:
    return _role(user) in FULL_IDENTITY


def sees_health(user) -> bool:
    return _role(user) in HEALTH_DETAILS


def can_reveal(user) -> bool:
    return _role(user) in REVEAL


def can_read_audit(user) -> bool:
    return _role(user) in AUDIT_READERS


def sees_incidence(user) -> bool:
    return _role(user) in INCIDENCE


def revealed_fields(user) -> list[str]:
    """The fields 显示完整信息 unmasks for this user (and writes into the audit row); empty when the
    user may not reveal at all."""
    if not can_reveal(user):
        return []
    return REVEAL_FIELDS + (REVEAL_HEALTH_FIELDS if sees_health(user) else [])
