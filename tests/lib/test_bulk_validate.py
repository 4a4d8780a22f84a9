"""fupin.lib.bulk.validate_rows: bulk rows refused by the model's own rules (fields and check constraints),
naming the row and the field, without a model instance per row."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from fupin.lib import bulk
from fupin.monitoring.models import Alert

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 5, 1)


def row(**changes) -> dict:
    values = {"kind": "medical", "row_number": 7, "household_id": 1, "member_id": None, "village_id": 1,
              "area_path": "530324100201", "source_ref": "B1", "data": {"cost": "6000"}, "reason": "医疗支出",
              "rule": {"key": "medical"}, "raised_on": DAY, "due_on": DAY + datetime.timedelta(days=7),
              "synthetic": False, "status": "open", "closed_note": ""}
    values.update(changes)
    return values


def refused(rows) -> dict:
    with pytest.raises(ValidationError) as exc:
        bulk.validate_rows(Alert, rows, label=lambda _i, r: f"第 {r['row_number']} 行")
    return exc.value.message_dict


def test_valid_rows_pass():
    bulk.validate_rows(Alert, [row(), row(row_number=8, household_id=2)])


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"source_ref": "x" * 101}, "source_ref", "来源编号"),
    ({"status": "lost"}, "status", "状态"),
    ({"kind": ""}, "kind", "预警类别"),
    ({"household_id": None}, "household_id", "农户"),
    ({"reason": "理" * 301}, "reason", "预警原因"),
])
def test_a_field_rule_names_the_row_and_the_field(changes, field, words):
    errors = refused([row(), row(row_number=9, **changes)])
    assert list(errors) == [field] and errors[field][0].startswith(f"第 9 行 {words}：")


def test_a_check_constraint_is_asked_once_per_combination():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [row(row_number=n) for n in range(50)]
    with CaptureQueriesContext(connection) as queries:
        bulk.validate_rows(Alert, rows)
    # the two check constraints, once each for the one combination of their fields
    assert sum('"_check"' in q["sql"] for q in queries.captured_queries) == 2
    errors = refused([*rows, row(row_number=60, due_on=DAY - datetime.timedelta(days=1))])
    assert errors["__all__"][0].startswith("第 60 行") and "alert_due_after_raised" in errors["__all__"][0]
