"""Conditions are data from a whitelist: every mistake is refused with a Chinese message naming the condition."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fupin.standards import engine


@pytest.mark.parametrize(("condition", "message"), [
    ({"field": "os.system", "op": "eq", "value": 1, "label": "住房"}, "第 1 条条件（住房）：字段“os.system”不在可用字段中"),
    ({"field": "water_safe", "op": "gt", "value": 1}, "第 1 条条件：“饮水是否安全”不能使用运算符“>”"),
    ({"field": "house_area", "op": "gt", "value": "abc"}, "“住房面积”的比较值应为数值，收到的是“abc”"),
    ({"field": "house_area", "op": "gt", "value": True}, "“住房面积”的比较值应为数值"),
    ({"field": "house_area", "op": "gt", "value": "@poverty_line"}, "“住房面积”的比较值应为数值"),
    ({"field": "house_area", "op": "gt", "value": "2952.005"}, "“住房面积”的比较值“2952.005”超出范围：最多两位小数"),
    ({"field": "net_income", "op": "gt", "value": "1e12"}, "“家庭纯收入”的比较值“1e12”超出范围"),
    ({"field": "member_count", "op": "ge", "value": 2.5}, "“家庭人口”的比较值应为整数"),
    ({"field": "danger_grade", "op": "in", "value": []}, "运算符“in”的比较值应为非空列表"),
    ({"field": "danger_grade", "op": "in", "value": ["C", "E"]}, "“E”不是“危房等级”的可选值"),
    ({"field": "water_safe", "op": "is_true", "value": "1"}, "运算符“is_true”不需要比较值"),
    ({"field": "house_area", "op": "gt", "value": 0, "code": "x"}, "含有未知的键：code"),
    ("house_area > 0", "应为包含字段、运算符和比较值的条目"),
])
def test_bad_condition_is_named(condition, message):
    errors = engine.conditions_errors([condition])
    assert len(errors) == 1
    assert message in errors[0]
    assert errors[0].startswith("第 1 条条件")


def test_every_bad_condition_is_listed_by_its_place():
    conditions = [{"field": "water_safe", "op": "is_true"}, {"field": "nope", "op": "eq", "value": 1},
                  {"field": "house_area", "op": "gt", "value": "x", "label": "有房"}]
    with pytest.raises(ValidationError) as raised:
        engine.parse_conditions(conditions)
    first, second = raised.value.messages
    assert first.startswith("第 2 条条件：字段“nope”不在可用字段中")
    assert second.startswith("第 3 条条件（有房）：“住房面积”的比较值应为数值")


def test_an_empty_rule_set_is_refused():
    assert engine.conditions_errors([]) == ["规则集至少需要一条条件"]
    assert engine.conditions_errors("x") == ["规则集至少需要一条条件"]


def test_valid_conditions_parse():
    parsed = engine.parse_conditions([
        {"field": "per_capita_income", "op": "gt", "value": "@poverty_line"},
        {"field": "danger_grade", "op": "not_in", "value": ["C", "D"], "label": "住房安全"},
        {"field": "member_count", "op": "in", "value": [1, 2]},
        {"field": "house_area", "op": "ge", "value": "10.5"},
    ])
    assert [c.name for c in parsed] == ["人均纯收入", "住房安全", "家庭人口", "住房面积"]
    assert str(parsed[3].value) == "10.5"
