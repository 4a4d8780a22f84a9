"""Shared fixtures of the visit tests (issue 15, visit15): a 帮扶责任人 in 甲一村 paired with two of its
households, a third household of 甲一村 not paired, one in 甲二村; built through the real services."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from PIL import Image

from fupin.accounts.models import Role
from fupin.assistance import services as assistance
from fupin.assistance.services import cadre_for_user
from tests import factories

START = datetime.date(2020, 3, 1)
TODAY = datetime.date.today()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def picture(kind: str = "JPEG", size: tuple[int, int] = (3000, 2000), colour: str = "red") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    out.seek(0)
    out.name = f"photo.{'jpg' if kind == 'JPEG' else kind.lower()}"
    return out


@pytest.fixture(name="world")
def world_fixture(tree, county_user, village_user):
    return make_world(tree, county_user, village_user)


def make_world(tree, county_user, village_user) -> dict:
    make = factories.household
    hh = {
        "mine": make(tree["village_a1"], actor=county_user, number="5303241002010201"),
        "mine2": make(tree["village_a1"], actor=county_user, number="5303241002010202"),
        "other": make(tree["village_a1"], actor=county_user, number="5303241002010203"),
        "a2": make(tree["village_a2"], actor=county_user, number="5303241002020201"),
    }
    cadre_user = factories.user("cadre_li", Role.CADRE, tree["village_a1"], display_name="李文军")
    other_user = factories.user("cadre_wang", Role.CADRE, tree["village_a1"], display_name="王帮扶")
    for key in ("mine", "mine2"):
        assistance.pairing_create(actor=county_user, cadre=cadre_user, household=hh[key], start=START)
    assistance.pairing_create(actor=county_user, cadre=other_user, household=hh["other"], start=START)
    return {"hh": hh, "cadre_user": cadre_user, "cadre": cadre_for_user(user=cadre_user),
            "other_user": other_user, "other_cadre": cadre_for_user(user=other_user),
            "county": county_user, "village": village_user, "tree": tree}
