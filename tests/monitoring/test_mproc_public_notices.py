"""The monitoring notices on the public board (/public/) and on paper: masked like the others — the head's
ID number masked, the reason the kind and risk types as categories, never the note a cadre typed."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse

from fupin.identification import services as cases
from fupin.identification.models import NoticeKind, Step
from fupin.monitoring import services

from .mproc_helpers import CHECKLIST, VOTES, clock, exited, found, publish

pytestmark = pytest.mark.django_db
NOTE = "户主确诊恶性肿瘤，住院费用高"


def test_a_monitoring_notice_shows_the_paper_only(client, village_user, tree):
    with clock("2026-03-02"):
        household = exited(tree["village_a1"])
        obj = services.object_found(actor=village_user, household=household, kind="unstable",
                                    risk_types=["illness", "medical"], channel="visit",
                                    found_on=datetime.date(2026, 3, 2), note=NOTE)
        case = services.entry_open(actor=village_user, obj=obj, checklist=CHECKLIST, opinion=NOTE)
        case = cases.case_step(actor=village_user, case=case, to=Step.ENTRY_CHECK, opinion="比对")
        case = cases.case_step(actor=village_user, case=case, to=Step.ENTRY_APPRAISAL, opinion="评议", votes=VOTES)
        notice = publish(village_user, NoticeKind.MONITOR_ENTRY_NOTICE, tree["village_a1"], [case],
                         datetime.date(2026, 3, 2))
        board = client.get(reverse("public_board")).content.decode()
        pdf = client.get(reverse("public_notice_pdf", args=[notice.pk]))
    head = household.members.get(relation="head")
    assert "拟纳入防返贫监测对象公示" in board and head.name in board
    assert "脱贫不稳定户：因病、基本医疗问题" in board
    assert head.id_number not in board and head.id_number[-4:] in board
    assert NOTE not in board and "恶性肿瘤" not in board
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        words = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True).stdout.decode()
        assert "防返贫监测" in words and head.id_number not in words and "恶性肿瘤" not in words


def test_an_unstable_household_found_is_listed_on_no_board_until_appraised(client, village_user, tree):
    with clock("2026-03-02"):
        found(village_user, exited(tree["village_a1"]))
        assert "防返贫" not in client.get(reverse("public_board")).content.decode()
