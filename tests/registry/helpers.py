"""Shared assertions for the registry tests."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError

from fupin.audit.models import AuditEvent
from fupin.registry.models import Household, Member, StatusChange, YearlyRecord

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Household, Member, AuditEvent, StatusChange, YearlyRecord)
    }


def has_chinese(messages) -> bool:
    return bool(messages) and all(CHINESE.search(str(m)) for m in messages)


@contextmanager
def refused(field: str, *, contains: str | None = None):
    """The block raises a ValidationError naming ``field`` in Chinese, and nothing is left half-saved."""
    before = counts()
    with pytest.raises(ValidationError) as info:
        yield info
    errors = info.value.message_dict
    assert field in errors, errors
    assert has_chinese(errors[field]), errors
    if contains is not None:
        assert any(contains in m for m in errors[field]), errors
    assert counts() == before
