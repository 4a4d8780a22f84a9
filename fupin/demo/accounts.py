"""The demo accounts: one per role, all sharing one demo password (README "演示账号")."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.utils import timezone

from fupin.accounts.models import Role, User
from fupin.areas.models import Area
from fupin.registry.choices import Status
from fupin.registry.models import Household

#: Printed by ``fupin demo_logins`` and the README; the only place it is written down.
DEFAULT_PASSWORD = "fupin-demo-2026"


def login_url(*, url: str | None = None, host: str | None = None, port: str | int | None = None,
              environ: dict[str, str] | None = None) -> str:
    """Where the demo server answers: ``url`` as given, else ``http://HOST:PORT/`` from the arguments,
    else from the environment's ``HOST`` and ``PORT`` (what ``make run`` serves on), else 127.0.0.1:8000."""
    if url:
        return url if url.endswith("/") else url + "/"
    env = environ if environ is not None else {}
    host = host or env.get("HOST") or "127.0.0.1"
    port = port or env.get("PORT") or 8000
    return f"http://{host}:{port}/"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str  # "" (everything), "county", "township" or "village"
    display_name: str  # {area} is replaced by the area's name


DEMO_ACCOUNTS = [
    DemoAccount("admin", Role.ADMIN, "", "系统管理员"),
    DemoAccount("county", Role.COUNTY, "county", "{area}扶贫办 张建华"),
    DemoAccount("township", Role.TOWNSHIP, "township", "{area}扶贫专干 王志明"),
    DemoAccount("village", Role.VILLAGE, "village", "{area}村委会 杨丽萍"),
    DemoAccount("cadre", Role.CADRE, "village", "帮扶责任人 李文军"),
    DemoAccount("leader", Role.LEADER, "county", "{area}分管扶贫副县长 赵国强"),
    DemoAccount("auditor", Role.AUDITOR, "county", "{area}审计局 陈敏"),
    # 扶贫小额信贷 (issue 15 #7): the 农村信用合作联社's account, linked to its bank by fupin.demo.credit_demo
    DemoAccount("bank", Role.BANK, "county", "{area}农村信用合作联社 刘晓燕"),
    # 项目资金 (issue 16): a 行业部门 account, linked to 县交通运输局 by fupin.demo.projects_demo (DepartmentStaff)
    DemoAccount("department", Role.DEPARTMENT, "county", "{area}交通运输局 孙文斌"),
]
DEMO_USERNAMES = [a.username for a in DEMO_ACCOUNTS]
#: How many households of the demo village the demo 帮扶责任人 is paired with.
CADRE_HOUSEHOLDS = 10


def check_password_strength(password: str) -> None:
    """Django's validators (length ≥ 10, not common, not all digits); raises ValidationError."""
    validate_password(password)


def create_demo_accounts(*, areas: dict[str, Area], password: str = DEFAULT_PASSWORD) -> tuple[list[str], list[str]]:
    """Create the accounts that do not exist yet; an existing account is never touched (it may be a
    real person's). Returns (created, skipped) usernames."""
    created, skipped = [], []
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(username=account.username).exists():
            skipped.append(account.username)
            continue
        area = areas.get(account.scope) if account.scope else None
        name = account.display_name.format(area=area.name if area else "")
        if account.role == Role.ADMIN:
            User.objects.create_superuser(username=account.username, password=password, role=account.role,
                                          display_name=name)
        else:
            User.objects.create_user(username=account.username, password=password, role=account.role, area=area,
                                     display_name=name)
        created.append(account.username)
    return created, skipped


def pair_demo_cadre(*, village: Area, username: str = "cadre", count: int = CADRE_HOUSEHOLDS) -> int:
    """Pair the demo 帮扶责任人 with the first ``count`` households of the demo village (by household
    number, cancelled ones left out), so that logging in as 'cadre' shows a cadre's real view. Called
    by the demo loader right after creating the account, only when it created it. Returns how many."""
    from fupin.assistance.models import Cadre, Pairing

    account = User.objects.filter(username=username, role=Role.CADRE).first()
    if account is None or Pairing.objects.filter(cadre__user=account).exists():
        return 0
    cadre, _created = Cadre.objects.get_or_create(user=account, defaults={
        "name": account.display_name or account.username, "phone": account.phone, "area": village})
    households = (Household.objects.filter(area_path__startswith=village.path)
                  .exclude(status=Status.CANCELLED).order_by("number", "id")[:count])
    this_year = timezone.localdate().year
    # Synthetic data inside the loader's transaction: bulk rows, no audit row per pairing (the loader
    # writes one audit row for the whole demo).
    Pairing.objects.bulk_create([
        Pairing(cadre=cadre, household=h, start=datetime.date(min(max(h.identified_year or 2016, 2016), this_year), 1, 1),
                note="演示数据")
        for h in households
    ])
    return len(households)
