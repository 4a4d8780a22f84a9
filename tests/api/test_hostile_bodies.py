"""Deeply nested, out-of-range and odd JSON values in every kind of field: always a 4xx, never a 5xx."""

from __future__ import annotations

import pytest

from fupin.registry.models import Household

from .conftest import api

pytestmark = pytest.mark.django_db

FIELDS = ("identified_year", "cultivated_land", "address", "other_causes", "in_cooperative", "members", "version")


@pytest.mark.parametrize("depth", [50, 900, 990])
def test_deeply_nested_values(registry, county_user, depth):
    pk = registry["a1"].pk
    nested = "[" * depth + "]" * depth
    for field in FIELDS:
        body = '{"version": 1, "%s": %s}' % (field, nested)  # noqa: UP031 - raw JSON text
        for response in (
            api(county_user).patch(f"/api/households/{pk}/", body, content_type="application/json"),
            api(county_user).post("/api/households/", body, content_type="application/json"),
        ):
            assert 400 <= response.status_code < 500, (field, response.status_code)
            assert response.json()["error"]["status"] == response.status_code
    assert Household.objects.get(pk=pk).version == 1


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e400", "-1e400", "18446744073709551616", '"\\u0000"',
                                   "{}", '"' + "x" * 5000 + '"'])
def test_odd_scalars(registry, county_user, value):
    pk = registry["a1"].pk
    for field in FIELDS:
        body = '{"%s": %s}' % (field, value)  # noqa: UP031 - raw JSON text
        response = api(county_user).patch(f"/api/households/{pk}/", body, content_type="application/json",
                                          HTTP_IF_MATCH='"1"')
        assert 400 <= response.status_code < 500, (field, value, response.status_code)
    assert Household.objects.get(pk=pk).version == 1
