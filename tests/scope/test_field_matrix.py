"""The field matrix: role × surface × sensitive field → whole / masked / hidden.

One table, ``FIELDS_SEEN``, says how each role sees each sensitive field on the read surfaces (the
household page, the API, the admin). Every surface is then *observed* — the page's HTML, the API's
JSON, the admin's change pages, the file ``fupin export --user`` writes, the 户档案 PDF — and must show each field
exactly as the table says. Exports differ in one documented way: roles that correct the data
(``EXPORT_WHOLE``) get personal numbers whole, because the file must import again after corrections;
everyone else's file is masked as their pages are. Hidden stays hidden everywhere.

The table is also compared with fupin.accounts.policy.FIELD_POLICY, so the policy and this proof
cannot drift apart.

Cells::

    whole    the full value is shown
    masked   a masked form is shown (530324********123X, 138****5678, ***…8901), never the full value
    hidden   neither: the field is left out (page: 无权查看; API: no key; export: an empty column)
    n/a      the surface has no such field (the standard sheet has no 低保金 column)
"""

from __future__ import annotations

import datetime
import io
import shutil
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from fupin.accounts import policy
from fupin.accounts.models import Role, User
from fupin.assessment import services as assessment
from fupin.assistance import services as assistance
from fupin.registry import services as registry
from fupin.registry.choices import Health, Relation, Status
from fupin.sheets.columns import COLUMNS
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ("admin", "county", "township", "village", "cadre", "leader", "auditor", "assessor")
FIELDS = ("id_number", "phone", "bank_account", "health", "disability", "disability_cert", "dibao", "tekun",
          "health_text")
SURFACES = ("page", "api", "admin", "export", "pdf", "search", "notice", "public", "case", "monitoring",
            "visits", "card")  # issue 15 (visit15, card15)

# fmt: off
#: How each role sees each field on the page, in the API and in the admin (before any 显示完整信息).
FIELDS_SEEN: dict[str, tuple[str, ...]] = {
    #            id_number  phone     bank      health    disability disab.cert dibao     tekun     health text
    "admin":    ("masked", "masked", "masked", "whole",  "whole",   "masked",  "whole",  "whole",  "whole"),
    "county":   ("masked", "masked", "masked", "whole",  "whole",   "masked",  "whole",  "whole",  "whole"),
    "township": ("masked", "masked", "masked", "whole",  "whole",   "masked",  "whole",  "whole",  "whole"),
    "village":  ("masked", "masked", "masked", "whole",  "whole",   "masked",  "whole",  "whole",  "whole"),
    "cadre":    ("masked", "masked", "masked", "whole",  "whole",   "masked",  "whole",  "whole",  "whole"),
    "assessor": ("masked", "masked", "masked", "whole",  "whole",   "masked",  "whole",  "whole",  "whole"),
    "leader":   ("masked", "masked", "masked", "hidden", "hidden",  "hidden",  "hidden", "hidden", "hidden"),
    "auditor":  ("masked", "masked", "masked", "hidden", "hidden",  "hidden",  "hidden", "hidden", "hidden"),
}
# fmt: on
#: Roles whose exports carry personal numbers whole.
EXPORT_WHOLE = {"admin", "county", "township", "village"}
#: Fields each surface carries at all.
ON_SURFACE = {
    "page": set(FIELDS), "api": set(FIELDS), "admin": set(FIELDS),
    "export": {"id_number", "phone", "bank_account", "health", "disability_cert"},
    # The 户档案 PDF (fupin.documents): a printed sheet carries no bank account, certificate or amounts.
    "pdf": {"id_number", "phone", "health", "disability", "health_text"},
    # the household list searched by the last six digits of the spouse's ID number: the member found
    # is named under the result with her ID number as the role sees it
    "search": {"id_number"},
    # 公示公告 (issue 13): the notice's page and PDF list the head with the ID number masked for every
    # role, as printed; the page names who raised an objection with their contact (a phone number)
    "notice": {"id_number", "phone"},
    # the public board (/public/) and its PDF: the notice as printed, nothing else
    "public": {"id_number"},
    # a case's page (识别与退出, /cases/<pk>/): the head's ID number, nothing else of the household's
    "case": {"id_number"},
    # 防返贫监测 (issue 14, mproc): a monitoring object's page and API answer and the 即时帮扶 ledger (page and
    # .xlsx) show its 情况说明 and the measures' content (free text: the health rule), no personal number
    "monitoring": {"health_text"},
    # --- issue 15 (visit15): 走访 — a visit's findings, help and follow-up (free text: the health rule) on the
    # household's page and visits page, the cadre's visits page and /api/visits/; no personal number
    "visits": {"health_text"},
    # --- issue 15 (card15) ---
    # 明白卡 (a card on the wall of the home): the members' ID numbers masked for every role (as on the
    # notices), health and disability for the roles that see them; no household phone, bank account,
    # certificate, amounts or free text. (The cadre's work phone is printed whole: it is the cadre's, for
    # the household to call, not the household's personal data.)
    "card": {"id_number", "health", "disability"},
}
#: The policy's name of one field of each group (fupin.accounts.policy.FIELD_GROUPS).
POLICY_FIELD = {"id_number": "id_number", "phone": "phone", "bank_account": "bank_account", "health": "health",
                "disability": "disability_category", "disability_cert": "disability_cert_no",
                "dibao": "dibao_amount", "tekun": "tekun_amount", "health_text": "reason"}

PHONE = "13812345678"
BANK = "6228480012345678901"
#: Free text that names an illness (issue 12 item 5): a status change's reason, a yearly record's note.
REASON = "家庭成员患大病，住院治疗后收入稳定"
NOTE = "户主患大病，医疗支出大"
DIBAO, DIBAO_SHOWN = "1234.56", "1,234.56"
TEKUN, TEKUN_SHOWN = "2345.67", "2,345.67"


def expected(role: str, surface: str) -> dict[str, str]:
    out = {}
    for field, seen in zip(FIELDS, FIELDS_SEEN[role], strict=True):
        if field not in ON_SURFACE[surface]:
            continue
        if surface == "export" and seen == "masked" and role in EXPORT_WHOLE:
            seen = "whole"
        out[field] = seen
    return out


# --- the data, built once --------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, int]
    household: int
    head: int
    spouse: int
    ids: dict[str, str]  # field → the full value to look for


def _build() -> World:
    areas = factories.area_tree()
    users = {
        "admin": factories.user("root", Role.ADMIN, None, is_superuser=True, is_staff=True),
        "county": factories.user("county_officer", Role.COUNTY, areas["county"], is_staff=True),
        "township": factories.user("township_a", Role.TOWNSHIP, areas["township_a"], is_staff=True),
        "village": factories.user("village_a1", Role.VILLAGE, areas["village_a1"], is_staff=True),
        "cadre": factories.user("cadre_li", Role.CADRE, areas["village_a1"], is_staff=True),
        "leader": factories.user("leader", Role.LEADER, areas["county"], is_staff=True),
        "auditor": factories.user("auditor", Role.AUDITOR, areas["county"], is_staff=True),
        "assessor": factories.user("assessor_he", Role.ASSESSOR, areas["county"], is_staff=True),
    }
    # Staff accounts may open the admin's registry pages at all; what they see there is the policy's.
    views = Permission.objects.filter(codename__in=["view_household", "view_member", "view_statuschange",
                                                    "view_yearlyrecord"])
    for user in users.values():
        if not user.is_superuser:
            user.user_permissions.add(*views)
    spouse_id = factories.person_id(datetime.date(1970, 5, 6), "2")
    cert = spouse_id + "11"
    household = factories.household(
        areas["village_a1"], actor=users["admin"], number="5303241002010021", phone=PHONE,
        bank_name="农村信用社", bank_account=BANK,
        members=[
            factories.member_data(Relation.HEAD, "1", name="赵敏感", health=Health.CHRONIC, on_dibao=True,
                                  dibao_amount=DIBAO),
            factories.member_data(Relation.SPOUSE, "2", name="钱敏感", id_number=spouse_id,
                                  birth_date=datetime.date(1970, 5, 6), health=Health.DISABLED,
                                  disability_category="1", disability_grade="2", disability_cert_no=cert,
                                  on_tekun=True, tekun_amount=TEKUN),
        ])
    start = datetime.date(2016, 3, 1)
    assistance.pairing_create(actor=users["county"], cadre=users["cadre"], household=household, start=start)
    sample = assessment.sample_create(actor=users["county"], name="字段矩阵抽样", year=2019)
    assessment.sample_add_households(actor=users["county"], sample=sample, households=[household])
    assessment.sample_assign_assessor(actor=users["county"], sample=sample, assessor=users["assessor"])
    registry.yearly_record_save(actor=users["county"], household=household, year=2019,
                                data={"wage_income": "8000", "note": NOTE})
    registry.household_change_status(actor=users["county"], household=household, to_status=Status.EXITED,
                                     reason=REASON, date=datetime.date(2019, 12, 1), exit_year=2019)
    head = household.members.get(relation=Relation.HEAD)
    spouse = household.members.get(relation=Relation.SPOUSE)
    return World(users={r: u.pk for r, u in users.items()}, household=household.pk, head=head.pk,
                 spouse=spouse.pk, ids={"id_number": spouse.id_number, "disability_cert": cert})


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), \
            override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


# --- observing a surface ---------------------------------------------------------------------------


def _in_text(text: str, whole: str, masked: str) -> str:
    if whole in text:
        return "whole"
    if masked and masked in text:
        return "masked"
    return "hidden"


def _numbers_in_text(world: World, text: str) -> dict[str, str]:
    return {
        "id_number": _in_text(text, world.ids["id_number"], policy.mask_id(world.ids["id_number"])),
        "phone": _in_text(text, PHONE, policy.mask_phone(PHONE)),
        "bank_account": _in_text(text, BANK, policy.mask_bank(BANK)),
        "disability_cert": _in_text(text, world.ids["disability_cert"], policy.mask_id(world.ids["disability_cert"])),
    }


def _care_in_text(text: str) -> dict[str, str]:
    return {"health": "whole" if "长期慢性病" in text else "hidden",
            "disability": "whole" if "视力残疾" in text else "hidden",
            "dibao": "whole" if DIBAO_SHOWN in text or DIBAO in text else "hidden",
            "tekun": "whole" if TEKUN_SHOWN in text or TEKUN in text else "hidden",
            # The page and the admin show the status history's reason (and its audit row); the admin
            # the yearly record's note as well. Either one seen is the free text seen.
            "health_text": "whole" if REASON in text or NOTE in text else "hidden"}


def observe_page(world: World, user: User) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/households/{world.household}/")
    assert response.status_code == 200
    text = response.content.decode()
    return {**_numbers_in_text(world, text), **_care_in_text(text)}


def observe_search(world: World, user: User) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    response = client.get("/households/", {"q": world.ids["id_number"][-6:]}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="results")
    assert response.status_code == 200
    text = response.content.decode()
    assert "匹配：钱敏感（配偶）" in text
    return {"id_number": _numbers_in_text(world, text)["id_number"]}


def _json_value(value, whole: str, masked: str | None = None) -> str:
    if value is None:
        return "hidden"
    if str(value) == whole:
        return "whole"
    assert masked is None or value == masked, (value, masked)
    return "masked"


def observe_api(world: World, user: User) -> dict[str, str]:
    client = APIClient()
    client.force_authenticate(user)
    household = client.get(f"/api/households/{world.household}/").json()
    members = {m["id"]: m for m in client.get(f"/api/households/{world.household}/members/").json()["results"]}
    head, spouse = members[world.head], members[world.spouse]
    cert = world.ids["disability_cert"]
    history = client.get(f"/api/households/{world.household}/status-history/").json()["results"]
    (change,) = [c for c in history if c["to_status"]["code"] == Status.EXITED]
    (record,) = client.get(f"/api/households/{world.household}/yearly/").json()["results"]
    year = client.get(f"/api/households/{world.household}/yearly/2019/").json()
    texts = {_json_value(change.get("reason"), REASON), _json_value(record.get("note"), NOTE),
             _json_value(year.get("note"), NOTE)}
    assert len(texts) == 1, texts  # the three outputs agree
    return {
        "health_text": texts.pop(),
        "id_number": _json_value(spouse.get("id_number"), world.ids["id_number"],
                                 policy.mask_id(world.ids["id_number"])),
        "phone": _json_value(household.get("phone"), PHONE, policy.mask_phone(PHONE)),
        "bank_account": _json_value(household.get("bank_account"), BANK, policy.mask_bank(BANK)),
        "health": "hidden" if "health" not in head else _json_value(head["health"]["code"], Health.CHRONIC),
        "disability": "hidden" if "disability_category" not in spouse
        else _json_value(spouse["disability_category"]["code"], "1"),
        "disability_cert": _json_value(spouse.get("disability_cert_no"), cert, policy.mask_id(cert)),
        "dibao": "hidden" if "dibao_amount" not in head else _json_value(head["dibao_amount"], DIBAO),
        "tekun": "hidden" if "tekun_amount" not in spouse else _json_value(spouse["tekun_amount"], TEKUN),
    }


def observe_admin(world: World, user: User) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    pages = [client.get(f"/admin/registry/household/{world.household}/change/"),
             client.get(f"/admin/registry/member/{world.head}/change/"),
             client.get(f"/admin/registry/member/{world.spouse}/change/"),
             client.get("/admin/registry/member/"),
             client.get("/admin/registry/statuschange/"),
             client.get("/admin/registry/yearlyrecord/")]
    for page in pages:
        assert page.status_code == 200, (page.status_code, user.role)
    text = "".join(p.content.decode() for p in pages)
    # The admin shows money as typed (1234.56) and choices by label.
    return {**_numbers_in_text(world, text), **_care_in_text(text)}


def observe_export(world: World, user: User, tmp_path) -> dict[str, str]:
    out = tmp_path / f"{user.username}.xlsx"
    call_command("export", str(out), user=user.username, no_progress=True, stdout=io.StringIO())
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    headers = [c.header for c in COLUMNS]
    by_name = {row[headers.index("姓名")]: dict(zip(headers, row, strict=False)) for row in rows[1:]}
    head, spouse = by_name["赵敏感"], by_name["钱敏感"]
    cert = world.ids["disability_cert"]

    def cell(value, whole, masked) -> str:
        return "hidden" if value in ("", None) else _json_value(str(value), whole, masked)

    return {
        "id_number": cell(spouse["证件号码"], world.ids["id_number"], policy.mask_id(world.ids["id_number"])),
        "phone": cell(head["联系电话"], PHONE, policy.mask_phone(PHONE)),
        "bank_account": cell(head["银行账号"], BANK, policy.mask_bank(BANK)),
        "health": "hidden" if not head["健康状况"] else ("whole" if head["健康状况"] == "长期慢性病" else "?"),
        "disability_cert": cell(spouse["残疾证号"], cert, policy.mask_id(cert)),
    }


def observe_pdf(world: World, user: User) -> dict[str, str]:
    """The 户档案 PDF as pdftotext reads it (white space removed: a table cell may wrap)."""
    import subprocess

    client = Client()
    client.force_login(user)
    response = client.get(f"/households/{world.household}/record.pdf")
    assert response.status_code == 200
    text = "".join(subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True,
                                  check=True).stdout.decode().split())
    numbers, care = _numbers_in_text(world, text), _care_in_text(text)
    return {"id_number": numbers["id_number"], "phone": numbers["phone"], "health": care["health"],
            "disability": care["disability"], "health_text": care["health_text"]}


def _notice(world: World):
    """A running first notice listing the household (its case set up directly: the household's status is
    the matrix's), with an objection whose contact is a phone number."""
    from django.utils import timezone

    from fupin.identification import services as identification
    from fupin.identification.models import Case, CaseKind
    from fupin.registry.models import Household

    household = Household.objects.select_related("area").get(pk=world.household)
    village = household.area if household.area.level == "village" else household.area.parent
    case = Case.objects.create(kind=CaseKind.IDENTIFICATION, household=household, area=village,
                               area_path=household.area_path, year=2026, step="village", reason="缺劳力")
    today = timezone.localdate()
    notice = identification.notice_publish(actor=None, kind="first", area=village, cases=[case], starts_on=today,
                                           ends_on=today + datetime.timedelta(days=6), hotline="0874-8212345",
                                           address="村委会")
    identification.objection_record(actor=None, notice=notice, content="字段矩阵异议", contact=PHONE)
    return notice


def _pdf_words(pdf: bytes) -> str:
    import subprocess

    return "".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                                  check=True).stdout.decode().split())


def _head_id_in(world: World, text: str) -> str:
    from fupin.registry.models import Member

    head_id = Member.objects.get(pk=world.head).id_number
    return _in_text(text, head_id, policy.mask_id(head_id))


def observe_notice(world: World, user: User) -> dict[str, str]:
    notice = _notice(world)
    client = Client()
    client.force_login(user)
    page = client.get(f"/notices/{notice.pk}/")
    pdf = client.get(f"/notices/{notice.pk}/notice.pdf")
    assert page.status_code == 200 and pdf.status_code == 200
    text = page.content.decode() + _pdf_words(pdf.content)
    return {"id_number": _head_id_in(world, text), "phone": _in_text(text, PHONE, policy.mask_phone(PHONE))}


def observe_public(world: World, user: User) -> dict[str, str]:
    notice = _notice(world)
    client = Client()
    client.force_login(user)
    pages = [client.get("/public/"), client.get(f"/public/{notice.pk}/")]
    pdf = client.get(f"/public/{notice.pk}/notice.pdf")
    assert all(p.status_code == 200 for p in [*pages, pdf])
    text = "".join(p.content.decode() for p in pages) + _pdf_words(pdf.content)
    assert PHONE not in text and policy.mask_phone(PHONE) not in text  # neither the household's nor the objector's
    return {"id_number": _head_id_in(world, text)}


def observe_case(world: World, user: User) -> dict[str, str]:
    """An exit case of the household: its page names the head with the ID number as the role sees it,
    and shows no phone, bank account, health or amount."""
    from fupin.identification.models import Case
    from fupin.registry.models import Household, Member

    household = Household.objects.select_related("area").get(pk=world.household)
    case = Case.objects.create(kind="exit", household=household, area=household.area, area_path=household.area_path,
                               year=2019, step="closed", reason="务工收入稳定")
    client = Client()
    client.force_login(user)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    head = Member.objects.get(pk=world.head).id_number
    for other in (PHONE, policy.mask_phone(PHONE), BANK, policy.mask_bank(BANK), DIBAO_SHOWN, TEKUN_SHOWN, REASON):
        assert other not in text
    return {"id_number": _in_text(text, head, policy.mask_id(head))}


def observe_monitoring(world: World, user: User) -> dict[str, str]:
    """A monitoring object of the household with an illness in its note and in a measure's content: its page,
    its API answer and the 即时帮扶 ledger (page and .xlsx) show the free text as the health rule says, and no
    phone, bank account or ID number."""
    import io

    from openpyxl import load_workbook
    from rest_framework.test import APIClient

    from fupin.monitoring.models import Measure, MonitoringObject
    from fupin.registry.models import Household

    household = Household.objects.get(pk=world.household)
    obj = MonitoringObject.objects.create(household=household, area_path=household.area_path, kind="unstable",
                                          risk_types=["illness"], channel="visit", found_on=datetime.date(2020, 3, 1),
                                          note=NOTE, instant=True, instant_on=datetime.date(2020, 3, 1))
    Measure.objects.create(object=obj, sector="health", category="医疗救助", description=REASON,
                           date=datetime.date(2020, 3, 2))
    client = Client()
    client.force_login(user)
    texts = []
    for url in (f"/monitoring/objects/{obj.pk}/", "/monitoring/ledger/"):
        response = client.get(url)
        assert response.status_code == 200
        texts.append(response.content.decode())
    book = load_workbook(io.BytesIO(client.get("/monitoring/ledger/", {"format": "xlsx"}).content)).active
    texts.append(" ".join(str(v) for row in book.iter_rows(values_only=True) for v in row if v is not None))
    api = APIClient()
    api.force_authenticate(user)
    body = api.get(f"/api/monitoring/objects/{obj.pk}/").json()
    texts.append(f"{body.get('note', '')} {[m.get('note', '') for m in body['measures']]}")
    seen = {_care_in_text(text)["health_text"] for text in texts}
    assert len(seen) == 1, seen  # every surface alike
    text = " ".join(texts)
    for other in (PHONE, policy.mask_phone(PHONE), BANK, policy.mask_bank(BANK), world.ids["id_number"],
                  policy.mask_id(world.ids["id_number"])):
        assert other not in text
    return {"health_text": seen.pop()}


# --- issue 15 (visit15) ---------------------------------------------------------------------------


def _visit(world: World):
    from fupin.assistance.models import Cadre
    from fupin.assistance.services_visits import visit_create
    from fupin.registry.models import Household

    cadre = Cadre.objects.get(user_id=world.users["cadre"])
    return visit_create(actor=None, household=Household.objects.get(pk=world.household), cadre=cadre,
                        client_id=None, on=datetime.date(2020, 3, 1), purpose="季度走访", findings=NOTE,
                        help_given=REASON, follow_up=NOTE)


def observe_visits(world: World, user: User) -> dict[str, str]:
    """A visit of the household whose findings name an illness: the household's page (its 帮扶走访
    section), its visits page, the cadre's visits page and /api/visits/ (list and one) show the free
    text as the health rule says, and no phone, bank account or ID number."""
    from rest_framework.test import APIClient

    visit = _visit(world)
    client = Client()
    client.force_login(user)
    texts = []
    for url in (f"/households/{world.household}/", f"/assistance/households/{world.household}/visits/",
                f"/assistance/cadres/{visit.cadre_id}/visits/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        if url.startswith("/households/"):  # the page's 帮扶走访 section (the rest is the "page" surface's)
            start = page.index('id="visits"')
            page = page[start:page.index("</section>", start)]
        texts.append(page)
    api = APIClient()
    api.force_authenticate(user)
    for body in (api.get("/api/visits/").json()["results"][0], api.get(f"/api/visits/{visit.pk}/").json()):
        texts.append(f"{body.get('findings', '')} {body.get('help_given', '')} {body.get('follow_up', '')}")
    seen = {_care_in_text(text)["health_text"] for text in texts}
    assert len(seen) == 1, seen  # every surface alike
    text = " ".join(texts)
    for other in (PHONE, policy.mask_phone(PHONE), BANK, policy.mask_bank(BANK), world.ids["id_number"],
                  policy.mask_id(world.ids["id_number"])):
        assert other not in text
    return {"health_text": seen.pop()}


@pytest.mark.parametrize("role", ROLES)
def test_the_offline_household_list_follows_the_field_policy(world, role):
    """The household list the phone keeps for the offline visit form (/assistance/my/households.json):
    the phone as the role sees it on the pages (masked for every role), no ID number, bank account or
    care field at all; roles that may not log visits do not get it (403)."""
    user = User.objects.select_related("area").get(pk=world.users[role])
    client = Client()
    client.force_login(user)
    response = client.get("/assistance/my/households.json", {"household": world.household})
    if not policy.can(user, "log_visit"):
        assert response.status_code == 403
        return
    rows = response.json()["households"]
    assert [r["id"] for r in rows] == [world.household]
    phone = FIELDS_SEEN[role][FIELDS.index("phone")]
    assert rows[0]["phone"] == {"masked": policy.mask_phone(PHONE), "whole": PHONE}[phone]
    text = response.content.decode()
    for other in (BANK, policy.mask_bank(BANK), world.ids["id_number"], policy.mask_id(world.ids["id_number"]),
                  REASON, NOTE, DIBAO):
        assert other not in text
    assert set(rows[0]) <= {"id", "number", "head_name", "village", "status", "phone", "last_visit", "due", "cadres"}


# --- the tests -------------------------------------------------------------------------------------


def observe_card(world: World, user: User) -> dict[str, str]:
    """The 明白卡 PDF (issue 15, card15) as pdftotext reads it."""
    client = Client()
    client.force_login(user)
    response = client.get(f"/assistance/households/{world.household}/card.pdf")
    assert response.status_code == 200
    text = _pdf_words(response.content)
    care = _care_in_text(text)
    return {"id_number": _numbers_in_text(world, text)["id_number"], "health": care["health"],
            "disability": care["disability"]}


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("role", ROLES)
def test_cell(world, role, surface, tmp_path):
    user = User.objects.select_related("area").get(pk=world.users[role])
    if surface == "page":
        seen = observe_page(world, user)
    elif surface == "api":
        seen = observe_api(world, user)
    elif surface == "admin":
        seen = observe_admin(world, user)
    elif surface == "pdf":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext missing: apt-get install poppler-utils")
        seen = observe_pdf(world, user)
    elif surface == "search":
        seen = observe_search(world, user)
    elif surface in ("notice", "public"):
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext missing: apt-get install poppler-utils")
        seen = observe_notice(world, user) if surface == "notice" else observe_public(world, user)
    elif surface == "case":
        seen = observe_case(world, user)
    elif surface == "monitoring":
        seen = observe_monitoring(world, user)
    elif surface == "visits":
        seen = observe_visits(world, user)
    elif surface == "card":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext missing: apt-get install poppler-utils")
        seen = observe_card(world, user)
    else:
        seen = observe_export(world, user, tmp_path)
    assert seen == expected(role, surface)


@pytest.mark.parametrize("role", ROLES)
def test_the_table_is_the_policy(world, role):
    user = User.objects.get(pk=world.users[role])
    from_policy = tuple(str(policy.field_access(user, POLICY_FIELD[f])) for f in FIELDS)
    assert from_policy == FIELDS_SEEN[role]
    assert policy.export_reveals(user) == (role in EXPORT_WHOLE)


@pytest.mark.parametrize("role", ROLES)
def test_revealing_unmasks_only_for_roles_that_may_and_never_shows_what_is_hidden(world, role):
    user = User.objects.get(pk=world.users[role])
    for field, seen in zip(FIELDS, FIELDS_SEEN[role], strict=True):
        revealed = str(policy.field_access(user, POLICY_FIELD[field], revealed=True))
        if seen == "masked":
            assert revealed == ("whole" if policy.can_reveal(user) else "masked")
        else:
            assert revealed == seen


# --- 扶贫小额信贷 (issue 15 #7): the 银行 role ---------------------------------------------------------
# A bank sees the households it lent to (or rated with) and, of them, only what a lender needs: the
# personal numbers masked and never revealed (it holds them from its own contract; this system must not
# become a second source), nothing of health, disability, 低保/特困 amounts or the free text that may
# carry them (a loan is decided on the rating). Its own pages (fupin.credit) show number, head, village
# and the head's masked ID: tests/credit/test_bank_scope.py.
BANK_FIELDS_SEEN = ("masked", "masked", "masked", "hidden", "hidden", "hidden", "hidden", "hidden", "hidden")


@pytest.fixture(scope="module")
def banker(world, django_db_blocker) -> int:
    from fupin.credit import services as credit
    from fupin.registry.models import Household

    with django_db_blocker.unblock():
        household = Household.objects.select_related("area").get(pk=world.household)
        county = household.area.parent.parent if household.area.parent else household.area
        bank = credit.bank_create(actor=None, name="字段矩阵信用社", code="FIELDS", area=county)
        user = factories.user("banker_fields", Role.BANK, county)
        credit.bank_staff_link(actor=None, user=user, bank=bank)
        credit.rating_record(actor=None, household=household, year=2024, rated_on=datetime.date(2024, 1, 10),
                             scores={"integrity": 28, "labour": 23, "income": 22, "assets": 18},
                             village_rep="村委", team_rep="工作队", bank=bank, bank_rep="银行")
        return user.pk


def test_the_bank_row_is_the_policy(world, banker):
    user = User.objects.get(pk=banker)
    assert tuple(str(policy.field_access(user, POLICY_FIELD[f])) for f in FIELDS) == BANK_FIELDS_SEEN
    assert tuple(str(policy.field_access(user, POLICY_FIELD[f], revealed=True)) for f in FIELDS) == BANK_FIELDS_SEEN
    assert not policy.export_reveals(user) and not policy.can_reveal(user)


@pytest.mark.parametrize("surface", ("page", "api"))
def test_a_bank_sees_its_client_household_as_the_table_says(world, banker, surface):
    user = User.objects.select_related("area").get(pk=banker)
    seen = observe_page(world, user) if surface == "page" else observe_api(world, user)
    assert seen == {f: s for f, s in zip(FIELDS, BANK_FIELDS_SEEN, strict=True) if f in ON_SURFACE[surface]}
