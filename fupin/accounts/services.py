"""Writes of accounts by a user manager (/accounts/users/): create, reset a password, lock, unlock.

Who may do what is the policy's (``policy.check_account``, ``policy.may_manage``): a 县级管理员 sets up
the township and village accounts of the county, never above or outside it and never a role with more
power than their own. Every write is audited (fupin.audit.services), inside its transaction.
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.audit.services import (
    audit_password_changed,
    audit_user_active,
    audit_user_created,
    audit_user_password_reset,
)

from . import lockout, policy
from .models import LoginLock, User

if TYPE_CHECKING:
    from fupin.areas.models import Area
    from fupin.assistance.models import HelpingUnit

#: A temporary password: letters (no look-alikes such as l/1, O/0) and digits.
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "lI1O0o")
TEMPORARY_LENGTH = 14


def temporary_password() -> str:
    """A strong random password with at least one letter and one digit (the validators' rule)."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _i in range(TEMPORARY_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _check_manage(actor: User, user: User) -> None:
    if not policy.can(actor, "manage_users"):
        raise PermissionDenied(_("您的角色不能管理用户账号"))
    if not policy.may_manage(actor, user):
        raise PermissionDenied(_("无权管理该账号"))


def _password(user: User, password: str | None) -> tuple[str, bool]:
    """The password to set: the one given (checked by the password validators, the error naming the
    field) or a new temporary one; and whether it was generated."""
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        return password, False
    return temporary_password(), True


@transaction.atomic
def user_create(*, actor: User, username: str, role: str, area: Area | None, display_name: str = "",
                phone: str = "", password: str | None = None,
                department: HelpingUnit | None = None) -> tuple[User, str | None]:
    """Create an account; returns it and the temporary password to show once (None when the manager
    typed the password). The new user must change it at the first sign-in.

    A 行业部门 account (capability ``be_department_staff``) needs its ``department`` (a 县直部门 of its
    county): saved in the same transaction (fupin.projects.services_library.department_staff_set, audited);
    refused naming the field ``department`` when missing. Other roles ignore ``department``."""
    policy.check_account(actor, role, area)
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("账号“%(u)s”已存在") % {"u": username}})
    user = User(username=username, role=role, area=area, display_name=display_name.strip(), phone=phone.strip(),
                must_change_password=True)
    user.full_clean(exclude=["password"])
    staff = policy.can(user, "be_department_staff")
    if staff and department is None:
        raise ValidationError({"department": _("行业部门账号须选择所属部门（县直部门），否则看不到任何项目")})
    password, generated = _password(user, password)
    user.set_password(password)
    user.save()
    audit_user_created(actor=actor, user=user)
    if staff:
        from fupin.projects.services_library import department_staff_set

        department_staff_set(actor=actor, user=user, department=department)
    return user, password if generated else None


@transaction.atomic
def user_reset_password(*, actor: User, user: User, password: str | None = None) -> str | None:
    """Set a new password for ``user`` (typed, or a temporary one returned to be shown once); the user
    must change it at the next sign-in. Their API tokens end with the old password."""
    user = User.objects.select_for_update(of=("self",)).select_related("area").get(pk=user.pk)
    _check_manage(actor, user)
    password, generated = _password(user, password)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_user_password_reset(actor=actor, user=user, generated=generated)
    return password if generated else None


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Lock (停用: no sign-in, API tokens revoked) or unlock (启用) an account. Unlocking also lifts a
    sign-in lock left by wrong passwords on that username."""
    user = User.objects.select_for_update(of=("self",)).select_related("area").get(pk=user.pk)
    _check_manage(actor, user)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if active:
        LoginLock.objects.filter(scope=LoginLock.Scope.USERNAME, key=lockout.username_key(user.get_username())).delete()
    audit_user_active(actor=actor, user=user)
    return user


@transaction.atomic
def password_changed(*, user: User) -> None:
    """The user chose their own password (Django's form set it): the reset's flag is cleared; audited."""
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    audit_password_changed(user=user)
