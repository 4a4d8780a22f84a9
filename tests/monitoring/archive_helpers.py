"""A small county for the year-end archive's tests, built through the real services: two townships, each
with a household that the 2019 dynamic adjustment took out of poverty (a confirmed proposal and a standards
Decision) and a 2026 identification case on a first notice."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from fupin.accounts.models import Role
from fupin.identification import adjustment
from fupin.monitoring import archive as archives
from tests import factories
from tests.identification import adjust_helpers as make
from tests.identification.helpers import clock
from tests.identification.notices_helpers import at_village_step, first_notice


@dataclasses.dataclass
class World:
    tree: dict
    users: dict
    households: dict  # "a_exit", "b_exit", "a_case", "b_case" → Household
    notices: dict  # "a", "b" → Notice


# Imported by the test modules under these names (the fixtures are called ``jobs_sync`` and ``world``).
@pytest.fixture(name="jobs_sync")
def jobs_sync_fixture(settings, tmp_path):
    settings.FUPIN_JOBS = "sync"
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture(name="world")
def world_fixture(tree, county_user, township_a_user, township_b_user, village_user, jobs_sync) -> World:
    village_b = factories.user("village_b1", Role.VILLAGE, tree["village_b1"])
    with clock():
        a_exit = make.exit_ready(county_user, tree["village_a1"])
        b_exit = make.exit_ready(county_user, tree["village_b1"])
        run = adjustment.run_start(actor=county_user, year=2019, area=tree["county"])
        adjustment.proposals_confirm(actor=county_user, run=run)
        case_a = at_village_step(village_user, tree["village_a1"], head="赵甲档")
        case_b = at_village_step(village_b, tree["village_b1"], head="钱乙档")
        notice_a = first_notice(village_user, tree["village_a1"], [case_a])
        notice_b = first_notice(village_b, tree["village_b1"], [case_b])
    return World(tree=tree,
                 users={"county": county_user, "township_a": township_a_user, "township_b": township_b_user,
                        "village": village_user, "village_b": village_b},
                 households={"a_exit": a_exit, "b_exit": b_exit, "a_case": case_a.household,
                             "b_case": case_b.household},
                 notices={"a": notice_a, "b": notice_b})


def built(user, area, year: int):
    """An archive built at once (no job), as the command line builds it."""
    archive = archives.archive_start(actor=user, area=area, year=year, background=False)
    archives.build(archive, user=user)
    archive.refresh_from_db()
    return archive


def zip_of(archive) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(Path(archive.path).read_bytes()))


def manifest_of(archive) -> dict:
    with zip_of(archive) as zf:
        return json.loads(zf.read(archives.MANIFEST))


def sheet_rows(zf: zipfile.ZipFile, name: str, sheet: int | str = 0) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(zf.read(name)))
    found = book.get_sheet_by_name(sheet) if isinstance(sheet, str) else book.get_sheet_by_index(sheet)
    return found.to_python()
