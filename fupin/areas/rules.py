"""Rules about area names that every reader of hand-written sheets shares.

Statistical area codes stop at the village (12 digits); a 村民小组 gets a local 3-digit suffix in
this system, but people write the group by hand, in many forms: "3组", "第3组", "三组", "第三组",
"第三村民小组", "03", "3", "三社", "第3村民小组", "３组", " 3 组 ". ``group_key`` turns all of
them into one comparable key, so that the sheet's text and the registered group's name (the demo
county names them "第三村民小组", an imported tree may say "第三组" or "3社") meet on the same key.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["group_key", "chinese_number"]

#: Suffixes of a group's name, longest first so that "村民小组" is not read as "组" after "村民小".
#: 社 and 队 are the older 生产队 / 合作社 names still used in many counties.
GROUP_SUFFIXES = ("村民小组", "居民小组", "村民组", "居民组", "生产队", "合作社", "小组", "组", "社", "队")
GROUP_PREFIX = "第"

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_TENS = {"十": 10, "拾": 10, "廿": 20}


def chinese_number(text: str) -> int | None:
    """1–99 written in Chinese numerals ("三", "十", "十二", "二十", "廿三", "九十九", "叁拾"); None otherwise.

    Also the digit-by-digit form that some sheets use for two digits ("一〇", "二三")."""
    if not text or len(text) > 3:
        return None
    if all(c in _DIGITS for c in text):
        if len(text) == 1:
            return _DIGITS[text] or None
        if len(text) == 2 and _DIGITS[text[0]] and text[0] != "两":
            return _DIGITS[text[0]] * 10 + _DIGITS[text[1]]
        return None
    tens_at = [i for i, c in enumerate(text) if c in _TENS]
    if len(tens_at) != 1:
        return None
    i = tens_at[0]
    before, mark, after = text[:i], text[i], text[i + 1:]
    if mark == "廿":
        if before:
            return None
        tens = 20
    elif not before:
        tens = 10
    elif len(before) == 1 and before in _DIGITS and _DIGITS[before] >= 2 and before != "两":
        tens = _DIGITS[before] * 10
    else:
        return None
    if not after:
        return tens
    if len(after) == 1 and after in _DIGITS and _DIGITS[after]:
        return tens + _DIGITS[after]
    return None


@functools.lru_cache(maxsize=4096)
def group_key(text: str) -> str:
    """The comparable form of a 村民小组's name, as a sheet writes it or as the area tree holds it.

    A numbered group becomes its number without leading zeros ("第三村民小组", "3组", "03", "三社",
    "第３组" → "3"); a named one (a 自然村 such as "大寨组") becomes its name without the prefix 第 and
    the group suffix ("大寨"). Full-width characters and every space are folded away first. An empty
    text gives "" (no group)."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    if not folded:
        return ""
    stem = folded
    for suffix in GROUP_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    numbered = stem[len(GROUP_PREFIX):] if stem.startswith(GROUP_PREFIX) and len(stem) > 1 else stem
    if numbered.isascii() and numbered.isdigit():
        return str(int(numbered))
    number = chinese_number(numbered)
    if number is not None:
        return str(number)
    # A named group: "第" only counts as a prefix in front of a number ("第一" vs a name such as 第家寨).
    return stem.casefold()
