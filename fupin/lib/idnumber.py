"""Chinese ID numbers: the 18-digit 居民身份证号, old 15-digit numbers, and 残疾人证 numbers.

The arithmetic (ISO 7064 MOD 11-2 checksum, birth date, area lookup) is python-stdnum's
``stdnum.cn.ric``; this module adds what the registry needs around it: tolerant input cleaning
(full-width digits, spaces, lowercase x), 15 → 18 upgrading, sex from the 17th digit, 残疾人证
numbers (the holder's 18-digit number + category digit + grade digit [+ 2 more]), and
Chinese error messages that say exactly what is wrong.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# ASCII only: ``\d`` and str.isdigit() also accept Arabic-Indic and other scripts' digits, which
# would then be stored as they are (and slip past the one-household-per-person constraint).
SCIENTIFIC_RE = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$", re.ASCII)
RIC18_RE = re.compile(r"^[0-9]{17}[0-9X]$", re.ASCII)
DIGITS_RE = re.compile(r"^[0-9]+$", re.ASCII)


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; ``message`` is Chinese and says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IdInfo:
    number: str  # what is stored: the 18-digit number, or the full 残疾人证 number
    kind: str  # "ric" or "disability"
    citizen_id: str  # the holder's 18-digit number
    birth_date: datetime.date
    sex: str  # "1" male, "2" female (GB/T 2261.1)
    upgraded_from: str | None = None  # the 15-digit number it was upgraded from
    disability_category: str | None = None  # "1".."7"
    disability_grade: str | None = None  # "1".."4"


def _ascii_digit(char: str) -> str:
    if char.isascii() or unicodedata.category(char) != "Nd":
        return char
    return str(unicodedata.decimal(char))


def clean(value: object) -> str:
    """Full-width to half-width, any script's decimal digits to 0–9, no spaces or separators, upper-case X."""
    if value.__class__ is str:
        return _clean_text(value)
    return _clean_text(str(value if value is not None else ""))


@lru_cache(maxsize=250_000)
def _clean_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    text = "".join(_ascii_digit(c) for c in text)
    return re.sub(r"[\s\-_]", "", text).upper()


@lru_cache(maxsize=4096)
def area_code_known(code6: str) -> bool:
    """Whether the first six digits are an administrative code that exists or existed (any year).

    python-stdnum's own check also demands that the county existed in the birth year, which
    refuses real people: numbers were first issued in 1985, with the codes of that time, to people
    born long before.
    """
    # The table is nested (2-digit province, then the 4 remaining digits): a code is known only when
    # its full six digits name a county-level entry, not merely when its province exists.
    return any("county" in props for _part, props in numdb.get("cn/loc").info(code6))


def check_digit(first17: str) -> str:
    return ric.calc_check_digit(first17 + "0")


def upgrade15(number15: str) -> str:
    """A 15-digit number (6 area, YYMMDD, 3 sequence) as the 18-digit number issued in its place."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_digit(first17)


def _check18(number: str, *, today: datetime.date) -> tuple[datetime.date, str]:
    if not RIC18_RE.match(number):
        raise IdNumberError("format", "证件号码只能由数字组成（第 18 位可以是 X）")
    try:
        birth = ric.get_birth_date(number)
    except InvalidComponent:
        raise IdNumberError(
            "birth_date", f"证件号码中的出生日期 {number[6:10]}-{number[10:12]}-{number[12:14]} 不存在"
        ) from None
    if birth > today:
        raise IdNumberError("birth_date", f"证件号码中的出生日期 {birth.isoformat()} 晚于今天")
    if birth < EARLIEST_BIRTH:
        raise IdNumberError("birth_date", f"证件号码中的出生日期 {birth.isoformat()} 早于 1900 年")
    if number[17] != check_digit(number[:17]):
        raise IdNumberError("checksum", "证件号码校验位错误（第 18 位），请逐位核对")
    if not area_code_known(number[:6]):
        raise IdNumberError("area", f"证件号码前 6 位 {number[:6]} 不是有效的行政区划代码")
    sex = "1" if int(number[16]) % 2 else "2"
    return birth, sex


def parse(value: object, *, today: datetime.date | None = None) -> IdInfo:
    """Clean, check and describe an ID number; raise IdNumberError with a Chinese message.

    Results are cached by (number, day): an import of a county checks each number several times
    (matching, validation, the one-household-per-person check)."""
    today = today or datetime.date.today()
    raw = str(value if value is not None else "").strip()
    number = clean(raw)
    if SCIENTIFIC_RE.match(number):
        raise IdNumberError(
            "excel_number",
            f"证件号码“{raw}”被 Excel 存成了数字，后几位已经丢失，无法还原；请把该列设为文本后重新填写",
        )
    outcome = _parse_cached(number, today)
    if isinstance(outcome, tuple):
        raise IdNumberError(*outcome)
    return outcome


@lru_cache(maxsize=250_000)
def _parse_cached(number: str, today: datetime.date) -> IdInfo | tuple[str, str]:
    try:
        return _parse_clean(number, today)
    except IdNumberError as exc:
        return exc.code, exc.message


def _parse_clean(number: str, today: datetime.date) -> IdInfo:
    if not number:
        raise IdNumberError("required", "证件号码不能为空")
    length = len(number)
    if length == 15:
        if not DIGITS_RE.match(number):
            raise IdNumberError("format", "15 位证件号码只能由数字组成")
        upgraded = upgrade15(number)
        birth, sex = _check18(upgraded, today=today)
        return IdInfo(upgraded, "ric", upgraded, birth, sex, upgraded_from=number)
    if length == 18:
        birth, sex = _check18(number, today=today)
        return IdInfo(number, "ric", number, birth, sex)
    if length in (20, 22):
        if not DIGITS_RE.match(number[18:]):
            raise IdNumberError("format", "残疾人证号第 19 位以后只能是数字")
        birth, sex = _check18(number[:18], today=today)
        category, grade = number[18], number[19]
        if category not in "1234567":
            raise IdNumberError("disability", f"残疾人证号第 19 位（残疾类别）应为 1–7，实为 {category}")
        if grade not in "1234":
            raise IdNumberError("disability", f"残疾人证号第 20 位（残疾等级）应为 1–4，实为 {grade}")
        return IdInfo(number, "disability", number[:18], birth, sex,
                      disability_category=category, disability_grade=grade)
    raise IdNumberError(
        "length", f"证件号码应为 18 位（旧证 15 位，残疾人证 20 或 22 位），实为 {length} 位"
    )


def is_valid(value: object) -> bool:
    try:
        parse(value)
    except IdNumberError:
        return False
    return True


def make(area6: str, birth: datetime.date, sequence: int, sex: str) -> str:
    """Build a valid 18-digit number (synthetic data and tests). ``sequence`` 0–499 picks the order code;
    its last digit is made odd for men and even for women."""
    if not 0 <= sequence < 500:
        raise ValueError("sequence must be 0–499")
    order = sequence * 2 + (1 if sex == "1" else 0)
    first17 = f"{area6}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)
