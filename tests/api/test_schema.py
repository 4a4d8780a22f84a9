"""The OpenAPI schema generates without warnings or errors and describes bodies and errors."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


def test_schema_generates_and_validates_without_warnings(tmp_path):
    # --fail-on-warn turns any warning (an undescribed view, a clashing enum name) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 10_000


@pytest.mark.django_db
def test_schema_describes_request_bodies_and_error_responses():
    schema = APIClient().get("/api/schema/?format=json").json()
    patch = schema["paths"]["/api/households/{id}/"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("HouseholdUpdateInRequest")
    for code in ("400", "403", "404", "409", "413", "415", "428"):
        assert patch["responses"][code]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert "/api/ping/" in schema["paths"] and "/api/auth/token/" in schema["paths"]


@pytest.mark.django_db
def test_docs_page_loads_its_script_from_a_file():
    r = APIClient().get("/api/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "swagger-ui" in html and "<script src=" in html
    script = APIClient().get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
