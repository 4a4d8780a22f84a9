"""Users: a role and an area. The area's subtree is what the user may see and change."""

from __future__ import annotations

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


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.VILLAGE)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

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
