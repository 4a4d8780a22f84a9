"""Statistical codes → levels and parents (REFERENCE §1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fupin.areas.models import Area, Level
from fupin.areas.services import level_for_code, normalize_code, parent_path


@pytest.mark.parametrize(
    ("code", "level", "path", "parent"),
    [
        ("530000000000", Level.PROVINCE, "53", None),
        ("530300000000", Level.CITY, "5303", "53"),
        ("530324000000", Level.COUNTY, "530324", "5303"),
        ("530324100000", Level.TOWNSHIP, "530324100", "530324"),
        ("530324100201", Level.VILLAGE, "530324100201", "530324100"),
        ("530324100001", Level.VILLAGE, "530324100001", "530324100"),
        ("530324100201001", Level.GROUP, "530324100201001", "530324100201"),
    ],
)
def test_the_level_path_and_parent_follow_from_the_code(code, level, path, parent):
    assert level_for_code(code) == level
    assert Area.path_for(code, level) == path
    assert parent_path(code, level) == parent


@pytest.mark.parametrize(
    "code",
    ["", "53032410020", "5303241002011", "53032410020100", "5303241002010011", "53032410020A",
     "5.30324E+11", "530324 100201", "５３０３２４１００２０１"],
)
def test_anything_but_12_or_15_ascii_digits_is_refused(code):
    with pytest.raises(ValidationError) as excinfo:
        level_for_code(code)
    assert "code" in excinfo.value.message_dict


def test_full_width_digits_and_spaces_are_normalised_before_the_check():
    assert level_for_code(normalize_code(" ５３０３２４１００２０１\u3000")) == Level.VILLAGE
