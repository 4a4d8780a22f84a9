"""Every kind of audit event has one named helper, and code outside fupin.audit writes through them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import fupin
from fupin.audit import services
from fupin.audit.models import AuditEvent, AuditKind


def test_every_kind_has_a_named_helper():
    missing = [k.value for k in AuditKind if not callable(getattr(services, f"audit_{k.value}", None))]
    assert missing == []


def test_no_module_outside_the_audit_app_writes_a_row_by_kind():
    root = Path(fupin.__file__).parent
    direct = re.compile(r"\brecord\(\s*kind=|AuditEvent\.objects\.create\(")
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.parts[len(root.parts)] != "audit" and direct.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.django_db
def test_the_sign_in_helpers_name_the_account_and_the_username(county_user):
    services.audit_login(user=county_user, ip="10.0.0.9", data={"via": "api"})
    services.audit_login_failed(username="nobody", ip="10.0.0.9")
    services.audit_logout(user=county_user)
    login, failed, logout = AuditEvent.objects.order_by("id")
    assert (login.kind, login.actor, login.entity_id, login.area_path, login.ip) == (
        AuditKind.LOGIN, county_user, str(county_user.pk), county_user.area.path, "10.0.0.9")
    assert login.data == {"username": county_user.username, "via": "api"}
    assert (failed.kind, failed.actor, failed.actor_name, failed.entity) == (AuditKind.LOGIN_FAILED, None, "nobody", "")
    assert (logout.kind, logout.actor, logout.summary) == (AuditKind.LOGOUT, county_user, "退出")
