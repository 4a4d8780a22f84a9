"""Sorting Chinese names as Chinese users expect: by pinyin (拼音), syllable by syllable, the tone after
the letters (ma1 妈 before ma3 马), as a dictionary or a roll-call list is ordered — not by Unicode code
point, which puts 张 after 赵 and scatters one surname's households over the list.

``sort_key`` gives a plain ASCII string that sorts right under any database collation (C, glibc or
ICU locales): each syllable padded to a fixed width with digits, its tone last, no spaces or
punctuation (locale collations ignore those). A surname with a reading of its own (曾 zēng, 单 shàn,
解 xiè …) is read as a surname at the start of a name. Characters with the same pinyin (张/章) tie:
the caller orders by the name next.

pypinyin is imported on first use: its dictionaries take ~55 MB, only in a process that writes names.
"""

from __future__ import annotations

from functools import lru_cache

#: Letters of the longest syllable (zhuang, shuang, chuang); a syllable is padded to this with "0".
WIDTH = 6
#: Longest key stored (Household.head_name_pinyin).
MAX_LENGTH = 200

#: Surnames read otherwise than the character's most common reading (pypinyin's first), at the start of
#: a name. Double surnames first.
SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu4", "chi2"), "万俟": ("mo4", "qi2"), "单于": ("chan2", "yu2"),
    "曾": ("zeng1",), "单": ("shan4",), "解": ("xie4",), "仇": ("qiu2",), "朴": ("piao2",), "查": ("zha1",),
    "区": ("ou1",), "乐": ("yue4",), "盖": ("ge3",), "缪": ("miao4",), "翟": ("zhai2",), "尉": ("yu4",),
    "种": ("chong2",), "秘": ("bi4",), "覃": ("qin2",), "员": ("yun4",), "召": ("shao4",), "繁": ("po2",),
    "折": ("she2",), "华": ("hua4",), "任": ("ren2",), "燕": ("yan1",), "柏": ("bai3",), "藏": ("zang4",),
    "卜": ("bu3",), "薄": ("bo2",), "阚": ("kan4",), "那": ("na1",), "宁": ("ning4",), "长": ("chang2",),
}


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="default")


def _pad(syllable: str) -> str:
    """"li3" → "li00003", "zhuang4" → "zhuang4": letters, "0"s to WIDTH, then the tone (0: none)."""
    tone = syllable[-1] if syllable[-1:].isdigit() else "0"
    letters = syllable[:-1] if syllable[-1:].isdigit() else syllable
    return letters.ljust(WIDTH, "0") + tone


@lru_cache(maxsize=50_000)
def sort_key(name: str) -> str:
    """The pinyin sort key of a name: "张三" → "zhang01san0001" (see the module's docstring)."""
    name = (name or "").strip()
    out: list[str] = []
    for surname, readings in SURNAMES.items():
        if name.startswith(surname):
            out = list(readings)
            name = name[len(surname):]
            break
    for chunk in _syllables(name):
        # Latin letters and digits are kept (lower case) as a syllable without tone; punctuation
        # (the "·" of a transliterated name), spaces and symbols are dropped.
        kept = "".join(c for c in chunk.lower() if c.isascii() and c.isalnum())
        if kept:
            out.append(kept)
    return "".join(_pad(s) for s in out)[:MAX_LENGTH]
