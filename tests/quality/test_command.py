"""fupin quality check [--area CODE]: counts per rule, scoped to the area, safe to run again."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fupin.quality.models import Finding

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("quality", "check", *args, stdout=out)
    return out.getvalue()


def test_it_checks_every_household_and_prints_counts_per_rule(odd_a, odd_b):
    out = run()
    assert "2 户" in out and "发现疑点 3 条" in out
    assert "致贫原因｜因病致贫但无患病成员：2" in out and "逻辑关系｜与户主关系与性别不符：1" in out
    assert run() and Finding.objects.count() == 3  # again: the same findings, not twice as many


def test_it_checks_one_area_only(odd_a, odd_b, tree):
    out = run("--area", tree["township_b"].code)
    assert "乙乡" in out and "1 户" in out and "发现疑点 1 条" in out
    assert list(Finding.objects.values_list("household__number", flat=True)) == ["H-B-0001"]


def test_an_unknown_area_is_an_error(tree):
    with pytest.raises(CommandError, match="不存在"):
        run("--area", "999999999999")
