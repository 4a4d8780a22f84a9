"""Notices built through the real services for the tests of the notice pages, the PDF and the public board."""

from __future__ import annotations

import datetime
import subprocess

from django.test import Client

from fupin.identification import services
from fupin.identification.models import Case, NoticeKind, Step
from fupin.registry.choices import Health, Relation, Status
from tests import factories

from .helpers import VOTES, open_case

START = datetime.date(2026, 3, 2)  # the clock of these tests (helpers.clock()): a Monday


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at_village_step(village_user, village, *, head: str = "", members: list[dict] | None = None, **fields) -> Case:
    """A household applying in ``village`` (or one of its groups), its case taken to 村评定 (it waits on the
    first notice)."""
    if head:
        members = members or [factories.member_data(Relation.HEAD, "1", name=head),
                              factories.member_data(Relation.SPOUSE, "2")]
    fields.setdefault("identified_year", 2026)
    household = factories.household(village, status=Status.APPLYING, members=members,
                                    date=datetime.date(2026, 1, 2), **fields)
    case = open_case(village_user, household)
    case = services.case_step(actor=village_user, case=case, to=Step.GROUP, opinion="小组议通过")
    return services.case_step(actor=village_user, case=case, to=Step.VILLAGE, opinion="村民代表会议评定通过",
                              votes=VOTES)


def first_notice(village_user, village, cases, start: datetime.date = START, days: int = 7, **extra):
    return services.notice_publish(actor=village_user, kind=NoticeKind.FIRST, area=village, cases=cases,
                                   starts_on=start, ends_on=start + datetime.timedelta(days=days - 1),
                                   hotline=extra.get("hotline", "0874-8212345"),
                                   address=extra.get("address", "甲一村村民委员会办公室"))


# Every personal field of a household and its members, each value distinctive (a substring test).
SECRETS = {
    "phone": "13987654321", "bank_account": "6228480099887766554", "bank_name": "保密信用社",
    "address": "秘密街道九十九号", "spouse": "钱保密", "daughter": "孙保密女", "son": "李保密子",
    "cert": "", "dibao": "4321.09", "tekun": "3210.98", "member_phone": "13612349876",
    "work_place": "保密务工地点", "note": "户主患保密大病", "income": "98765.43",
}


def secret_household(village_user, village) -> tuple[Case, dict[str, str]]:
    """A household with every personal field filled in, at 村评定: (its case, every value that must never
    be shown on the public board, whole ID numbers of every member included)."""
    spouse_id = factories.person_id(datetime.date(1971, 4, 5), "2")
    members = [
        factories.member_data(Relation.HEAD, "1", name="赵公示", phone=SECRETS["member_phone"],
                              health=Health.CHRONIC, on_dibao=True, dibao_amount=SECRETS["dibao"],
                              work_place=SECRETS["work_place"]),
        factories.member_data(Relation.SPOUSE, "2", name=SECRETS["spouse"], id_number=spouse_id,
                              birth_date=datetime.date(1971, 4, 5), health=Health.DISABLED,
                              disability_category="1", disability_grade="2", disability_cert_no=spouse_id + "12",
                              on_tekun=True, tekun_amount=SECRETS["tekun"]),
        factories.member_data(Relation.DAUGHTER, "2", birth=datetime.date(2010, 6, 7), name=SECRETS["daughter"]),
        factories.member_data(Relation.SON, "1", birth=datetime.date(2012, 8, 9), name=SECRETS["son"]),
    ]
    case = at_village_step(village_user, village, members=members, phone=SECRETS["phone"],
                           bank_name=SECRETS["bank_name"], bank_account=SECRETS["bank_account"],
                           address=SECRETS["address"], house_area="45")
    from fupin.registry import services as registry

    registry.yearly_record_save(actor=None, household=case.household, year=2026,
                                data={"wage_income": SECRETS["income"], "member_count": 4, "note": SECRETS["note"]})
    values = {k: v for k, v in SECRETS.items() if v}
    for member in case.household.members.all():
        values[f"id:{member.name}"] = member.id_number
        values[f"id-middle:{member.name}"] = member.id_number[6:14]  # the birth date part the mask hides
    values["number"] = case.household.number
    values["cert"] = spouse_id + "12"
    return case, values


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return "".join(out.split())
