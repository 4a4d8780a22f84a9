"""fupin.lib.idnumber: 18-digit citizen numbers, 15 → 18 upgrades, 残疾人证 numbers, cleaning and masking.

The check digit is recomputed here from the standard (GB 11643-1999, ISO 7064 MOD 11-2) rather
than through python-stdnum, so the tests do not grade the library with its own arithmetic.
"""

from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fupin.accounts import policy
from fupin.lib import idnumber

CHINESE = re.compile(r"[\u4e00-\u9fff]")
TODAY = datetime.date.today()
# Real county-level codes: 罗平县, 东城区, 福田区, 宣威市, 徐汇区, 长安区, 天山区.
AREAS = ["530324", "110101", "440305", "530381", "310104", "130102", "650102"]
#: GB 11643 weights: position i (0-based) weighs 2^(17-i) mod 11.
WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789Xx"}

# Pure functions and no database: 200 examples per property keeps the file well under a few seconds.
examples = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 as written in the standard."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


def refused(value, code: str, **kwargs) -> idnumber.IdNumberError:
    with pytest.raises(idnumber.IdNumberError) as info:
        idnumber.parse(value, **kwargs)
    assert info.value.code == code, (value, info.value.code, info.value.message)
    assert CHINESE.search(info.value.message), info.value.message
    return info.value


@st.composite
def people(draw, *, earliest=datetime.date(1900, 1, 1), latest=TODAY):
    area = draw(st.sampled_from(AREAS))
    birth = draw(st.dates(min_value=earliest, max_value=latest))
    sequence = draw(st.integers(min_value=0, max_value=499))
    sex = draw(st.sampled_from(["1", "2"]))
    return area, birth, sequence, sex


@st.composite
def numbers(draw):
    return idnumber.make(*draw(people()))


# -- the checksum, checked against the standard ---------------------------------------------------


def test_the_reference_check_digit_matches_published_examples():
    # GB 11643-1999's own example and python-stdnum's documented one.
    assert with_check("11010519491231002") == "11010519491231002X"
    assert with_check("36042619910101007") == "360426199101010071"


@given(first17=st.text(alphabet="0123456789", min_size=17, max_size=17))
@examples
def test_the_library_check_digit_agrees_with_the_standard(first17):
    assert idnumber.check_digit(first17) == check_digit(first17)


def test_mod_11_2_catches_every_single_digit_error():
    """Why the single-digit property below must hold, not just happen to hold on the examples.

    Changing digit i by δ (1 ≤ |δ| ≤ 9) changes the weighted sum by w_i·δ. 11 is prime and neither
    w_i (a power of 2 mod 11, never 0) nor δ is a multiple of 11, so w_i·δ ≢ 0 (mod 11): the sum
    mod 11 moves. The check character is an injective function of the sum mod 11 (eleven residues,
    eleven characters 0–9 and X), so the expected check character moves too.
    """
    assert all(w % 11 != 0 for w in WEIGHTS)
    assert all((w * delta) % 11 != 0 for w in WEIGHTS for delta in range(-9, 10) if delta)
    characters = {("X" if (12 - r) % 11 == 10 else str((12 - r) % 11)) for r in range(11)}
    assert len(characters) == 11


# -- valid numbers round-trip ----------------------------------------------------------------------


@given(person=people())
@examples
def test_a_made_number_parses_back_to_its_birth_date_and_sex(person):
    area, birth, sequence, sex = person
    number = idnumber.make(area, birth, sequence, sex)
    info = idnumber.parse(number)
    assert len(number) == 18
    assert number[17] == check_digit(number[:17])
    assert info.number == info.citizen_id == number
    assert info.kind == "ric"
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.upgraded_from is None
    assert info.disability_category is None and info.disability_grade is None
    assert idnumber.is_valid(number)


@given(number=numbers(), position=st.integers(min_value=0, max_value=16), digit=st.sampled_from("0123456789"))
@examples
def test_any_single_digit_change_in_the_first_17_is_refused(number, position, digit):
    assume(number[position] != digit)
    changed = number[:position] + digit + number[position + 1 :]
    assert changed[17] != check_digit(changed[:17])  # the arithmetic, see the proof above
    with pytest.raises(idnumber.IdNumberError) as info:
        idnumber.parse(changed)
    # The birth date is checked first, so a change there may be reported as an impossible date.
    assert info.value.code in {"checksum", "birth_date"}
    if not 6 <= position < 14:
        assert info.value.code == "checksum"


@given(number=numbers(), digit=st.sampled_from("0123456789X"))
@examples
def test_a_wrong_check_digit_is_refused(number, digit):
    assume(number[17] != digit)
    refused(number[:17] + digit, "checksum")


# -- 15-digit numbers ------------------------------------------------------------------------------


@given(person=people(latest=datetime.date(1999, 12, 31)))
@examples
def test_a_15_digit_number_upgrades_with_19_and_the_right_check_digit(person):
    area, birth, sequence, sex = person
    order = f"{sequence * 2 + (1 if sex == '1' else 0):03d}"
    old = f"{area}{birth:%y%m%d}{order}"
    expected = with_check(f"{area}19{birth:%y%m%d}{order}")
    assert idnumber.upgrade15(old) == expected
    info = idnumber.parse(old)
    assert info.number == info.citizen_id == expected
    assert info.upgraded_from == old
    assert info.birth_date == birth
    assert info.sex == sex


def test_a_15_digit_number_with_an_impossible_date_is_refused():
    refused("530324900230123", "birth_date")


def test_a_15_digit_number_with_a_letter_is_refused():
    refused("53032490010112X", "format")


# -- tolerant input --------------------------------------------------------------------------------


@given(number=numbers(), data=st.data())
@examples
def test_full_width_digits_spaces_and_separators_are_normalised(number, data):
    chars = [FULL_WIDTH[c] if data.draw(st.booleans()) else c for c in number]
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        where = data.draw(st.integers(min_value=0, max_value=len(chars)))
        chars.insert(where, data.draw(st.sampled_from([" ", "\u3000", "\t", "-", "_", "\uff0d"])))
    messy = "".join(chars)
    assert idnumber.parse(messy).number == number
    assert idnumber.clean(messy) == number


def test_a_lowercase_x_is_accepted_and_stored_upper_case():
    assert idnumber.parse("11010519491231002x").number == "11010519491231002X"
    assert idnumber.parse(" 110105 19491231 002ｘ ").number == "11010519491231002X"


def test_digits_of_other_scripts_are_stored_as_ascii():
    number = "53032419491231002X"
    number = with_check(number[:17])
    arabic_indic = "".join(chr(0x660 + int(c)) if c.isdigit() else c for c in number)
    info = idnumber.parse(arabic_indic)
    assert info.number == number
    assert info.number.isascii()


@given(text=st.text(max_size=30))
@examples
def test_any_text_is_either_a_clean_ascii_number_or_a_chinese_refusal(text):
    try:
        info = idnumber.parse(text)
    except idnumber.IdNumberError as exc:
        assert CHINESE.search(exc.message)
    else:
        assert re.fullmatch(r"[0-9]{17}[0-9X]([0-9]{2}|[0-9]{4})?", info.number), info.number


def test_digits_without_a_decimal_value_are_refused_not_crashed():
    number = idnumber.make("530324", datetime.date(1990, 1, 1), 3, "1")
    refused(
        number[:16] + "\U00010a40" + number[17], "format"
    )  # KHAROSHTHI DIGIT ONE: isdigit() but not decimal


# -- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["19900230", "19900229", "19901301", "19900100", "19900001", "20230431"])
def test_an_impossible_birth_date_is_refused(date):
    refused(with_check(f"530324{date}123"), "birth_date")


def test_a_leap_day_is_a_real_birth_date():
    assert idnumber.parse(with_check("53032420000229123")).birth_date == datetime.date(2000, 2, 29)


def test_a_birth_date_after_today_is_refused():
    tomorrow = TODAY + datetime.timedelta(days=1)
    refused(idnumber.make("530324", tomorrow, 1, "1"), "birth_date")
    fixed = idnumber.make("530324", datetime.date(2020, 1, 2), 1, "1")
    refused(fixed, "birth_date", today=datetime.date(2020, 1, 1))
    assert idnumber.parse(fixed, today=datetime.date(2020, 1, 2)).birth_date == datetime.date(2020, 1, 2)


def test_a_birth_date_before_1900_is_refused():
    refused(with_check("53032418991231123"), "birth_date")


@pytest.mark.parametrize("length", [1, 10, 14, 16, 17, 19, 21, 23, 30])
def test_a_number_of_the_wrong_length_is_refused(length):
    error = refused("5" * length, "length")
    assert str(length) in error.message


@pytest.mark.parametrize("value", ["53032419900101A23X", "5303241990010112XX", "530324199001011２3Y"])
def test_letters_are_refused(value):
    refused(value, "format")


@pytest.mark.parametrize("area", ["999999", "000000", "530399", "111111", "110199"])
def test_an_unknown_area_code_is_refused(area):
    error = refused(with_check(f"{area}19900101123"), "area")
    assert area in error.message


@pytest.mark.parametrize(
    "value", ["5.30324E+17", "5.30324e+17", "5.30324199001E17", "５.３０３２４Ｅ＋１７", 5.30324199001011e17]
)
def test_excel_scientific_notation_is_refused_with_advice(value):
    error = refused(value, "excel_number")
    assert "Excel" in error.message and "文本" in error.message


@pytest.mark.parametrize("value", ["", "   ", None])
def test_an_empty_number_is_refused(value):
    refused(value, "required")


# -- 残疾人证 numbers ------------------------------------------------------------------------------


@given(
    number=numbers(),
    category=st.sampled_from("1234567"),
    grade=st.sampled_from("1234"),
    extra=st.sampled_from(["", "01", "99"]),
)
@examples
def test_a_disability_certificate_number_gives_category_and_grade(number, category, grade, extra):
    cert = number + category + grade + extra
    info = idnumber.parse(cert)
    assert len(cert) in (20, 22)
    assert info.kind == "disability"
    assert info.number == cert
    assert info.citizen_id == number
    assert info.disability_category == category
    assert info.disability_grade == grade
    assert info.birth_date == idnumber.parse(number).birth_date
    assert info.sex == idnumber.parse(number).sex


@pytest.mark.parametrize("suffix", ["01", "81", "91", "10", "15", "19", "75"])
def test_a_disability_number_with_a_bad_category_or_grade_is_refused(suffix):
    number = idnumber.make("530324", datetime.date(1980, 5, 6), 7, "2")
    refused(number + suffix, "disability")
    refused(number + suffix + "00", "disability")


def test_a_disability_number_with_letters_after_the_18th_digit_is_refused():
    number = idnumber.make("530324", datetime.date(1980, 5, 6), 7, "2")
    refused(number + "1A", "format")


def test_a_disability_number_with_a_bad_citizen_part_is_refused():
    number = idnumber.make("530324", datetime.date(1980, 5, 6), 7, "2")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    refused(wrong + "12", "checksum")


# -- masking and building --------------------------------------------------------------------------


def test_mask_keeps_the_area_and_the_last_four():
    assert policy.mask_id("53032419900101123X") == "530324********123X"
    assert policy.mask_id("53032419900101123X12") == "530324**********3X12"
    assert policy.mask_id("") == ""
    assert policy.mask_id("12345") == "12***"


@given(number=numbers())
@examples
def test_mask_never_shows_the_birth_date(number):
    masked = policy.mask_id(number)
    assert re.fullmatch(r"[0-9]{6}\*{8}[0-9]{3}[0-9X]", masked)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]


@pytest.mark.parametrize("sequence", [-1, 500])
def test_make_refuses_a_sequence_out_of_range(sequence):
    with pytest.raises(ValueError):
        idnumber.make("530324", datetime.date(1990, 1, 1), sequence, "1")


def test_is_valid_answers_without_raising():
    assert idnumber.is_valid("11010519491231002X")
    assert not idnumber.is_valid("110105194912310021")
    assert not idnumber.is_valid(None)
