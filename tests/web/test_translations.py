"""The English catalogue (fupin/locale/en/LC_MESSAGES/django.po, made by `make messages`): every string of the
identification, standards, monitoring, assistance, credit and projects apps is translated, none left fuzzy,
each with the same placeholders as its Chinese, and the compiled .mo holds them; a page of each of the last
three reads English when the user picks English (its data — names, places — stays as entered)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "fupin" / "locale" / "en" / "LC_MESSAGES" / "django.po"
APPS = ("identification/", "standards/", "monitoring/", "assistance/", "credit/", "projects/")
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


def test_every_string_of_the_checked_apps_is_in_english():
    ours = [e for e in entries() if _ours(e)]
    assert len(ours) > 2000
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
        assert translation.gettext("驻村工作队") == "Village work team"
        assert translation.gettext("扶贫小额信贷") == "Poverty-alleviation microcredit"
        assert translation.gettext("脱贫攻坚项目库") == "Poverty-alleviation project library"


def test_each_app_has_its_strings_in_the_catalogue():
    for app in APPS:
        assert any(ref.lstrip("./").startswith(app) for e in entries() for ref in e["refs"]), app


CJK = re.compile(r"[\u4e00-\u9fff]+")


def _english(client, user, url: str) -> str:
    """The page as a user who picked English sees it (the language switch's cookie), scripts left out."""
    from django.conf import settings

    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)


def _chinese_left(page: str, data: set[str]) -> set[str]:
    """Chinese on the page that is neither data nor the language switch's own name (简体中文) or the logo."""
    return {run for run in CJK.findall(page) if run not in data | {"简体中文", "扶"}}


def test_an_assistance_page_reads_english(client, county_user, tree):
    from django.urls import reverse

    from fupin.assistance.models import Cadre

    Cadre.objects.create(name="王帮扶", area=tree["county"])
    page = _english(client, county_user, reverse("assistance:cadres"))
    assert "Assistance cadre" in page and "New cadre" in page and "王帮扶" in page
    assert "帮扶干部" not in page and "新增干部" not in page
    assert not _chinese_left(page, {"王帮扶", tree["county"].name})


def test_a_credit_page_reads_english(client, county_user, tree):
    from django.urls import reverse

    page = _english(client, county_user, reverse("credit:loans"))
    assert "Poverty-alleviation microcredit" in page and "No matching loans." in page
    assert "扶贫小额信贷" not in page and "没有符合条件的贷款" not in page
    names = {a.name for a in tree.values()} | {a.parent.name for a in tree.values() if a.parent}
    assert not _chinese_left(page, names)


def test_a_projects_page_reads_english(client, county_user, tree):
    import datetime

    from django.urls import reverse

    from fupin.projects import services_library as lib
    from fupin.projects.rules import Category

    lib.project_create(actor=None, area=tree["village_a1"], name="甲一村通组硬化路", category=Category.ROADS, year=2025,
                       on=datetime.date(2025, 3, 1), tasks="硬化道路", budget="1200000.00", households=40, people=150)
    page = _english(client, county_user, reverse("projects:list"))
    assert "Poverty-alleviation project library" in page and "Village application" in page and "甲一村通组硬化路" in page
    assert "脱贫攻坚项目库" not in page and "村级申报" not in page
    names = {a.name for a in tree.values()} | {a.parent.name for a in tree.values() if a.parent} | {"甲一村通组硬化路"}
    assert not _chinese_left(page, names)
