"""Signing in: the login page, a good password, a bad one, and pages that require signing in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import NUMBER_A1


def test_the_login_page_renders_in_chinese(db):
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="username"' in text and 'name="password"' in text
    assert "登录" in text and "用户名" in text and "密码" in text


def test_a_county_officer_signs_in_and_lands_on_the_todo_panel(county_user):
    client = Client()
    response = client.post(reverse("login"), {"username": "county_officer", "password": "test-pass-123456"},
                           follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.wsgi_request.user == county_user
    text = response.content.decode()
    assert 'id="todo"' in text and reverse("overview") in text


def test_a_wrong_password_is_refused_with_a_chinese_message(county_user):
    client = Client()
    response = client.post(reverse("login"), {"username": "county_officer", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert "用户名或密码不正确，请重新输入。" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(reverse("overview")).status_code == 302


def test_signing_in_returns_to_the_page_asked_for(county_user, ha):
    client = Client()
    detail = reverse("household_detail", args=[ha.pk])
    response = client.post(reverse("login") + f"?next={detail}",
                           {"username": "county_officer", "password": "test-pass-123456", "next": detail})
    assert response.status_code == 302 and response.url == detail
    assert NUMBER_A1 in client.get(detail).content.decode()


@pytest.mark.parametrize("name, args", [
    ("home", []), ("overview", []), ("area_tree", []), ("area_children", ["530324100000"]),
    ("household_list", []), ("village_options", []), ("household_create", []),
    ("household_detail", [1]), ("household_edit", [1]), ("status_change", [1]), ("member_add", [1]),
    ("yearly_add", [1]), ("yearly_edit", [1, 2019]), ("member_edit", [1]), ("member_remove", [1]),
])
def test_anonymous_visitors_are_sent_to_the_login_page(db, name, args):
    url = reverse(name, args=args)
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    assert Client().post(url, {}).status_code == 302
