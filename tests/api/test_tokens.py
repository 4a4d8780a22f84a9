"""API tokens lapse (issue 11, finding 5): each attack that used to work is refused.

Before: a password change kept the old token working, signing in again returned the same token,
``DELETE /api/auth/token/`` answered 405, and the admin listed every user's key in plain text."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from fupin.accounts.models import ApiToken, Role
from fupin.audit.models import AuditEvent
from tests import factories

from .conftest import error_of

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123456"


def sign_in(username: str = "county_officer", password: str = PASSWORD) -> str:
    r = APIClient().post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert r.status_code == 200, r.content
    return r.json()["token"]


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def refused(key: str, fragment: str) -> None:
    err = error_of(with_token(key).get("/api/households/"), 401)
    assert err["code"] == "authentication_failed"
    assert fragment in err["message"], err


def test_each_sign_in_issues_a_new_token_stored_only_as_a_hash(county_user):
    first, second = sign_in(), sign_in()
    assert first != second
    rows = ApiToken.objects.filter(user=county_user)
    assert rows.count() == 2
    for key in (first, second):
        row = rows.get(prefix=key[:8])
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
        # The key itself is in no column of the row.
        assert all(key not in str(getattr(row, f.attname)) for f in ApiToken._meta.concrete_fields)
        assert with_token(key).get("/api/households/").status_code == 200


def test_the_answer_says_when_the_token_expires(county_user, settings):
    settings.FUPIN_API_TOKEN_HOURS = 2
    with time_machine.travel(datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC), tick=False):
        r = APIClient().post("/api/auth/token/", {"username": "county_officer", "password": PASSWORD}, format="json")
    assert datetime.datetime.fromisoformat(r.json()["expires"]) == datetime.datetime(2026, 3, 1, 10, 0,
                                                                                      tzinfo=datetime.UTC)


def test_a_token_expires_after_the_configured_hours(county_user, settings):
    settings.FUPIN_API_TOKEN_HOURS = 3
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = sign_in()
    with time_machine.travel(start + datetime.timedelta(hours=2, minutes=59), tick=False):
        assert with_token(key).get("/api/households/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=3, seconds=1), tick=False):
        refused(key, "过期")


def test_signing_out_revokes_the_token_used(county_user):
    key, other = sign_in(), sign_in()
    r = with_token(key).delete("/api/auth/token/")
    assert r.status_code == 204
    refused(key, "撤销")
    assert ApiToken.objects.get(prefix=key[:8]).revoked_reason == ApiToken.Reason.LOGOUT
    assert with_token(other).get("/api/households/").status_code == 200  # the other sign-in keeps its token
    event = AuditEvent.objects.filter(kind="logout", actor=county_user).latest("id")
    assert event.data["token"] == key[:8] and key not in str(event.data)
    # Signing out again with the revoked token, or with none, is a JSON 401.
    error_of(with_token(key).delete("/api/auth/token/"), 401)
    error_of(APIClient().delete("/api/auth/token/"), 401)


def test_a_stale_token_sent_along_does_not_block_signing_in(county_user):
    key = sign_in()
    with_token(key).delete("/api/auth/token/")
    r = with_token(key).post("/api/auth/token/", {"username": "county_officer", "password": PASSWORD},
                             format="json")
    assert r.status_code == 200 and r.json()["token"] != key


def test_a_password_change_ends_the_old_tokens(county_user):
    key = sign_in()
    county_user.set_password("a-new-password-2026")
    county_user.save()
    refused(key, "撤销")
    assert ApiToken.objects.get(prefix=key[:8]).revoked_reason == ApiToken.Reason.PASSWORD
    assert with_token(sign_in(password="a-new-password-2026")).get("/api/households/").status_code == 200


def test_a_password_changed_without_save_signals_still_ends_the_tokens(county_user):
    """A queryset update (a script, a data fix) sends no signal: the fingerprint check still refuses."""
    key = sign_in()
    county_user.set_password("changed-behind-the-back")
    type(county_user).objects.filter(pk=county_user.pk).update(password=county_user.password)
    refused(key, "密码已修改")


def test_a_sign_in_save_does_not_revoke(county_user):
    key = sign_in()
    sign_in()  # updates last_login (a save of that field only)
    assert with_token(key).get("/api/households/").status_code == 200
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


def test_deactivation_ends_the_tokens(county_user):
    key = sign_in()
    county_user.is_active = False
    county_user.save()
    refused(key, "撤销")
    assert ApiToken.objects.get(prefix=key[:8]).revoked_reason == ApiToken.Reason.DEACTIVATED


@pytest.fixture
def root(db):
    return factories.user("root", Role.ADMIN, None, is_superuser=True, is_staff=True)


def test_the_admin_lists_tokens_without_their_keys_and_revokes_them_audited(client, root, county_user):
    key = sign_in()
    client.force_login(root)
    page = client.get("/admin/accounts/apitoken/")
    assert page.status_code == 200
    html = page.content.decode()
    assert key[:8] in html and key not in html
    token = ApiToken.objects.get(prefix=key[:8])
    detail = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert key not in detail and token.key_hash not in detail
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403

    r = client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert r.status_code == 302
    refused(key, "管理员撤销")
    event = AuditEvent.objects.filter(kind="logout", actor=root).latest("id")
    assert event.entity_id == str(county_user.pk) and event.data["token"] == key[:8]
    assert event.data["reason"] == "admin" and key not in str(event.data)


def test_a_made_up_key_is_401(county_user):
    refused("x" * 43, "令牌无效")
