"""Users: a role and an area. The area's subtree is what the user may see and change."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    COUNTY = "county", _("县级管理员")
    TOWNSHIP = "township", _("乡镇干部")
    VILLAGE = "village", _("村干部")
    CADRE = "cadre", _("帮扶责任人")
    LEADER = "leader", _("领导")
    AUDITOR = "auditor", _("审计")
    ASSESSOR = "assessor", _("评估人员")
    # 扶贫小额信贷 (issue 15 #7): a lending bank's staff; sees only its own bank's loans (policy)
    BANK = "bank", _("银行")
    # issue 16: a county department's staff (行业部门: 住建局, 交通运输局 …); sees the projects its
    # department leads (fupin.projects.models.DepartmentStaff; policy ORGANISATION_SCOPES "department")
    DEPARTMENT = "department", _("行业部门")


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.VILLAGE)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    # Set when a user manager resets the password: the user must choose their own at the next sign-in
    # (fupin.accounts.middleware.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class LoginAttempt(models.Model):
    """One sign-in attempt, kept for a day to throttle guessing (the audit trail keeps the history).

    ``username`` is the name tried, case-folded: the same key whether or not the account exists."""

    username = models.CharField(_("尝试的用户名"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    succeeded = models.BooleanField(_("成功"), default=False)

    class Meta:
        verbose_name = _("登录尝试")
        verbose_name_plural = _("登录尝试")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.ip or ''}"


class LoginLock(models.Model):
    """Sign-in refused for a username, or for a client address, until ``until``."""

    class Scope(models.TextChoices):
        USERNAME = "username", _("用户名")
        IP = "ip", _("来源地址")

    scope = models.CharField(_("范围"), max_length=10, choices=Scope.choices)
    key = models.CharField(_("用户名或地址"), max_length=150)
    created = models.DateTimeField(_("锁定时间"), default=timezone.now)
    until = models.DateTimeField(_("解锁时间"), db_index=True)

    class Meta:
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")
        ordering = ["-until"]
        indexes = [models.Index(fields=["scope", "key", "until"], name="accounts_lock_key_idx")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key} → {self.until:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """An API token: one per sign-in, shown once. Only the SHA-256 of the key is kept (a copy of the
    table opens no account); ``prefix`` — the key's first characters — lets a person tell tokens apart.

    A token stops working when it expires (``FUPIN_API_TOKEN_HOURS`` after sign-in), is revoked (by its
    user signing out, by an administrator, on a password change or deactivation), or when the user's
    password no longer matches ``password_fingerprint`` (so a password changed by any path — a
    queryset update, ``changepassword`` — ends its tokens even before they are marked revoked)."""

    class Reason(models.TextChoices):
        LOGOUT = "logout", _("用户退出")
        ADMIN = "admin", _("管理员撤销")
        PASSWORD = "password", _("密码已修改")
        DEACTIVATED = "deactivated", _("账号已停用")

    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)
    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    password_fingerprint = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(_("签发时间"), default=timezone.now)
    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires = models.DateTimeField(_("过期时间"), db_index=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=20, choices=Reason.choices, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    def is_live(self, now: datetime.datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires > (now or timezone.now())
