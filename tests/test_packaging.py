"""pyproject.toml: the licence in the form setuptools ≥ 77 wants (issue 12, item 9: `pip install` warned
three times that `project.license` as a TOML table is deprecated)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_licence_is_an_spdx_string_with_its_files():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "AGPL-3.0-or-later"
    files = project["project"]["license-files"]
    assert "LICENSE" in files
    for pattern in files:
        assert list(ROOT.glob(pattern)), f"{pattern} matches no file"
    assert "AGPL-3.0-or-later" in (ROOT / "LICENSE").read_text()
    # Both keys need setuptools 77; an older one would refuse the string form.
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in project["build-system"]["requires"])
    assert not any("License ::" in c for c in project["project"].get("classifiers", []))
