"""The English catalogue (fupin/locale/en/LC_MESSAGES/django.po, made by `make messages`): every string of the
identification, standards and monitoring apps is translated, none left fuzzy, each with the same
placeholders as its Chinese, and the compiled .mo holds them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "fupin" / "locale" / "en" / "LC_MESSAGES" / "django.po"
APPS = ("identification/", "standards/", "monitoring/")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%\([a-z_]+\)\.\d+f|%[sd]")


def _unquote(line: str) -> str:
    return line[1:-1].encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def entries() -> list[dict]:
    out = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        entry = {"refs": [], "flags": [], "id": None, "strs": []}
        current = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["id"] = None
                break
            if line.startswith("#: "):
                entry["refs"] += line[3:].split()
            elif line.startswith("#, "):
                entry["flags"] = [f.strip() for f in line[3:].split(",")]
            elif line.startswith("msgid "):
                entry["id"], current = _unquote(line[6:]), "id"
            elif line.startswith("msgid_plural "):
                current = "plural"
            elif line.startswith("msgstr"):
                entry["strs"].append(_unquote(line.split(" ", 1)[1]))
                current = "str"
            elif line.startswith('"') and current == "id":
                entry["id"] += _unquote(line)
            elif line.startswith('"') and current == "str":
                entry["strs"][-1] += _unquote(line)
        if entry["id"]:
            out.append(entry)
    return out


def _ours(entry: dict) -> bool:
    return any(ref.lstrip("./").startswith(APPS) for ref in entry["refs"])


def test_every_string_of_identification_standards_and_monitoring_is_in_english():
    ours = [e for e in entries() if _ours(e)]
    assert len(ours) > 500
    missing = [e["id"] for e in ours if not all(e["strs"]) or "fuzzy" in e["flags"]]
    assert not missing, f"{len(missing)} untranslated or fuzzy, e.g. {missing[:5]}"


@pytest.mark.parametrize("app", APPS)
def test_translations_keep_their_placeholders(app):
    for e in entries():
        if any(ref.lstrip("./").startswith(app) for ref in e["refs"]) and all(e["strs"]):
            assert sorted(PLACEHOLDER.findall(e["id"])) == sorted(PLACEHOLDER.findall(e["strs"][0])), e["id"]


def test_the_compiled_catalogue_has_the_new_strings():
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("登记未建档农户为监测对象") == "Register a household not yet registered as a monitoring object"
        assert translation.gettext("该户没有防返贫监测记录。") == "This household has no monitoring record."
