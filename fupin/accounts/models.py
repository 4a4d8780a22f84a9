"""Users: a role and an area. The area's subtree is what the user may see and change."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
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


#: Roles that may change registry data (within their scope). The rest read only.
WRITE_ROLES = {Role.ADMIN, Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE}


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

    @property
    def can_write(self) -> bool:
        return self.is_superuser or self.role in WRITE_ROLES
