"""A fingerprint of a demo data set, computed the same way from generated rows and from the database."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from decimal import Decimal

from fupin.areas.models import Area
from fupin.demo.generator import CountyData
from fupin.registry.models import Household, Member, StatusChange, YearlyRecord


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def _digest(households, members, yearly, changes) -> str:
    """Each argument: iterable of canonical tuples whose first item is the household number."""
    by_household: dict[str, list] = defaultdict(list)
    for kind, rows in (("h", households), ("m", members), ("y", yearly), ("c", changes)):
        for row in rows:
            by_household[row[0]].append((kind, *row[1:]))
    h = hashlib.sha256()
    for number in sorted(by_household):
        h.update(number.encode())
        for item in sorted(by_household[number], key=repr):
            h.update(repr(item).encode())
    return h.hexdigest()


def digest_generated(data: CountyData) -> str:
    area_code = {a["id"]: a["code"] for a in data.areas}
    number = {h["id"]: h["number"] for h in data.households}
    return _digest(
        [(h["number"], area_code[h["area_id"]], h["head_name"], h["member_count"], h["status"], h["main_cause"],
          tuple(h["other_causes"]), h["identified_year"], h["exit_year"], h["attribute"]) for h in data.households],
        [(number[m["household_id"]], m["id_number"], m["name"], m["relation"], m["active"], m["health"],
          m["disability_cert_no"]) for m in data.members],
        [(number[y["household_id"]], y["year"], _money(y["net_income"]), _money(y["per_capita_income"]),
          _money(y["wage_income"])) for y in data.yearly],
        [(number[c["household_id"]], c["from_status"], c["to_status"], c["date"].isoformat(), c["reason"])
         for c in data.changes],
    )


def digest_database(prefix: str = "") -> str:
    """The same fingerprint from the database, optionally for the households under one area prefix."""
    codes = dict(Area.objects.values_list("id", "code"))
    households = Household.objects.filter(area_path__startswith=prefix)
    numbers = dict(households.values_list("id", "number"))
    inside = {"household__area_path__startswith": prefix}
    return _digest(
        [(h.number, codes[h.area_id], h.head_name, h.member_count, h.status, h.main_cause, tuple(h.other_causes),
          h.identified_year, h.exit_year, h.attribute) for h in households],
        [(numbers[m[0]], *m[1:]) for m in Member.objects.filter(**inside).values_list(
            "household_id", "id_number", "name", "relation", "active", "health", "disability_cert_no")],
        [(numbers[y[0]], y[1], _money(y[2]), _money(y[3]), _money(y[4])) for y in YearlyRecord.objects.filter(
            **inside).values_list("household_id", "year", "net_income", "per_capita_income", "wage_income")],
        [(numbers[c[0]], c[1], c[2], c[3].isoformat(), c[4]) for c in StatusChange.objects.filter(
            **inside).values_list("household_id", "from_status", "to_status", "date", "reason")],
    )
