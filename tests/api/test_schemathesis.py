"""Property-based run of every operation in the generated schema, as a county officer.

Schemathesis (in process, through the WSGI application) generates requests from /api/schema/ and
checks that no response is a 5xx and that each response conforms to the schema: status code
documented, body matching the response schema, content type and headers as declared.

Schemathesis' own pytest integration (``schemathesis.pytest.from_fixture``) reads a private pytest
attribute that pytest 9 no longer has, so the operations are driven through its Python API here:
one Hypothesis run per operation and generation mode. Examples are kept few so the whole run stays
well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from fupin.accounts.tokens import token_issue
from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES = 20
# Schema-valid is not the same as acceptable: an area code that does not exist, an ID number with a
# wrong check digit, a status the status machine does not allow are refused with a documented 400.
# Everything else is checked: no 5xx, status codes, bodies, content types, headers, and that
# schema-invalid data is refused.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


def _run(operation, mode, headers, path_parameters, failures):
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

    try:
        check()
    except Exception as exc:  # collect every operation's failure, then report them together
        failures.append(f"{mode} {operation.method.upper()} {operation.path}: {exc}"[:3000])


@pytest.fixture
def _keep_test_connection():
    """Requests go through the real WSGI handler, whose request signals close the database
    connection when it is "in an unexpected state" — as it always is inside a test's transaction.
    Django's own test client disconnects the same handler for the same reason."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_every_operation_conforms_to_the_schema(registry, county_user, _keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    headers = {"Authorization": f"Token {token_issue(user=county_user)[1]}"}
    real = {"id": registry["a1"].pk, "code": factories.VILLAGE_A1, "year": 2019}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        # Signing out revokes the token it is sent with: it gets a token of its own, so that the other
        # operations keep theirs.
        own = ({"Authorization": f"Token {token_issue(user=county_user)[1]}"}
               if (operation.method.upper(), operation.path) == ("DELETE", "/api/auth/token/") else headers)
        # Random path values mostly hit 404; real ones reach the validation and the services.
        _run(operation, GenerationMode.POSITIVE, own, {}, failures)
        fixed = {k: v for k, v in real.items() if k in names}
        if fixed:
            _run(operation, GenerationMode.POSITIVE, own, fixed, failures)
        if operation.method.upper() != "GET" or operation.query:
            _run(operation, GenerationMode.NEGATIVE, own, fixed, failures)
    assert not failures, "\n\n".join(failures)
