"""Token login (audited), token use, throttling and the ping endpoint."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from fupin.audit.models import AuditEvent

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_ping_needs_no_login():
    r = APIClient().get("/api/ping/")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_token_login_is_audited_and_the_token_works(registry, county_user):
    client = APIClient()
    r = client.post("/api/auth/token/", {"username": "county_officer", "password": "test-pass-123456"},
                    format="json")
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    assert r.json()["role"] == {"code": "county", "label": "县级管理员"}
    event = AuditEvent.objects.get(kind="login", actor=county_user)
    assert event.data["via"] == "api"
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/households/").json()["count"] == 3
    # A new token on a second login (shown once); the first one still works until it expires or is revoked.
    again = APIClient().post("/api/auth/token/", {"username": "county_officer", "password": "test-pass-123456"},
                             format="json")
    assert again.json()["token"] != token
    assert client.get("/api/households/").status_code == 200


def test_wrong_password_is_400_and_audited(county_user):
    err = error_of(APIClient().post("/api/auth/token/", {"username": "county_officer", "password": "nope"},
                                    format="json"), 400)
    assert "password" in err["fields"]
    assert AuditEvent.objects.filter(kind="login_failed").exists()  # by the accounts app's signal handler
    error_of(APIClient().post("/api/auth/token/", {"username": "x"}, format="json"), 400)
    error_of(APIClient().post("/api/auth/token/", {"username": "x", "password": "y", "otp": 1}, format="json"), 400)


def test_a_bad_token_is_401(registry):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    err = error_of(client.get("/api/households/"), 401)
    assert err["code"] == "authentication_failed"


def test_token_login_is_throttled(county_user):
    client = APIClient()
    statuses = [client.post("/api/auth/token/", {"username": f"user{i}", "password": "wrong"},
                            format="json").status_code for i in range(35)]
    assert statuses[-1] == 429
    err = error_of(client.post("/api/auth/token/", {"username": "county_officer", "password": "wrong"},
                               format="json"), 429)
    assert err["code"] == "throttled"


def test_repeated_failures_lock_the_username(county_user, settings):
    settings.FUPIN_LOGIN_MAX_FAILURES = 3
    client = APIClient()
    for _ in range(3):
        client.post("/api/auth/token/", {"username": "county_officer", "password": "wrong"}, format="json")
    err = error_of(client.post("/api/auth/token/", {"username": "county_officer", "password": "test-pass-123456"},
                               format="json"), 429)
    assert "分钟" in err["message"]
