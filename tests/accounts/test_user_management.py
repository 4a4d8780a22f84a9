"""用户管理 (issue 12 #15): a 县级管理员 creates township and village accounts in the county, resets
passwords (shown once, changed at the next sign-in) and locks accounts without the superuser; never
above or outside the county, never a role with more power; every act audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fupin.accounts import policy, services
from fupin.accounts.models import ApiToken, LoginLock, Role, User
from fupin.accounts.tokens import token_issue
from fupin.audit.models import AuditEvent, AuditKind
from tests import factories

PASSWORD = "test-pass-123456"


@pytest.fixture
def county(tree):
    return factories.user("county_officer", Role.COUNTY, tree["county"])


@pytest.fixture
def far(db):
    factories.area_tree()
    factories.area("530325000000", "富源县")
    factories.area("530325100000", "丙乡")
    return factories.area("530325100201", "丙一村")


def signed_in(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_county_creates_a_village_account_and_the_new_user_must_change_the_password(county, tree):
    c = signed_in(county)
    response = c.post(reverse("accounts:user_create"), {
        "username": "cun_wang", "display_name": "王村干", "phone": "13912345678", "role": Role.VILLAGE,
        "area": tree["village_a1"].code, "password": "", "password2": ""})
    assert response.status_code == 200, response.content[:500]
    temporary = response.context["temporary"]
    assert temporary and len(temporary) >= 12 and temporary in response.content.decode()
    user = User.objects.get(username="cun_wang")
    assert (user.role, user.area, user.must_change_password) == (Role.VILLAGE, tree["village_a1"], True)
    assert user.check_password(temporary)
    event = AuditEvent.objects.get(kind=AuditKind.CREATE, entity="accounts.user", entity_id=str(user.pk))
    assert event.actor == county and event.area_path == tree["village_a1"].path
    assert temporary not in str(event.data) and "password" not in event.data["after"]
    assert event.data["after"]["area"] == "甲一村" and event.data["after"]["role"] == Role.VILLAGE

    # The new user signs in and is sent to 修改密码 until they choose their own password.
    new = Client()
    assert new.post(reverse("login"), {"username": "cun_wang", "password": temporary}).status_code == 302
    response = new.get(reverse("household_list"))
    assert response.status_code == 302 and response.url == reverse("accounts:password_change")
    response = new.post(reverse("accounts:password_change"), {
        "old_password": temporary, "new_password1": "Cunwei2026abc", "new_password2": "Cunwei2026abc"})
    assert response.status_code == 302, response.content[:500]
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Cunwei2026abc")
    assert new.get(reverse("household_list")).status_code == 200
    assert AuditEvent.objects.filter(kind=AuditKind.UPDATE, entity="accounts.user", entity_id=str(user.pk),
                                     actor=user).exists()


def test_a_typed_password_is_checked_and_not_shown(county, tree):
    c = signed_in(county)
    data = {"username": "xiang_li", "display_name": "李专干", "role": Role.TOWNSHIP, "area": tree["township_a"].code,
            "password": "12345678", "password2": "12345678"}
    response = c.post(reverse("accounts:user_create"), data)
    assert response.status_code == 200 and not User.objects.filter(username="xiang_li").exists()
    assert response.context["form"].errors["password"]
    data["password"] = data["password2"] = "Xiangzhen2026ok"
    response = c.post(reverse("accounts:user_create"), data)
    assert response.context["temporary"] is None and "Xiangzhen2026ok" not in response.content.decode()
    assert User.objects.get(username="xiang_li").check_password("Xiangzhen2026ok")


@pytest.mark.parametrize(("role", "area_key", "field"), [
    (Role.COUNTY, "county", "role"),          # their own role: no
    (Role.AUDITOR, "county", "role"),         # another office's role
    (Role.ADMIN, "county", "role"),           # more power
    (Role.VILLAGE, "far", "area"),            # outside the county
    (Role.TOWNSHIP, "city", "area"),          # above the county
    (Role.VILLAGE, "township_a", "area"),     # a village account placed at a township
])
def test_the_county_may_not_create_above_outside_or_more_powerful(county, tree, far, role, area_key, field):
    area = far if area_key == "far" else tree[area_key]
    with pytest.raises(ValidationError) as err:
        services.user_create(actor=county, username="x1", role=role, area=area, display_name="某")
    assert field in err.value.message_dict
    assert not User.objects.filter(username="x1").exists()
    assert not AuditEvent.objects.filter(entity="accounts.user", kind=AuditKind.CREATE).exists()


def test_the_form_offers_only_assignable_roles_and_areas_of_the_county(county, tree, far):
    response = signed_in(county).get(reverse("accounts:user_create"))
    form = response.context["form"]
    assert [r for r, _label in form.fields["role"].choices if r] == [Role.TOWNSHIP, Role.VILLAGE, Role.CADRE, Role.BANK,
                                                                      Role.DEPARTMENT]
    codes = {code for code, _label in form.fields["area"].choices if code}
    assert tree["village_a1"].code in codes and tree["county"].code in codes
    assert far.code not in codes and tree["city"].code not in codes
    # A posted area outside the choices is refused by the form.
    response = signed_in(county).post(reverse("accounts:user_create"), {
        "username": "x2", "display_name": "某", "role": Role.VILLAGE, "area": far.code})
    assert "area" in response.context["form"].errors and not User.objects.filter(username="x2").exists()


def test_duplicate_username_names_the_field(county, tree):
    factories.user("dup", Role.VILLAGE, tree["village_a1"])
    with pytest.raises(ValidationError) as err:
        services.user_create(actor=county, username="DUP", role=Role.VILLAGE, area=tree["village_a1"])
    assert "已存在" in err.value.message_dict["username"][0]


def test_reset_password_ends_the_old_password_and_tokens_and_is_audited(county, tree):
    village = factories.user("village_a1", Role.VILLAGE, tree["village_a1"])
    token, _key = token_issue(user=village)
    response = signed_in(county).post(reverse("accounts:user_password", args=[village.pk]),
                                      {"password": "", "password2": ""})
    assert response.status_code == 200
    temporary = response.context["temporary"]
    village.refresh_from_db()
    assert village.check_password(temporary) and not village.check_password(PASSWORD)
    assert village.must_change_password
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == ApiToken.Reason.PASSWORD
    event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="accounts.user", entity_id=str(village.pk))
    assert event.actor == county and "重置" in event.summary and temporary not in str(event.data)


def test_lock_and_unlock(county, tree):
    village = factories.user("village_a1", Role.VILLAGE, tree["village_a1"])
    LoginLock.objects.create(scope=LoginLock.Scope.USERNAME, key="village_a1",
                             until="2099-01-01T00:00:00Z")
    c = signed_in(county)
    assert c.post(reverse("accounts:user_lock", args=[village.pk])).status_code == 302
    village.refresh_from_db()
    assert not village.is_active
    assert Client().post(reverse("login"), {"username": "village_a1", "password": PASSWORD}).status_code == 200
    assert c.post(reverse("accounts:user_unlock", args=[village.pk])).status_code == 302
    village.refresh_from_db()
    assert village.is_active and not LoginLock.objects.filter(key="village_a1").exists()
    summaries = list(AuditEvent.objects.filter(kind=AuditKind.UPDATE, entity="accounts.user", entity_id=str(village.pk))
                     .order_by("id").values_list("summary", flat=True))
    assert summaries == ["停用账号 village_a1", "启用账号 village_a1"]


def test_the_county_cannot_touch_itself_its_peers_the_superuser_or_other_offices(county, tree, far):
    peer = factories.user("county_two", Role.COUNTY, tree["county"])
    auditor = factories.user("auditor", Role.AUDITOR, tree["county"])
    root = factories.user("root", Role.ADMIN, None, is_superuser=True, is_staff=True)
    outside = factories.user("far_village", Role.VILLAGE, far)
    c = signed_in(county)
    for target in (county, peer, auditor):  # listed (inside the county) but not manageable: 403
        assert c.post(reverse("accounts:user_lock", args=[target.pk])).status_code == 403
        assert c.get(reverse("accounts:user_password", args=[target.pk])).status_code == 403
        with pytest.raises(PermissionDenied):
            services.user_set_active(actor=county, user=target, active=False)
    for target in (root, outside):  # outside the county: not found
        assert c.post(reverse("accounts:user_lock", args=[target.pk])).status_code == 404
        assert c.get(reverse("accounts:user_password", args=[target.pk])).status_code == 404
    assert User.objects.filter(is_active=False).count() == 0
    listed = {u.username for u in signed_in(county).get(reverse("accounts:users")).context["page"].object_list}
    assert listed == {"county_officer", "county_two", "auditor"}


@pytest.mark.parametrize("role", [Role.TOWNSHIP, Role.VILLAGE, Role.CADRE, Role.LEADER, Role.AUDITOR,
                                  Role.ASSESSOR])
def test_other_roles_may_not_manage_accounts(tree, role):
    actor = factories.user("someone", role, tree["county"] if role != Role.VILLAGE else tree["village_a1"])
    target = factories.user("village_a1", Role.VILLAGE, tree["village_a1"])
    c = signed_in(actor)
    assert c.get(reverse("accounts:users")).status_code == 403
    assert c.get(reverse("accounts:user_create")).status_code == 403
    assert c.post(reverse("accounts:user_lock", args=[target.pk])).status_code == 403
    assert "用户管理" not in c.get(reverse("household_list")).content.decode()
    with pytest.raises(PermissionDenied):
        services.user_create(actor=actor, username="x", role=Role.VILLAGE, area=tree["village_a1"])


def test_the_policy_never_gives_more_power_than_the_manager_has():
    # Being eligible to be paired or sampled is not a power over anything; nor is a lower level's own
    # step of a procedure (policy.LEVEL_DUTIES).
    # Nor is which page an account opens on (assistance_home: the 帮扶责任人's own page).
    # Nor is being linked to a bank (be_bank_staff: a 银行 account acts for one bank), or to a county department
    # (be_department_staff: a 行业部门 account acts for one department).
    powers = set(policy.CAPABILITIES) - {"be_paired", "be_sampled", "be_bank_staff", "be_department_staff",
                                         "assistance_home"} \
        - policy.LEVEL_DUTIES
    for manager, roles in policy.ASSIGNABLE_ROLES.items():
        assert manager in policy.CAPABILITIES["manage_users"]
        assert manager not in roles
        own = {cap for cap in powers if manager in policy.CAPABILITIES[cap]}
        for role in roles:
            theirs = {cap for cap in powers if role in policy.CAPABILITIES[cap]}
            assert theirs <= own or manager == Role.ADMIN, (manager, role, theirs - own)
            assert "manage_users" not in theirs or manager == Role.ADMIN


def test_a_reset_password_opens_no_api_token_until_changed(county, tree):
    village = factories.user("village_a1", Role.VILLAGE, tree["village_a1"])
    temporary = services.user_reset_password(actor=county, user=village)
    api = Client()
    response = api.post(reverse("api-token"), {"username": "village_a1", "password": temporary},
                        content_type="application/json")
    assert response.status_code == 403 and "修改密码" in response.json()["error"]["message"]
    assert not ApiToken.objects.filter(user=village).exists()
    services.password_changed(user=village)
    response = api.post(reverse("api-token"), {"username": "village_a1", "password": temporary},
                        content_type="application/json")
    assert response.status_code == 200 and response.json()["token"]


# --- issue 16: a 行业部门 account's department, chosen on the accounts page ------------------------------


@pytest.fixture
def departments(tree, far):
    from fupin.assistance.models import HelpingUnit, UnitKind

    return {
        "roads": HelpingUnit.objects.create(name="县交通运输局", kind=UnitKind.DEPARTMENT, area=tree["county"]),
        "water": HelpingUnit.objects.create(name="县水务局", kind=UnitKind.DEPARTMENT, area=tree["county"]),
        "firm": HelpingUnit.objects.create(name="某企业", kind=UnitKind.ENTERPRISE, area=tree["county"]),
        "far": HelpingUnit.objects.create(name="富源县交通运输局", kind=UnitKind.DEPARTMENT, area=far.parent.parent),
    }


def _department_post(tree, **extra):
    return {"username": "dept_jt", "display_name": "交通局项目办", "role": Role.DEPARTMENT,
            "area": tree["county"].code, "password": "", "password2": "", **extra}


def test_the_form_offers_the_county_departments_for_a_department_account(county, tree, departments):
    response = signed_in(county).get(reverse("accounts:user_create"))
    form = response.context["form"]
    assert Role.DEPARTMENT in [r for r, _label in form.fields["role"].choices]
    offered = {label for pk, label in form.fields["department"].choices if pk}
    assert offered == {"县交通运输局", "县水务局"}  # 县直部门 of the county only: no enterprise, no other county
    html = response.content.decode()
    assert 'data-role-only="department"' in html and 'id="id_department"' in html


def test_a_department_account_is_created_with_its_department_in_one_transaction(county, tree, departments):
    from fupin.projects.models import DepartmentStaff

    response = signed_in(county).post(reverse("accounts:user_create"),
                                      _department_post(tree, department=str(departments["roads"].pk)))
    assert response.status_code == 200 and response.context["temporary"], response.content[:400]
    user = User.objects.get(username="dept_jt")
    assert DepartmentStaff.objects.get(user=user).department == departments["roads"]
    assert AuditEvent.objects.filter(entity="projects.departmentstaff", kind=AuditKind.CREATE, actor=county).exists()
    assert AuditEvent.objects.filter(entity="accounts.user", kind=AuditKind.CREATE, entity_id=str(user.pk)).exists()
    # /projects/departments/ still lists it, with its department.
    page = signed_in(county).get(reverse("projects:departments")).content.decode()
    assert "dept_jt" in page and "县交通运输局" in page


def test_a_department_account_without_a_department_is_refused_naming_the_field(county, tree, departments):
    response = signed_in(county).post(reverse("accounts:user_create"), _department_post(tree))
    assert response.status_code == 200 and "temporary" not in response.context
    assert "须选择所属部门" in response.context["form"].errors["department"][0]
    assert not User.objects.filter(username="dept_jt").exists()
    with pytest.raises(ValidationError) as err:
        services.user_create(actor=county, username="dept_x", role=Role.DEPARTMENT, area=tree["county"])
    assert "department" in err.value.message_dict and not User.objects.filter(username="dept_x").exists()


def test_a_department_of_another_county_is_refused_and_nothing_is_written(tree, departments):
    from fupin.projects.models import DepartmentStaff

    admin = factories.user("root_admin", Role.ADMIN, None)
    with pytest.raises(ValidationError) as err:
        services.user_create(actor=admin, username="dept_y", role=Role.DEPARTMENT, area=tree["county"],
                             department=departments["far"])
    assert "不属于账号所在县" in err.value.message_dict["department"][0]
    assert not User.objects.filter(username="dept_y").exists() and not DepartmentStaff.objects.exists()
    # The county's own form never offers it: a posted id outside the choices is dropped, then refused as missing.
    county = factories.user("county_officer", Role.COUNTY, tree["county"])
    response = signed_in(county).post(reverse("accounts:user_create"),
                                      _department_post(tree, department=str(departments["far"].pk)))
    assert "department" in response.context["form"].errors and not User.objects.filter(username="dept_jt").exists()


def test_other_roles_ignore_the_department(county, tree, departments):
    from fupin.projects.models import DepartmentStaff

    response = signed_in(county).post(reverse("accounts:user_create"), {
        "username": "cun_li", "display_name": "李村干", "role": Role.VILLAGE, "area": tree["village_a1"].code,
        "department": str(departments["roads"].pk), "password": "", "password2": ""})
    assert response.status_code == 200 and response.context["temporary"]
    assert not DepartmentStaff.objects.exists()


def test_the_list_names_a_department_accounts_department_and_links_to_change_it(county, tree, departments):
    from fupin.projects.models import DepartmentStaff

    linked = factories.user("dept_a", Role.DEPARTMENT, tree["county"])
    DepartmentStaff.objects.create(user=linked, department=departments["water"])
    factories.user("dept_b", Role.DEPARTMENT, tree["county"])
    html = signed_in(county).get(reverse("accounts:users")).content.decode()
    assert "县水务局" in html and "未指定部门" in html and reverse("projects:departments") in html
