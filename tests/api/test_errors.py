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


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "get", "options"])
def test_unknown_api_url_is_a_json_404_whatever_the_method(county_user, method):
    """Issue 11, finding 9: with a session (the CSRF check applies) a POST or DELETE to an unknown API
    path answered Django's HTML CSRF page (403) instead of the JSON 404."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(county_user)
    r = getattr(client, method)("/api/no/such/thing/", content_type="application/json")
    err = error_of(r, 404)
    assert r["Content-Type"] == "application/json" and err["code"] == "not_found"
    # Without a session too, and without the trailing slash (no redirect to an HTML page).
    error_of(getattr(Client(enforce_csrf_checks=True), method)("/api/households"), 404)


def test_a_failed_csrf_check_under_api_is_json_and_elsewhere_the_page(county_user, rf):
    """Defence in depth: any CSRF refusal under /api/ (a non-DRF view) answers the one JSON shape."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    view = import_string(settings.CSRF_FAILURE_VIEW)
    r = view(rf.post("/api/anything/"), reason="CSRF cookie not set.")
    r.json = lambda: json.loads(r.content)  # a bare response, not the test client's
    err = error_of(r, 403)
    assert err["code"] == "csrf_failed" and "CSRF" in err["message"]
    page = view(rf.post("/households/"), reason="CSRF cookie not set.")
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")
    # And end to end: a page's form posted without the token still gets the HTML page.
    client = Client(enforce_csrf_checks=True)
    client.force_login(county_user)
    r = client.post("/logout/")
    assert r.status_code == 403 and r["Content-Type"].startswith("text/html")


def test_a_server_error_under_api_is_json_and_elsewhere_the_page(county_user, monkeypatch, rf):
    """A bug (here: a view that raises) answers the JSON shape under /api/, not the HTML 500 page."""
    from fupin.api import views

    def broken(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.PingView, "get", broken)
    client = Client(raise_request_exception=False)
    r = client.get("/api/ping/")
    err = error_of(r, 500)
    assert r["Content-Type"] == "application/json" and err["code"] == "server_error"
    assert "a bug" not in r.content.decode()
    from fupin.api.errors import server_error

    page = server_error(rf.get("/households/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
