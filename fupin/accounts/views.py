"""用户管理 (/accounts/users/): a user manager (县级管理员, 系统管理员) creates the accounts of their
subtree, resets passwords and locks accounts without the superuser; and every user's 修改密码 page,
which a reset sends them to at the next sign-in.

Who sees and may change which account is fupin.accounts.policy's; writes are fupin.accounts.services'.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fupin.areas.models import Area, Level
from fupin.web.forms import StyledMixin, apply_errors

from . import policy, services
from .forms import PasswordResetForm, UserCreateForm, UserFilterForm
from .models import Role, User


def _require_manager(request: HttpRequest) -> None:
    policy.require(request.user, "manage_users", _("您的角色不能管理用户账号"))


def _accounts(request: HttpRequest) -> QuerySet[User]:
    return User.objects.filter(policy.users_q(request.user)).select_related("area", "area__parent")


def _account_get(request: HttpRequest, pk: int) -> User:
    """An account the manager may see, or 404 (an account outside the subtree is not revealed)."""
    user = _accounts(request).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


@login_required
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    actor = request.user
    form = UserFilterForm(request.GET or None)
    qs = _accounts(request)
    if form.is_valid():
        cd = form.cleaned_data
        if cd["q"].strip():
            q = cd["q"].strip()
            qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if cd["role"]:
            qs = qs.filter(role=cd["role"])
        if cd["active"]:
            qs = qs.filter(is_active=cd["active"] == "1")
    page = Paginator(qs.order_by("area__code", "role", "username"), settings.FUPIN_PAGE_SIZE) \
        .get_page(request.GET.get("page"))
    manageable = set(User.objects.filter(policy.manageable_users_q(actor),
                                         pk__in=[u.pk for u in page.object_list]).values_list("pk", flat=True))
    staff = [u.pk for u in page.object_list if policy.can(u, "be_department_staff")]
    departments: dict[int, str] = {}
    if staff:
        from fupin.projects.models import DepartmentStaff

        departments = dict(DepartmentStaff.objects.filter(user__in=staff).values_list("user_id", "department__name"))
    for u in page.object_list:
        u.manageable = u.pk in manageable
        u.phone_shown = policy.shown(actor, "phone", u.phone)
        # A 行业部门 account: the department it acts for (changed on /projects/departments/), "" when none.
        u.department_name = departments.get(u.pk, "") if u.pk in staff else None
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "accounts/user_list.html", {
        "form": form, "page": page, "query": params.urlencode(),
        "roles": [str(Role(r).label) for r in policy.assignable_roles(actor)],
    })


def _create_areas(actor: User) -> list[Area]:
    levels = {lv for r in policy.assignable_roles(actor) for lv in policy.ROLE_AREA_LEVELS.get(r, ())}
    return list(policy.visible_areas(actor).filter(level__in=levels or [Level.COUNTY]).order_by("code"))


def _departments(actor: User) -> list[Any]:
    """The county departments (helping units of kind 县直部门, active) of the manager's subtree: what a
    行业部门 account may act for (fupin.projects.models.DepartmentStaff)."""
    from fupin.assistance.models import HelpingUnit, UnitKind

    return list(HelpingUnit.objects.filter(policy.area_q(actor, "area__path"), kind=UnitKind.DEPARTMENT, active=True)
                .select_related("area").order_by("area__code", "name"))


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    actor = request.user
    roles = policy.assignable_roles(actor)
    department_role = policy.role_fit_for("be_department_staff")
    form = UserCreateForm(request.POST or None, roles=roles, areas=_create_areas(actor),
                          departments=_departments(actor) if department_role in roles else ())
    if department_role not in roles:
        del form.fields["department"]
    elif not form.departments:
        form.fields["department"].help_text = _("辖区内还没有县直部门：请先在“精准帮扶 › 帮扶单位”中登记（类别：县直部门）")
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            user, temporary = services.user_create(
                actor=actor, username=cd["username"], role=cd["role"], area=cd["area"],
                display_name=cd["display_name"], phone=cd["phone"], password=cd["password"] or None,
                department=cd.get("department"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _password_shown(request, user, temporary, _("已新建账号 %(u)s") % {"u": user.username})
    return render(request, "accounts/user_form.html", {
        "form": form, "title": _("新建账号"), "submit": _("新建账号"),
        "department_role": department_role if "department" in form.fields else "",
        "note": _("可新建的角色：%(r)s；所属区划须在您的辖区内。") % {
            "r": "、".join(str(Role(r).label) for r in policy.assignable_roles(actor))},
    })


def _password_shown(request: HttpRequest, user: User, temporary: str | None, headline: str) -> HttpResponse:
    """The page after a create or a reset: the temporary password, this once (never stored in clear, not
    in the session, not in a redirect); the response is not cached (fupin.accounts.security)."""
    return render(request, "accounts/user_password_shown.html",
                  {"account": user, "temporary": temporary, "headline": headline})


def _managed(request: HttpRequest, pk: int) -> User:
    _require_manager(request)
    user = _account_get(request, pk)
    if not policy.may_manage(request.user, user):
        raise PermissionDenied(_("无权管理该账号"))
    return user


@login_required
@require_http_methods(["GET", "POST"])
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = _managed(request, pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            temporary = services.user_reset_password(actor=request.user, user=user,
                                                     password=form.cleaned_data["password"] or None)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _password_shown(request, user, temporary, _("已重置账号 %(u)s 的密码") % {"u": user.username})
    return render(request, "accounts/user_form.html", {
        "form": form, "title": _("重置密码：%(u)s") % {"u": user}, "submit": _("重置密码"), "account": user,
        "note": _("重置后对方原来的密码和接口令牌即失效，下次登录须修改密码。"),
    })


@login_required
@require_POST
def user_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    user = _managed(request, pk)
    services.user_set_active(actor=request.user, user=user, active=active)
    messages.success(request, (_("已启用账号 %(u)s") if active else _("已停用账号 %(u)s")) % {"u": user.username})
    return redirect("accounts:users")


class _PasswordChangeForm(StyledMixin, PasswordChangeForm):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """修改密码: every user's own; the one page open to a user who must change a reset password."""
    form = _PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        services.password_changed(user=user)
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改"))
        return redirect("home")
    context: dict[str, Any] = {"form": form, "title": _("修改密码"), "submit": _("修改密码"),
                               "note": _("管理员已为您重置密码：请设置您自己的新密码后继续使用。")
                               if request.user.must_change_password else ""}
    return render(request, "accounts/user_form.html", context)
