"""Bad input of every kind gets a 4xx in the one error shape, never a 5xx or an HTML page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fupin.registry.models import Household

from .conftest import api, error_of

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400(registry, county_user):
    pk = registry["a1"].pk
    err = error_of(api(county_user).patch(f"/api/households/{pk}/", '{"address": "x",',
                                          content_type="application/json", HTTP_IF_MATCH='"1"'), 400)
    assert err["code"] == "parse_error" and "JSON" in err["message"]
    error_of(api(county_user).post("/api/households/", b"\xff\xfe\x00garbage", content_type="application/json"), 400)


def test_body_over_the_limit_is_413(registry, county_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    pk = registry["a1"].pk
    body = json.dumps({"address": "x" * 20_000, "version": 1})
    err = error_of(api(county_user).patch(f"/api/households/{pk}/", body, content_type="application/json"), 413)
    assert err["code"] == "too_large"
    assert Household.objects.get(pk=pk).version == 1


def test_deeply_nested_json_is_a_4xx(registry, county_user):
    body = "[" * 100_000 + "]" * 100_000
    r = api(county_user).post("/api/households/", body, content_type="application/json")
    assert 400 <= r.status_code < 500
    error_of(r, r.status_code)


def test_wrong_content_type_is_415(registry, county_user):
    pk = registry["a1"].pk
    err = error_of(api(county_user).patch(f"/api/households/{pk}/", "address=x", content_type="text/plain",
                                          HTTP_IF_MATCH='"1"'), 415)
    assert err["code"] == "unsupported_media_type"
    error_of(api(county_user).post("/api/households/", {"number": "1"}), 415)  # multipart form


def test_wrong_method_is_405(registry, county_user):
    err = error_of(api(county_user).delete(f"/api/households/{registry['a1'].pk}/"), 405)
    assert "DELETE" in err["message"]


def test_unknown_api_url_is_404_json(county_user):
    err = error_of(api(county_user).get("/api/nowhere/"), 404)
    assert err["code"] == "not_found"


def test_unacceptable_accept_header_is_406(registry, county_user):
    error_of(api(county_user).get("/api/households/", HTTP_ACCEPT="application/xml"), 406)


def test_session_login_works_and_writes_need_csrf(registry, county_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(county_user)
    assert client.get("/api/households/").status_code == 200
    err = error_of(client.patch(f"/api/households/{registry['a1'].pk}/", {"address": "x", "version": 1},
                                content_type="application/json"), 403)
    assert err["code"] == "permission_denied"
