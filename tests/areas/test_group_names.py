"""fupin.areas.rules.group_key: every usual way of writing a 村民小组 meets the registered group's name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.areas.rules import chinese_number, group_key

examples = settings(max_examples=300, deadline=None)

_ONES = "一二三四五六七八九"


def cn(n: int) -> str:
    """1–99 in Chinese numerals, written independently of the code under test."""
    tens, ones = divmod(n, 10)
    out = ("" if tens == 0 else "十" if tens == 1 else _ONES[tens - 1] + "十")
    return out + (_ONES[ones - 1] if ones else "")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in text)


FORMS = [
    lambda n: f"{n}组", lambda n: f"第{n}组", lambda n: f"{cn(n)}组", lambda n: f"第{cn(n)}组",
    lambda n: f"第{cn(n)}村民小组", lambda n: f"第{n}村民小组", lambda n: f"{n:02d}", lambda n: str(n),
    lambda n: f"{cn(n)}社", lambda n: f"{n}社", lambda n: f"第{cn(n)}居民小组", lambda n: f"{n}队",
    lambda n: f"{cn(n)}小组", lambda n: full_width(f"{n}组"), lambda n: f"第{full_width(str(n))}组",
    lambda n: f" 第 {n} 组 ", lambda n: f"{n}\u3000组", lambda n: f"{n:03d}",
]


@examples
@given(n=st.integers(1, 99), form=st.sampled_from(FORMS))
def test_every_usual_form_of_a_numbered_group_gives_its_number(n, form):
    assert group_key(form(n)) == str(n)


@examples
@given(n=st.integers(1, 99), a=st.sampled_from(FORMS), b=st.sampled_from(FORMS))
def test_two_spellings_of_the_same_group_meet_and_of_different_groups_do_not(n, a, b):
    assert group_key(a(n)) == group_key(b(n))
    assert group_key(a(n)) != group_key(b(n % 99 + 1))


@pytest.mark.parametrize(("text", "number"), [
    ("十", 10), ("十一", 11), ("二十", 20), ("廿", 20), ("廿三", 23), ("九十九", 99), ("叁拾", 30), ("拾贰", 12),
    ("一〇", 10), ("两", 2)])
def test_chinese_numerals_including_ten_and_twenty_forms(text, number):
    assert chinese_number(text) == number


@pytest.mark.parametrize("text", ["", "零", "十十", "一百", "三十二十", "甲", "二十三四", "廿十"])
def test_text_that_is_not_a_number_from_1_to_99_is_not_read_as_one(text):
    assert chinese_number(text) is None


@pytest.mark.parametrize(("text", "key"), [
    ("大寨组", "大寨"), ("大寨", "大寨"), ("大寨村民小组", "大寨"), (" 大 寨 ", "大寨"), ("新村队", "新村")])
def test_a_named_group_keeps_its_name_without_the_suffix(text, key):
    assert group_key(text) == key


def test_an_empty_text_is_no_group():
    assert group_key("") == "" == group_key("  \u3000 ")


def test_a_named_group_never_meets_a_numbered_one():
    assert group_key("大寨组") != group_key("一组")
