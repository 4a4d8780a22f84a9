"""Forms of the accounts pages: they only shape input; writes go through fupin.accounts.services and
what a manager may choose (roles, areas) comes from fupin.accounts.policy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area
from fupin.web.forms import StyledMixin

from .models import Role

PASSWORD_HELP = _("留空则由系统生成一个临时密码（只显示一次）；无论哪种，对方下次登录时都须改为自己的密码。")


def _area_label(area: Area) -> str:
    indent = {"township": "\u3000", "village": "\u3000\u3000"}.get(area.level, "")
    return f"{indent}{area.name}"


class PasswordFields(forms.Form):
    password = forms.CharField(label=_("密码"), required=False, strip=False, help_text=PASSWORD_HELP,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("再次输入密码"), required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        cd = super().clean()
        if (cd.get("password") or "") != (cd.get("password2") or ""):
            self.add_error("password2", _("两次输入的密码不一致"))
        return cd


class UserCreateForm(StyledMixin, PasswordFields):
    username = forms.CharField(label=_("账号"), max_length=150, validators=[UnicodeUsernameValidator()],
                               help_text=_("登录用，字母、数字和 @.+-_"))
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    role = forms.ChoiceField(label=_("角色"))
    area = forms.ChoiceField(label=_("所属区划"))
    # Only for a 行业部门 account (the page shows it when that role is chosen): the county department (a
    # helping unit of kind 县直部门) it acts for, saved with the account (fupin.projects.models.DepartmentStaff).
    department = forms.ChoiceField(label=_("所属部门"), required=False,
                                   help_text=_("行业部门账号必选：该账号只看到、只办理本部门牵头的项目"))
    field_order = ["username", "display_name", "phone", "role", "area", "department", "password", "password2"]

    def __init__(self, *args: Any, roles: Iterable[str] = (), areas: Iterable[Area] = (),
                 departments: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {a.code: a for a in areas}
        self.departments = {str(d.pk): d for d in departments}
        self.fields["role"].choices = [("", "—")] + [(r, Role(r).label) for r in roles]
        self.fields["area"].choices = [("", "—")] + [(a.code, _area_label(a)) for a in self.areas.values()]
        several = len({d.area_id for d in self.departments.values()}) > 1
        self.fields["department"].choices = [("", "—")] + [
            (pk, f"{d.area.name} · {d.name}" if several else d.name) for pk, d in self.departments.items()]

    def clean_area(self) -> Area:
        return self.areas[self.cleaned_data["area"]]

    def clean_department(self) -> Any:
        return self.departments.get(self.cleaned_data.get("department") or "")

    def main_fields(self) -> list[forms.BoundField]:
        """The fields before the department (the template shows the department only for its role)."""
        return [f for f in self if f.name in ("username", "display_name", "phone", "role", "area")]

    def department_fields(self) -> list[forms.BoundField]:
        return [self["department"]] if "department" in self.fields else []

    def password_fields(self) -> list[forms.BoundField]:
        return [self["password"], self["password2"]]


class PasswordResetForm(StyledMixin, PasswordFields):
    pass


class UserFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("账号或姓名"), required=False, max_length=50)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部")), *Role.choices])
    active = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), ("1", _("启用")), ("0", _("已停用"))])
