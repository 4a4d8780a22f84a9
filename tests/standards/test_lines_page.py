"""The poverty lines page: every role with a scope reads the lines that apply to it; a standards manager
adds or corrects the line of their own area (audited); the most specific area's line is shown as the
one that applies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.registry.models import PovertyLine
from tests import factories

from .helpers import YEAR, national_line

pytestmark = pytest.mark.django_db


def test_a_county_adds_and_corrects_its_own_line(client, tree, county_user):
    national_line()
    client.force_login(county_user)
    form = client.get(reverse("standards:lines")).context["form"]
    assert [label for _v, label in form.fields["area"].choices] == ["罗平县（530324000000）"]
    data = {"year": YEAR, "kind": "city", "area": tree["county"].pk, "amount": "3335", "note": "县定"}
    assert client.post(reverse("standards:lines"), data).status_code == 302
    line = PovertyLine.objects.get(area=tree["county"])
    assert (line.amount, line.kind) == (Decimal("3335"), "city")
    assert client.post(reverse("standards:lines"), {**data, "amount": "3400"}).status_code == 302
    line.refresh_from_db()
    assert line.amount == Decimal("3400") and PovertyLine.objects.filter(area=tree["county"]).count() == 1
    assert AuditEvent.objects.filter(entity="registry.povertyline", entity_id=str(line.pk)).count() == 2

    response = client.get(reverse("standards:lines"), {"year": YEAR})
    applies = {row["area"].name: row["line"].amount for row in response.context["applies"]}
    assert applies == {"罗平县": Decimal("3400"), "甲乡": Decimal("3400"), "乙乡": Decimal("3400")}


def test_a_county_cannot_set_the_national_line_or_another_county(client, tree, county_user):
    far = factories.area("530325000000", "富源县")
    client.force_login(county_user)
    for area in ("", far.pk):
        response = client.post(reverse("standards:lines"), {"year": YEAR, "kind": "national", "area": area,
                                                            "amount": "1"})
        assert response.status_code == 400  # not one of the offered areas
    assert not PovertyLine.objects.filter(year=YEAR, amount=1).exists()


def test_readers_see_lines_but_not_the_form(client, tree, township_a_user):
    national_line()
    PovertyLine.objects.create(year=YEAR, area=tree["village_b1"], kind="city", amount=Decimal("3500"))
    PovertyLine.objects.create(year=YEAR, area=tree["township_a"], kind="city", amount=Decimal("3300"))
    client.force_login(township_a_user)
    response = client.get(reverse("standards:lines"), {"year": YEAR})
    assert response.context["form"] is None
    assert [(line.area.name if line.area else None) for line in response.context["lines"]] == [None, "甲乡"]
    assert client.post(reverse("standards:lines"), {"year": YEAR, "kind": "city", "area": tree["township_a"].pk,
                                                    "amount": "1"}).status_code == 403
