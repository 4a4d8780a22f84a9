"""Sign-in hardening: audited sign-ins, lockout per username and per address, idle sessions,
security headers and the password rule."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import LoginLock, Role, User
from fupin.audit.models import AuditEvent, AuditKind
from tests import factories

PASSWORD = "test-pass-123456"
AGENT = "Mozilla/5.0 (Fupin test)"
LOCKED = "登录失败次数过多，请 15 分钟后再试"
WRONG = "用户名或密码不正确，请重新输入。"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def officer(tree):
    return factories.user("county_officer", Role.COUNTY, tree["county"])


def client(ip: str = "10.0.0.7") -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=AGENT)


def sign_in(c: Client, username: str, password: str):
    return c.post(reverse("login"), {"username": username, "password": password})


def fail(c: Client, username: str, times: int):
    for _ in range(times):
        response = sign_in(c, username, "wrong-password-1")
    return response


# --- audit ---------------------------------------------------------------------------------------

def test_a_sign_in_is_audited_with_address_and_user_agent(officer):
    response = sign_in(client("10.1.2.3"), "county_officer", PASSWORD)

    assert response.status_code == 302
    event = AuditEvent.objects.get(kind=AuditKind.LOGIN)
    assert event.actor == officer and event.actor_name == "county_officer"
    assert event.ip == "10.1.2.3"
    assert event.data["user_agent"] == AGENT and event.data["username"] == "county_officer"
    assert event.entity == "accounts.user" and event.entity_id == str(officer.pk)
    assert event.area_path == officer.area.path


def test_a_failed_sign_in_is_audited_with_the_username_tried(officer):
    sign_in(client("10.1.2.4"), "county_officer", "wrong-password-1")
    sign_in(client("10.1.2.4"), "nobody-here", "wrong-password-1")

    known, unknown = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).order_by("id")
    assert known.actor is None and known.actor_name == "county_officer" and known.ip == "10.1.2.4"
    assert known.entity_id == str(officer.pk)
    assert known.data == {"username": "county_officer", "user_agent": AGENT, "reason": "credentials"}
    assert "wrong-password-1" not in str(known.data)
    assert unknown.actor_name == "nobody-here" and unknown.entity == "" and unknown.ip == "10.1.2.4"
    assert not AuditEvent.objects.filter(kind=AuditKind.LOGIN).exists()


def test_signing_out_is_audited(officer):
    c = client("10.1.2.5")
    sign_in(c, "county_officer", PASSWORD)
    c.post(reverse("logout"))

    event = AuditEvent.objects.get(kind=AuditKind.LOGOUT)
    assert event.actor == officer and event.ip == "10.1.2.5" and event.summary == "退出"


# --- lockout ----------------------------------------------------------------------------------------

def test_five_failures_lock_the_username_even_with_the_right_password(officer):
    c = client()
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            assert WRONG in sign_in(c, "county_officer", "wrong-password-1").content.decode()
        assert LOCKED in sign_in(c, "county_officer", "wrong-password-1").content.decode()

        response = sign_in(c, "county_officer", PASSWORD)
        assert response.status_code == 200
        assert LOCKED in response.content.decode() and WRONG not in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated

    refused = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).order_by("-id").first()
    assert refused.data["reason"] == "locked_username" and refused.data["locked_minutes"] == 15


def test_the_message_counts_down_the_minutes_left(officer):
    c = client()
    with time_machine.travel(START, tick=False):
        fail(c, "county_officer", 5)
    with time_machine.travel(START + datetime.timedelta(minutes=10, seconds=30), tick=False):
        assert "登录失败次数过多，请 5 分钟后再试" in sign_in(c, "county_officer", PASSWORD).content.decode()


def test_the_lock_ends_after_the_window(officer):
    c = client()
    with time_machine.travel(START, tick=False):
        fail(c, "county_officer", 5)
    with time_machine.travel(START + datetime.timedelta(minutes=15, seconds=1), tick=False):
        response = sign_in(c, "county_officer", PASSWORD)
    assert response.status_code == 302
    # After the lock, one more wrong password does not lock again straight away.
    with time_machine.travel(START + datetime.timedelta(minutes=16), tick=False):
        assert WRONG in sign_in(client(), "county_officer", "wrong-password-1").content.decode()


def test_failures_spread_beyond_the_window_do_not_lock(officer):
    c = client()
    for minute in range(0, 50, 10):  # five failures, ten minutes apart
        with time_machine.travel(START + datetime.timedelta(minutes=minute), tick=False):
            fail(c, "county_officer", 1)
    with time_machine.travel(START + datetime.timedelta(minutes=41), tick=False):
        assert sign_in(c, "county_officer", PASSWORD).status_code == 302


def test_a_successful_sign_in_starts_the_count_afresh(officer):
    c = client()
    with time_machine.travel(START, tick=False):
        fail(c, "county_officer", 4)
        assert sign_in(client(), "county_officer", PASSWORD).status_code == 302
        assert WRONG in fail(c, "county_officer", 4).content.decode()


def test_the_lock_is_per_username_and_says_nothing_about_existence(officer):
    c = client()
    with time_machine.travel(START, tick=False):
        known = fail(c, "county_officer", 6).content.decode()
        unknown = fail(c, "no-such-user", 6).content.decode()
        # Another account from the same address is not affected.
        factories.user("other_officer", Role.COUNTY, officer.area)
        assert sign_in(client(), "other_officer", PASSWORD).status_code == 302

    assert LOCKED in known and LOCKED in unknown
    alerts = re.compile(r'<div class="alert">(.*?)</div>', re.S)
    assert alerts.findall(known) == alerts.findall(unknown) == [LOCKED]


def test_usernames_are_locked_regardless_of_case(officer):
    with time_machine.travel(START, tick=False):
        fail(client(), "County_Officer", 5)
        assert LOCKED in sign_in(client(), "county_officer", PASSWORD).content.decode()


def test_twenty_failures_from_one_address_lock_that_address(officer, settings):
    attacker = client("192.0.2.9")
    with time_machine.travel(START, tick=False):
        for i in range(20):  # different usernames: no username reaches its own limit
            sign_in(attacker, f"guess{i}", "wrong-password-1")
        response = sign_in(attacker, "county_officer", PASSWORD)
        assert LOCKED in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated
        # Someone else, elsewhere, signs in as usual.
        assert sign_in(client("198.51.100.1"), "county_officer", PASSWORD).status_code == 302
    assert LoginLock.objects.filter(scope="ip", key="192.0.2.9").exists()
    with time_machine.travel(START + datetime.timedelta(minutes=16), tick=False):
        assert sign_in(attacker, "county_officer", PASSWORD).status_code == 302


def test_limits_come_from_settings(officer, settings):
    settings.FUPIN_LOGIN_MAX_FAILURES = 2
    settings.FUPIN_LOGIN_LOCK_MINUTES = 3
    with time_machine.travel(START, tick=False):
        assert "登录失败次数过多，请 3 分钟后再试" in fail(client(), "county_officer", 2).content.decode()
    with time_machine.travel(START + datetime.timedelta(minutes=3, seconds=1), tick=False):
        assert sign_in(client(), "county_officer", PASSWORD).status_code == 302


def test_every_authenticate_call_shares_the_lock(officer, rf):
    """The admin's login and the API's token endpoint call authenticate() too."""
    with time_machine.travel(START, tick=False):
        fail(client("10.9.9.9"), "county_officer", 5)
        request = rf.post("/api/token/", REMOTE_ADDR="10.9.9.8")
        assert authenticate(request, username="county_officer", password=PASSWORD) is None
        assert request.fupin_lockout_minutes == 15
        admin_login = client().post(reverse("admin:login"), {"username": "county_officer", "password": PASSWORD})
        assert admin_login.status_code == 200 and not admin_login.wsgi_request.user.is_authenticated


# --- idle sessions ----------------------------------------------------------------------------------

def test_an_idle_session_is_signed_out_with_a_message(officer):
    c = client()
    with time_machine.travel(START, tick=False):
        sign_in(c, "county_officer", PASSWORD)
        assert c.get(reverse("overview")).status_code == 200
    with time_machine.travel(START + datetime.timedelta(minutes=29), tick=False):
        assert c.get(reverse("overview")).status_code == 200  # in use: the clock starts again
    with time_machine.travel(START + datetime.timedelta(minutes=29 + 31), tick=False):
        response = c.get(reverse("household_list"))
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={reverse('household_list')}"
        page = c.get(response.url).content.decode()
        assert "超过 30 分钟未操作，已自动退出，请重新登录。" in page
        assert c.get(reverse("overview")).status_code == 302
    event = AuditEvent.objects.get(kind=AuditKind.LOGOUT)
    assert event.summary == "闲置超时，自动退出" and event.actor == officer


def test_an_idle_htmx_request_asks_for_a_full_page_redirect(officer):
    c = client()
    with time_machine.travel(START, tick=False):
        sign_in(c, "county_officer", PASSWORD)
        c.get(reverse("overview"))
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        response = c.get(reverse("household_list"), HTTP_HX_REQUEST="true",
                         HTTP_HX_CURRENT_URL="http://testserver/households/?q=x")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login") + "?next=/households/%3Fq%3Dx"


def test_idle_timeout_can_be_turned_off(officer, settings):
    settings.FUPIN_IDLE_MINUTES = 0
    c = client()
    with time_machine.travel(START, tick=False):
        sign_in(c, "county_officer", PASSWORD)
        c.get(reverse("overview"))
    with time_machine.travel(START + datetime.timedelta(hours=3), tick=False):
        assert c.get(reverse("overview")).status_code == 200


# --- headers -------------------------------------------------------------------------------------------

CSP_PARTS = ["default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
             "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'",
             "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'", "object-src 'none'"]


@pytest.mark.parametrize("name", ["login", "overview", "household_list", "area_tree"])
def test_pages_carry_the_security_headers(officer, name):
    c = client()
    if name != "login":
        c.force_login(officer)
    response = c.get(reverse(name))
    assert response.status_code == 200
    csp = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert csp == CSP_PARTS
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_pages_have_no_inline_script(officer, tree):
    household = factories.household(tree["village_a1"], actor=officer)
    c = client()
    c.force_login(officer)
    urls = [reverse(name) for name in ["login", "overview", "household_list", "area_tree"]]
    for name in urls + [reverse("household_detail", args=[household.pk])]:
        html = c.get(name).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (name, tag)
        assert not re.search(r"\son[a-z]+=", html), name


# --- password rule ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["only-letters-here", "1234567890123", "!!!!----!!!!"])
def test_passwords_need_letters_and_digits(db, password):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert "密码必须同时包含字母和数字。" in error.value.messages


def test_a_password_with_letters_and_digits_passes(db):
    validate_password("river-stone-2026")


def test_the_admin_refuses_a_password_without_digits(admin_client, tree):
    data = {"username": "new_cadre", "password1": "a-Long-pass-phrase", "password2": "a-Long-pass-phrase",
            "usable_password": "true", "role": Role.VILLAGE, "area": tree["village_b1"].pk}
    response = admin_client.post(reverse("admin:accounts_user_add"), data)
    assert response.status_code == 200
    assert "密码必须同时包含字母和数字。" in response.content.decode()


def test_createsuperuser_honours_the_rule(db, monkeypatch):
    from django.contrib.auth.management.commands import createsuperuser

    answers = iter(["onlyletters-password", "onlyletters-password", "n",
                    "digits-and-letters-7", "digits-and-letters-7"])
    monkeypatch.setattr(createsuperuser, "getpass", type("G", (), {"getpass": lambda *a, **k: next(answers)}))
    monkeypatch.setattr("builtins.input", lambda *a, **k: next(answers))
    from io import StringIO

    from django.core.management import call_command

    class Terminal(StringIO):
        def isatty(self):
            return True

    err = StringIO()
    call_command("createsuperuser", username="root2", email="", interactive=True, stdin=Terminal(), stderr=err,
                 stdout=StringIO())
    assert "密码必须同时包含字母和数字。" in err.getvalue()
    assert User.objects.get(username="root2").check_password("digits-and-letters-7")


def test_the_api_token_endpoint_shares_the_lock(officer):
    url = reverse("api-token")
    with time_machine.travel(START, tick=False):
        fail(client("10.3.3.3"), "county_officer", 5)
        response = client("10.3.3.4").post(url, {"username": "county_officer", "password": PASSWORD},
                                           content_type="application/json", HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    refused = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).order_by("-id").first()
    assert refused.ip == "10.3.3.4" and refused.data["reason"] == "locked_username"
