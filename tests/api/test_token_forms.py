"""Signing in for a token takes JSON or a form, as DRF clients and `curl -d` send it (issue 12, item 9).

Before: only JSON was parsed, so `curl -d username=…&password=…` (form-encoded) got 415."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fupin.accounts.models import ApiToken

from .conftest import error_of

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123456"


def token_works(key: str) -> None:
    r = Client().get("/api/households/", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 200, r.content


@pytest.mark.parametrize("body, content_type", [
    (json.dumps({"username": "county_officer", "password": PASSWORD}), "application/json"),
    (f"username=county_officer&password={PASSWORD}", "application/x-www-form-urlencoded"),
])
def test_a_token_for_json_or_a_urlencoded_form(county_user, body, content_type):
    r = Client().post("/api/auth/token/", body, content_type=content_type)
    assert r.status_code == 200, r.content
    assert r.json()["username"] == "county_officer"
    token_works(r.json()["token"])


def test_a_token_for_a_multipart_form(county_user):
    r = Client().post("/api/auth/token/", {"username": "county_officer", "password": PASSWORD})  # multipart
    assert r.status_code == 200, r.content
    token_works(r.json()["token"])


def test_a_wrong_password_in_a_form_is_the_same_400(county_user):
    r = Client().post("/api/auth/token/", "username=county_officer&password=wrong",
                      content_type="application/x-www-form-urlencoded")
    err = error_of(r, 400)
    assert "用户名或密码不正确" in str(err["fields"])
    assert not ApiToken.objects.exists()


def test_other_content_types_are_still_415(county_user):
    err = error_of(Client().post("/api/auth/token/", "county_officer", content_type="text/plain"), 415)
    assert err["code"] == "unsupported_media_type"


def test_the_data_endpoints_still_take_json_only(county_user):
    r = Client().post("/api/auth/token/", f"username=county_officer&password={PASSWORD}",
                      content_type="application/x-www-form-urlencoded")
    key = r.json()["token"]
    r = Client().post("/api/households/", "number=1", content_type="application/x-www-form-urlencoded",
                      HTTP_AUTHORIZATION=f"Token {key}")
    error_of(r, 415)
