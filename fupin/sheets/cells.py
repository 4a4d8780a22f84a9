"""One cell of the standard flat sheet → one registry value, by the column's ``kind`` (columns.py).

``parse(column, raw)`` takes what python-calamine gives (str, int, float, bool, date, datetime, time,
timedelta, None) or a CSV string, and returns the value the registry stores — or None when the
cell is empty — or raises :class:`CellError` whose ``message`` says, in Chinese, what is wrong and
what to write instead. Values are not checked against the registry's rules here (an ID number's
checksum, a negative income, 务工时间 above 12): the models do that with their own messages.

Empty means: nothing, only spaces, a dash or slash (/ - — \\), "无", "暂无", "空", "null", "none",
"n/a". Where "无" is a value it is read as one first: 否 for bool columns, and an alias such as
在校生状况 "无" (非在校生) for choice columns.

Numbers that Excel stored as numbers lose everything past 15 significant digits, so an ID number,
bank account, 户编号 or 区划代码 that arrives as a number of 16 or more digits (or as text like
5.30324E+17) is refused, never guessed.

Speed: the import reads tens of thousands of rows × 56 columns, so each column gets one parsing
function built once (lookup tables included) and ``parse`` is a dict lookup and a call; common
cells (plain ASCII, a float from Excel) take the short path without NFKC or regexes, and the
results for texts that repeat down a column (县, 男, 汉族, 是) are remembered. ``parser(column)``
hands out that function for loops over one column.
"""

from __future__ import annotations

import datetime
import math
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _

from fupin.lib import idnumber

from .columns import Column
from .formulas import restore

__all__ = ["CellError", "parse", "parser", "fold", "key"]


class CellError(ValueError):
    """A cell that cannot be read; ``message`` is Chinese and says what to write instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Parser = Callable[[object], object]

# --- shared text helpers -----------------------------------------------------------------------

#: Dashes and slashes that stand for "nothing here" in every kind of column.
_DASHES = frozenset({"", "/", "//", "\\", "-", "--", "---", "—", "——", "–", "─", "…", "……", "."})
#: Words for "none"; empty except where they are a value (bool 否, a choice alias).
_NONE_WORDS = frozenset({"无", "暂无", "空", "null", "none", "n/a"})
_EMPTY = _DASHES | _NONE_WORDS
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA",
                           "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#N/A!"})
_QUOTES = "'‘’`\""
_DIGITS = frozenset("0123456789")


def fold(text: str) -> str:
    """NFKC (full-width → half-width, ㎡ → m2, ideographic space → space), without zero-width marks."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)


def key(text: str) -> str:
    """The form in which labels are compared: folded, no whitespace at all, case-folded."""
    return "".join(fold(text).split()).casefold()


def same_name(listed: str, registered: str) -> bool:
    """Whether a name typed in a list is the registered one, compared as ``key`` does (spaces, full-width
    forms and case do not count). The sector lists' push (fupin.monitoring.alerts) and the subsidy lists
    (fupin.projects.services_funds) warn when it is not, having matched the row by ID number."""
    return key(listed) == key(registered)


def _is_cjk(char: str) -> bool:
    return ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff"
            or "\U00020000" <= char <= "\U0003134f")


def _collapse(text: str) -> str:
    """Single spaces between words, none between two Chinese characters ("张 三" → "张三")."""
    parts = text.split()
    if len(parts) <= 1:
        return parts[0] if parts else ""
    out = [parts[0]]
    for part in parts[1:]:
        if not (_is_cjk(out[-1][-1]) and _is_cjk(part[0])):
            out.append(" ")
        out.append(part)
    return "".join(out)


def _shown(raw: object) -> str:
    """The value as the user sees it in Excel, for messages."""
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        if abs(raw) >= 1e15:
            mantissa, exponent = f"{raw:.5E}".split("E")
            return f"{mantissa.rstrip('0').rstrip('.')}E+{int(exponent):02d}"
        return repr(raw)
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, datetime.datetime):
        return raw.isoformat(sep=" ") if raw.time() != datetime.time() else raw.date().isoformat()
    if isinstance(raw, datetime.date | datetime.time):
        return raw.isoformat()
    return str(raw).strip()


def _excel_error(text: str) -> CellError | None:
    if text[:1] == "#" and text.upper() in _EXCEL_ERRORS:
        return CellError(_("单元格是 Excel 的错误值“%(value)s”（公式出错），请改为实际的值或留空") % {"value": text})
    return None


def _unquote(text: str) -> str:
    """'530324… (typed to force text), ="530324…" (CSV trick), stray quotes around a number."""
    if text[:2] == '="' and text[-1:] == '"':
        text = text[2:-1]
    return text.strip(_QUOTES + " ")


def _number_error(column: Column, raw: object) -> CellError:
    return CellError(_("%(column)s“%(value)s”被 Excel 存成了数字，后几位已经丢失，无法还原；"
                       "请把该列设为“文本”格式后重新填写") % {"column": column.header, "value": _shown(raw)})


def _wrong_type(column: Column, raw: object, expected: str) -> CellError:
    if isinstance(raw, datetime.date | datetime.time | datetime.timedelta):
        return CellError(_("“%(value)s”是日期或时间，%(column)s应填写%(expected)s") % {
            "value": _shown(raw), "column": column.header, "expected": expected})
    return CellError(_("“%(value)s”不是%(expected)s，%(column)s应填写%(expected)s") % {
        "value": _shown(raw), "column": column.header, "expected": expected})


def _ascii_digits(text: str) -> str:
    """Other scripts' decimal digits (Arabic-Indic, Devanagari …) as 0–9; NFKC already did full-width."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c for c in text)


def _scientific_digits(text: str) -> str | None:
    """"5.30324E+17" → None (digits lost); "1.23456789012345E+14" → the 15 digits; not scientific → ""."""
    mantissa, sep, exponent = text.upper().partition("E")
    if not sep:
        return ""
    exponent = exponent.lstrip("+")
    whole, _dot, fraction = mantissa.partition(".")
    if not (exponent.isdigit() and exponent.isascii() and whole.isdigit() and whole.isascii() and len(whole) == 1
            and (not fraction or (fraction.isdigit() and fraction.isascii()))):
        return ""
    digits = whole + fraction
    needed = int(exponent) + 1
    if needed > 15 or len(digits) != needed:
        return None
    return digits


# --- text -------------------------------------------------------------------------------------


def _text_parser(column: Column) -> Parser:
    def parse_text(raw: object) -> str | None:
        if raw is None:
            return None
        if raw.__class__ is str:
            # The apostrophe the exporter put before formula-looking text, and only it (formulas.py).
            text = _collapse(fold(restore(raw)))
            if text.casefold() in _EMPTY:
                return None
            if (error := _excel_error(text)) is not None:
                raise error
            return text
        if isinstance(raw, bool):
            return _("是") if raw else _("否")
        if isinstance(raw, float) and not math.isfinite(raw):
            raise _wrong_type(column, raw, _("文字"))
        return _shown(raw)

    return parse_text


# --- id, digits, code: identifiers kept as text -----------------------------------------------


def _id_parser(column: Column) -> Parser:
    def parse_id(raw: object) -> str | None:
        if raw is None:
            return None
        cls = raw.__class__
        if cls is str:
            text = raw.strip()
            # The usual cell: 18 ASCII digits (or 17 and an X), nothing to clean.
            if text.isascii() and (text.isdigit() or (text[:-1].isdigit() and text[-1:] in "xX")):
                return text.upper()
            text = _unquote(fold(text))
            if (error := _excel_error(text)) is not None:
                raise error
            cleaned = idnumber.clean(text)
            if cleaned.casefold() in _EMPTY:
                return None
            digits = _scientific_digits(cleaned)
            if digits is None:
                raise _number_error(column, text)
            return digits or cleaned
        if cls is float or cls is int:
            if cls is float and not (math.isfinite(raw) and raw.is_integer()):
                raise _wrong_type(column, raw, _("证件号码"))
            number = int(raw)
            # Excel keeps 15 significant digits: an 18-digit number has lost its last three; a
            # 15-digit one (an old ID number) arrives whole.
            if abs(number) >= 10**15:
                raise _number_error(column, raw)
            return str(number)
        raise _wrong_type(column, raw, _("证件号码"))

    return parse_id


_PHONE_SEPARATORS = str.maketrans({c: "/" for c in "、,，;；|"})
_PHONE_CHARS = frozenset("0123456789-+()/")


def _digits_parser(column: Column) -> Parser:
    phone = "phone" in (column.field or "")
    code = column.kind == "code"
    expected = _("电话号码") if phone else _("数字")

    def parse_digits(raw: object) -> str | None:
        if raw is None:
            return None
        cls = raw.__class__
        if cls is str:
            text = raw.strip()
            if text.isascii() and text.isdigit():  # the usual cell, nothing to clean
                return text
            return _messy_digits(column, text, phone=phone, code=code)
        if cls is float or cls is int:
            if cls is float and not (math.isfinite(raw) and raw.is_integer()):
                raise _wrong_type(column, raw, expected)
            number = int(raw)
            if number < 0:
                raise _wrong_type(column, raw, expected)
            if number >= 10**15:
                raise _number_error(column, raw)
            return str(number)
        raise _wrong_type(column, raw, expected)

    return parse_digits


def _messy_digits(column: Column, text: str, *, phone: bool, code: bool) -> str | None:
    """A digits cell that is not plain ASCII digits (``text`` stripped): quotes, full-width or other
    scripts' digits, spaces or dashes between groups, scientific notation, several phone numbers."""
    shown = text
    text = _unquote(fold(text))
    if (error := _excel_error(text)) is not None:
        raise error
    text = "".join(text.split())
    if text.casefold() in _EMPTY:
        return None
    digits = _scientific_digits(text)
    if digits is None:
        raise _number_error(column, shown)
    if digits:
        return digits
    text = _ascii_digits(text)
    if phone:
        text = text.translate(_PHONE_SEPARATORS)
        if not (_PHONE_CHARS.issuperset(text) and any(c in _DIGITS for c in text)):
            raise CellError(_("“%(value)s”不是有效的电话号码，只能包含数字和 -") % {"value": shown})
        return text
    if not code:
        text = text.replace("-", "")  # bank accounts written in groups: 6217-0000-…
    if not (text.isascii() and text.isdigit()):
        raise CellError(_("%(column)s“%(value)s”只能由数字组成") % {"column": column.header, "value": shown})
    return text


# --- choice and choices -----------------------------------------------------------------------


def _choice_table(column: Column) -> tuple[dict[str, str], list[str]]:
    """{compared form: code} for labels, codes, aliases and unambiguous short forms; the labels."""
    assert column.choices is not None, f"{column.header}: a choice column needs choices"
    explicit: dict[str, str] = {}
    derived: dict[str, set[str]] = {}
    labels: list[str] = []
    # The labels are gettext_lazy strings whose msgids are the Chinese labels sheets use; read them
    # untranslated so that an English session reads the same sheets.
    with translation.override(None):
        pairs = [(str(value), str(label)) for value, label in column.choices.choices]
    for value, label in pairs:
        labels.append(label)
        explicit[key(label)] = value
        explicit.setdefault(key(value), value)
        if value.isdigit() and value.lstrip("0") and value != value.lstrip("0"):
            explicit.setdefault(value.lstrip("0"), value)  # GB codes written as numbers: 01 → 1
        label_key = key(label)
        if label_key == "其他":
            explicit.setdefault("其它", value)
        shorts = set()
        if "(" in label_key:  # "贫困户(未脱贫)" → "贫困户"; "c级(局部危险)" → "c级"
            shorts.add(label_key.split("(", 1)[0])
        for sep in ("/", "或"):  # "中专/中职", "文盲或半文盲", "弱劳动力或半劳动力"
            if sep in label_key:
                shorts.update(label_key.split(sep))
        if label_key.endswith("族") and len(label_key) >= 2:  # 汉族 → 汉
            shorts.add(label_key[:-1])
        if label_key.startswith("之"):  # 之子 → 子
            shorts.add(label_key[1:])
        for short in shorts:
            if short:
                derived.setdefault(short, set()).add(value)
    table = {short: next(iter(values)) for short, values in derived.items() if len(values) == 1}
    table.update(explicit)
    table.update({key(alias): value for alias, value in column.aliases.items()})
    return table, labels


def _unknown_choice(column: Column, labels: list[str], value: str) -> CellError:
    if len(labels) > 12:
        return CellError(_("“%(value)s”不是有效的%(column)s；应为 %(n)d 个%(column)s名称之一，如%(examples)s") % {
            "value": value, "column": column.header, "n": len(labels), "examples": "、".join(labels[:3])})
    return CellError(_("“%(value)s”不是有效的%(column)s；应为以下之一：%(allowed)s") % {
        "value": value, "column": column.header, "allowed": "、".join(labels)})


def _choice_parser(column: Column) -> Parser:
    table, labels = _choice_table(column)

    def parse_choice(raw: object) -> str | None:
        if raw is None:
            return None
        code = table.get(raw) if raw.__class__ is str else None  # exact label, the common case
        if code is not None:
            return code
        if raw.__class__ is str:
            text = fold(raw).strip()
            if (error := _excel_error(text)) is not None:
                raise error
        elif isinstance(raw, bool) or not isinstance(raw, int | float):
            raise _unknown_choice(column, labels, _shown(raw))
        else:
            text = _shown(raw)
        k = "".join(text.split()).casefold()
        code = table.get(k)
        if code is not None:
            return code
        if k in _EMPTY:
            return None
        raise _unknown_choice(column, labels, text)

    return parse_choice


_LIST_SEPARATORS = str.maketrans({c: "、" for c in "，,；;/|"})


def _choices_parser(column: Column) -> Parser:
    table, labels = _choice_table(column)
    # Two or more characters, so that a single-character alias (病, 残) does not split words.
    segment_keys = sorted((k for k in table if len(k) >= 2), key=len, reverse=True)

    def parse_choices(raw: object) -> list[str] | None:
        if raw is None:
            return None
        if raw.__class__ is not str:
            raise _unknown_choice(column, labels, _shown(raw))
        text = fold(raw).strip()
        if (error := _excel_error(text)) is not None:
            raise error
        whole = "".join(text.split()).casefold()
        if whole in table:
            return [table[whole]]
        if whole in _EMPTY:
            return None
        return _listed_choices(column, labels, table, segment_keys, text) or None

    return parse_choices


def _listed_choices(column: Column, labels: list[str], table: dict[str, str], segment_keys: list[str],
                    text: str) -> list[str]:
    """The codes of a list of choices ("因病、因残", "因病 因残", "因病因残"), each once, in order."""
    codes: list[str] = []
    for chunk in text.casefold().translate(_LIST_SEPARATORS).split("、"):
        chunk_key = "".join(chunk.split())
        code = table.get(chunk_key)
        if code is not None:
            codes.append(code)
            continue
        if chunk_key in _EMPTY:
            continue
        for part in chunk.split():  # spaces separate too: "因病 因残"
            code = table.get(part)
            if code is not None:
                codes.append(code)
                continue
            if part in _EMPTY:
                continue
            found = _segment(part, table, segment_keys)
            if found is None:
                raise _unknown_choice(column, labels, part)
            codes.extend(found)
    return list(dict.fromkeys(codes))


def _segment(text: str, table: dict[str, str], segment_keys: list[str]) -> list[str] | None:
    """"因病因残" → [illness, disability]: greedy longest match over the known labels (``segment_keys``,
    longest first); None when some part matches none."""
    codes, i = [], 0
    while i < len(text):
        for k in segment_keys:
            if text.startswith(k, i):
                codes.append(table[k])
                i += len(k)
                break
        else:
            return None
    return codes


# --- bool -------------------------------------------------------------------------------------

_TRUE = ("是", "√", "✓", "✔", "☑", "y", "yes", "1", "有", "true", "t", "对", "是的", "参加", "已参加", "参保",
         "已参保", "享受", "已享受", "通", "已通", "安全")
_FALSE = ("否", "×", "✗", "✘", "☒", "x", "n", "no", "0", "无", "false", "f", "错", "不是", "没有", "未参加",
          "不参加", "未参保", "不享受", "未享受", "未通", "不通", "不安全")
_BOOLS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
_BOOLS.update({k.upper(): v for k, v in _BOOLS.items() if k.isascii()})
_BOOLS.update({"True": True, "False": False, "Yes": True, "No": False})


def _bool_parser(column: Column) -> Parser:
    def parse_bool(raw: object) -> bool | None:
        if raw is None:
            return None
        cls = raw.__class__
        if cls is bool:
            return raw
        if cls is str:
            value = _BOOLS.get(raw)
            if value is not None:
                return value
            text = fold(raw).strip()
            if (error := _excel_error(text)) is not None:
                raise error
            k = "".join(text.split()).casefold()
            value = _BOOLS.get(k)
            if value is not None:
                return value
            if k.endswith(".0") and k[:-2] in ("0", "1"):
                return k[0] == "1"
            if k in _EMPTY:
                return None
            raise CellError(_("“%(value)s”不是“是”或“否”；%(column)s请填写“是”或“否”（也可用 √/×、Y/N、1/0）") % {
                "value": text, "column": column.header})
        if (cls is int or cls is float) and raw in (0, 1):
            return raw == 1
        raise CellError(_("“%(value)s”不是“是”或“否”；%(column)s请填写“是”或“否”（也可用 √/×、Y/N、1/0）") % {
            "value": _shown(raw), "column": column.header})

    return parse_bool


# --- date -------------------------------------------------------------------------------------

_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900-02-29 bug ignored)
_LAST_SERIAL = (datetime.date(2100, 12, 31) - _EXCEL_EPOCH).days
_DATE_SEPARATORS = str.maketrans({"年": "-", "月": "-", "日": None, "号": None, ".": "-", "/": "-"})


def _date_parser(column: Column) -> Parser:
    def parse_date(raw: object) -> datetime.date | None:
        if raw is None:
            return None
        cls = raw.__class__
        if cls is datetime.date:  # the usual cell: Excel's date, as calamine reads it
            return raw
        if cls is datetime.datetime:
            return raw.date()
        if cls is str:
            return _date_from_text(column, raw)
        if cls is float or cls is int:
            return _date_from_number(column, raw)
        raise _bad_date(column, _shown(raw))

    return parse_date


def _date_from_text(column: Column, raw: str) -> datetime.date | None:
    """A date written as text: 1985-04-04, 1985.4.4, 1985/04/04, 1985年4月4日, 19850404, with a time or not."""
    text = fold(raw).strip()
    if not text or text.casefold() in _EMPTY:
        return None
    if (error := _excel_error(text)) is not None:
        raise error
    value = text
    if ":" in value:  # "1985-04-04 00:00:00", "1985-04-04T00:00"
        value = value.replace("T", " ").split(" ", 1)[0]
    value = "".join(value.translate(_DATE_SEPARATORS).split()).strip("-")
    parts = value.split("-")
    if not all(p.isdigit() for p in parts):
        raise _bad_date(column, text)
    if len(parts) == 3 and len(parts[0]) == 4 and len(parts[1]) <= 2 and len(parts[2]) <= 2:
        return _ymd(int(parts[0]), int(parts[1]), int(parts[2]), text)
    if len(parts) == 1 and len(value) == 8:
        return _ymd(int(value[:4]), int(value[4:6]), int(value[6:]), text)
    if (len(parts) == 2 and len(parts[0]) == 4) or (len(parts) == 1 and len(value) in (4, 6)):
        raise _month_only(column, text)
    raise _bad_date(column, text)


def _date_from_number(column: Column, raw: float) -> datetime.date:
    """A number in a date column: 19850404 typed as a number, or an Excel serial shown as a number."""
    if not math.isfinite(raw) or raw <= 0:
        raise _bad_date(column, _shown(raw))
    number = int(raw)
    if number == raw and 10_000_000 <= number <= 99_999_999:  # 19850404 typed as a number
        return _ymd(number // 10000, number // 100 % 100, number % 100, str(number))
    if number == raw and (1900 <= number <= 2100 or 190_001 <= number <= 210_012):
        raise _month_only(column, str(number))  # 1985 or 198504, not Excel serials of 1905 or 2443
    if number <= _LAST_SERIAL:
        return _EXCEL_EPOCH + datetime.timedelta(days=number)
    raise _bad_date(column, _shown(raw))


def _ymd(y: int, m: int, d: int, shown: str) -> datetime.date:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise CellError(_("日期“%(value)s”不存在，请核对年、月、日") % {"value": shown}) from None


def _bad_date(column: Column, value: str) -> CellError:
    return CellError(_("“%(value)s”不是可识别的日期；%(column)s请写成 1985-04-04、1985.04.04 或 1985年4月4日") % {
        "value": value, "column": column.header})


def _month_only(column: Column, value: str) -> CellError:
    return CellError(_("“%(value)s”只有年月（或只有年份），%(column)s需要完整的年月日，如 1985-04-04；"
                       "不清楚可留空") % {"value": value, "column": column.header})


# --- numbers ----------------------------------------------------------------------------------

_CENT = Decimal("0.01")
_MONEY_PREFIXES = ("¥", "rmb", "人民币")
_MONEY_SUFFIXES = ("元", "块", "rmb")
_AMOUNT_SUFFIXES = ("平方米", "平米", "m2", "亩", "公里", "千米", "km", "米")
_NUMBER_CHARS = frozenset("0123456789.-+")


def _plain_number(text: str) -> Decimal | None:
    """A decimal number as people type it, with thousands separators; None when it is not one."""
    if "," in text:
        whole, dot, fraction = text.partition(".")
        groups = whole.lstrip("+-").split(",")
        # 1,234,567.5 only: a comma must be a thousands separator, never a decimal comma (1234,5).
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        text = whole.replace(",", "") + dot + fraction
    if not text or not _NUMBER_CHARS.issuperset(text) or text.count(".") > 1 or "-" in text[1:] \
            or "+" in text[1:] or not any(c in _DIGITS for c in text):
        return None
    return Decimal(text)


def _number_parser(column: Column) -> Parser:
    money = column.kind == "money"
    expected = _("金额（元）") if money else _("数字")

    def parse_number(raw: object) -> Decimal | None:
        if raw is None:
            return None
        cls = raw.__class__
        if cls is float:  # the usual cell: a number in Excel
            if not math.isfinite(raw):
                raise _not_a_number(column, _shown(raw))
            return _cents(column, Decimal(repr(raw)), raw)
        if cls is int:
            return Decimal(raw).quantize(_CENT)
        if cls is str:
            text = raw.strip()
            if text.isascii() and text.isdigit():
                return Decimal(text).quantize(_CENT)
            return _number_from_text(column, text, money=money)
        if cls is Decimal:
            if not raw.is_finite():
                raise _not_a_number(column, str(raw))
            return _cents(column, raw, raw)
        raise _wrong_type(column, raw, expected)

    return parse_number


def _number_from_text(column: Column, text: str, *, money: bool) -> Decimal | None:
    """A number written as text (``text`` stripped): thousands separators, units (元, 万元, 亩, ㎡ …)."""
    text = "".join(fold(text).split())
    if text.casefold() in _EMPTY:
        return None
    if (error := _excel_error(text)) is not None:
        raise error
    value = text.casefold()
    factor = 1
    if money:
        value, factor = _without_currency(value)
    for suffix in _MONEY_SUFFIXES if money else _AMOUNT_SUFFIXES:
        if value.endswith(suffix):
            value = value[: -len(suffix)]
            break
    number = _plain_number(value)
    if number is None:
        raise _not_a_number(column, text)
    return _cents(column, number * factor, text)


def _without_currency(value: str) -> tuple[str, int]:
    """An amount without its currency prefix (¥, RMB, 人民币) and 万 (the factor it stands for)."""
    for prefix in _MONEY_PREFIXES:
        if value.startswith(prefix) or value.startswith("-" + prefix):
            value = value.replace(prefix, "", 1)
            break
    if value.endswith("万元") or value.endswith("万"):
        return value.rstrip("元")[:-1], 10000
    return value, 1


def _cents(column: Column, number: Decimal, raw: object) -> Decimal:
    """``number`` rounded half up to the cent; CellError when it has more digits than Decimal's 28."""
    try:
        return number.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise _not_a_number(column, _shown(raw)) from None


def _not_a_number(column: Column, value: str) -> CellError:
    if column.kind == "money":
        return CellError(_("“%(value)s”不是金额；%(column)s请填写以元为单位的数字，如 1234.50") % {
            "value": value, "column": column.header})
    return CellError(_("“%(value)s”不是数字；%(column)s请填写数字，如 2.5") % {
        "value": value, "column": column.header})


_INT_SUFFIXES = ("个月", "月", "年度", "年")


def _int_parser(column: Column) -> Parser:
    def parse_int(raw: object) -> int | None:
        if raw is None:
            return None
        cls = raw.__class__
        if cls is int:
            return raw
        if cls is float:  # the usual cell: a number in Excel
            if not (math.isfinite(raw) and raw.is_integer()):
                raise _not_an_int(column, _shown(raw))
            return int(raw)
        if cls is str:
            text = raw.strip()
            if text.isascii() and text.isdigit():
                return int(text)
            return _int_from_text(column, text)
        return _int_from_other(column, raw)

    return parse_int


def _int_from_text(column: Column, text: str) -> int | None:
    """A whole number written as text (``text`` stripped), with a unit (6个月, 2016年) or not."""
    text = "".join(fold(text).split())
    if text.casefold() in _EMPTY:
        return None
    if (error := _excel_error(text)) is not None:
        raise error
    value = text
    for suffix in _INT_SUFFIXES:
        if value.endswith(suffix):
            value = value[: -len(suffix)]
            break
    number = _plain_number(value)
    if number is None or number != number.to_integral_value():
        raise _not_an_int(column, text)
    return int(number)


def _int_from_other(column: Column, raw: object) -> int:
    """A whole number that arrives as a date or a Decimal; anything else is not one."""
    cls = raw.__class__
    if cls is datetime.date or (cls is datetime.datetime and raw.time() == datetime.time()):
        # A whole number in a cell formatted as a date (2016 shown as 1905-07-08): the stored
        # number is exact, only its display is wrong.
        day = raw if cls is datetime.date else raw.date()
        return (day - _EXCEL_EPOCH).days
    if cls is Decimal and raw.is_finite() and raw == raw.to_integral_value():
        return int(raw)
    raise _not_an_int(column, _shown(raw))


def _not_an_int(column: Column, value: str) -> CellError:
    return CellError(_("“%(value)s”不是整数；%(column)s请填写整数，如 %(example)s") % {
        "value": value, "column": column.header, "example": "2016" if "年" in column.header else "6"})


# --- dispatch ---------------------------------------------------------------------------------

_BUILDERS: dict[str, Callable[[Column], Parser]] = {
    "text": _text_parser,
    "id": _id_parser,
    "digits": _digits_parser,
    "code": _digits_parser,
    "choice": _choice_parser,
    "choices": _choices_parser,
    "bool": _bool_parser,
    "date": _date_parser,
    "money": _number_parser,
    "decimal": _number_parser,
    "int": _int_parser,
}
#: Kinds whose texts repeat down a column (县, 乡镇, 男, 汉族, 是): their results are remembered.
_MEMOIZED = frozenset({"text", "choice", "choices", "bool"})
_MEMO_SIZE = 4096


def _memoized(function: Parser, *, copy: bool) -> Parser:
    """Remember the results for the first few thousand distinct texts (not for numbers: 1 == 1.0 == True)."""
    memo: dict[str, object] = {}

    def parse_memoized(raw: object) -> object:
        if raw.__class__ is not str:
            return function(raw)
        try:
            value = memo[raw]
        except KeyError:
            value = function(raw)  # a CellError is not remembered: it is raised again next time
            if len(memo) < _MEMO_SIZE:
                memo[raw] = value
            return list(value) if copy and value is not None else value
        return list(value) if copy and value is not None else value

    return parse_memoized


# Keyed by id(); the Column is kept in the entry so that its id cannot be reused by another object.
_PARSERS: dict[int, tuple[Column, Parser]] = {}


def parser(column: Column) -> Parser:
    """The parsing function of ``column`` (built once): for loops over many cells of one column."""
    entry = _PARSERS.get(id(column))
    if entry is not None and entry[0] is column:
        return entry[1]
    try:
        build = _BUILDERS[column.kind]
    except KeyError:
        raise ValueError(f"column {column.header!r}: unknown kind {column.kind!r}") from None
    function = build(column)
    if column.kind in _MEMOIZED:
        function = _memoized(function, copy=column.kind == "choices")
    _PARSERS[id(column)] = (column, function)
    return function


def parse(column: Column, raw: object) -> object | None:
    """The registry value of one cell of ``column``; None when empty; CellError when unreadable."""
    entry = _PARSERS.get(id(column))
    if entry is None or entry[0] is not column:
        return parser(column)(raw)
    return entry[1](raw)
