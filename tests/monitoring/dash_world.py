"""A small hand-built county for the dashboard tests: every kind of figure has households behind it,
built through the real services (registry, assistance, monitoring, targets). Monitoring objects are
found through ``object_found`` and then given their enrolment/clearing dates directly (the entry and
risk-elimination procedures are another helper's; their dates are what the figures read)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from fupin.accounts.models import Role
from fupin.assistance import services as assistance
from fupin.monitoring import services as monitoring
from fupin.monitoring.models import Measure, MonitoringObject, ObjectState
from fupin.registry import services
from fupin.registry.choices import Attribute, Cause, Relation, Status

from .. import factories

D = datetime.date


def _exit(actor, h, day, to=Status.EXITED):
    return services.household_status_transition(actor=actor, household=h, to_status=to, reason="达标", date=day,
                                                procedure="exit", exit_year=day.year)


def _status(actor, h, to, day, **kw):
    return services.household_change_status(actor=actor, household=h, to_status=to, reason="调整", date=day,
                                            procedure="adjustment", **kw)


def _record(actor, h, year, per_capita, **flags):
    n = h.member_count or 1
    return services.yearly_record_save(actor=actor, household=h, year=year,
                                       data={"member_count": n, "wage_income": Decimal(per_capita * n), **flags})


def _monitor(actor, h, kind, risks, found, enrolled, cleared=None):
    obj = monitoring.object_found(actor=actor, household=h, kind=kind, risk_types=risks, channel="visit",
                                  found_on=found)
    MonitoringObject.objects.filter(pk=obj.pk).update(
        state=ObjectState.CLEARED if cleared else ObjectState.AT_RISK, enrolled_on=enrolled, cleared_on=cleared)
    return obj


def build(tree, actor) -> dict:
    """Returns the households by name, and the cadre."""
    a1, a2, b1 = tree["village_a1"], tree["village_a2"], tree["village_b1"]
    hh = {}
    # Exited in 2016, returned in 2018 (illness), exited again 2020.
    hh["returned"] = h = factories.household(a1, actor=actor, main_cause=Cause.ILLNESS, identified_year=2014)
    _exit(actor, h, D(2016, 11, 1))
    _status(actor, h, Status.RETURNED, D(2018, 3, 1))
    _exit(actor, h, D(2020, 10, 1))
    # Three people; one removed in 2019 (died).
    hh["shrunk"] = h = factories.household(
        a1, actor=actor, main_cause=Cause.DISABILITY, attribute=Attribute.DIBAO, identified_year=2015,
        members=[factories.member_data(Relation.HEAD, "1"), factories.member_data(Relation.SPOUSE, "2"),
                 factories.member_data("son", "1")])
    son = h.members.get(relation="son")
    services.member_remove(actor=actor, member=son, reason="death", date=D(2019, 6, 1))
    # Cancelled in 2021 (moved away) after exiting in 2017.
    hh["cancelled"] = h = factories.household(a2, actor=actor, main_cause=Cause.LABOUR, identified_year=2014)
    _exit(actor, h, D(2017, 10, 1))
    _status(actor, h, Status.CANCELLED, D(2021, 5, 1), cancel_reason="moved_away")
    # Still poor, registered 2014; 特困.
    hh["poor"] = factories.household(b1, actor=actor, main_cause=Cause.SKILLS, attribute=Attribute.TEKUN,
                                     identified_year=2014)
    # Registered only in 2022 (a household that did not exist at the 2019 year end).
    hh["late"] = factories.household(b1, actor=actor, main_cause=Cause.FUNDS, identified_year=2022)
    # Exited 2019, monitored (突发严重困难户: an exited household may not be 边缘易致贫户) since 2022, cleared 2024.
    hh["edge"] = h = factories.household(a2, actor=actor, main_cause=Cause.ILLNESS, identified_year=2014)
    _exit(actor, h, D(2019, 10, 1))
    _monitor(actor, h, "sudden", ["illness", "medical"], D(2022, 1, 10), D(2022, 2, 1), D(2024, 3, 1))
    # Exited 2018, monitored (unstable, disaster) since 2023, still at risk; a measure in 2023.
    hh["unstable"] = h = factories.household(a1, actor=actor, main_cause=Cause.DISASTER, identified_year=2014)
    _exit(actor, h, D(2018, 10, 1), to=Status.EXITED)
    obj = _monitor(actor, h, "unstable", ["disaster"], D(2023, 5, 1), D(2023, 6, 1))
    Measure.objects.create(object=obj, sector="civil", category="临时救助", date=D(2023, 6, 5), amount=Decimal(2000))
    # Yearly records with incomes and gaps (2023, 2024).
    _record(actor, hh["returned"], 2023, 5000, housing_secure=False)
    _record(actor, hh["returned"], 2024, 7000)
    _record(actor, hh["shrunk"], 2024, 12000, water_secure=False, medical_secure=False)
    _record(actor, hh["poor"], 2024, 3000, food_clothing_secure=False)
    _record(actor, hh["edge"], 2024, 25000)
    # A cadre paired with two households; one pairing ended in 2022.
    cadre = factories.user("dash_cadre", Role.CADRE, tree["village_a1"])
    assistance.pairing_create(actor=actor, cadre=cadre, household=hh["returned"], start=D(2016, 1, 1))
    p = assistance.pairing_create(actor=actor, cadre=cadre, household=hh["shrunk"], start=D(2016, 1, 1))
    assistance.pairing_end(actor=actor, pairing=p, end=D(2022, 1, 1))
    # Targets of the county.
    monitoring.target_set(actor=actor, area=tree["county"], year=2016, values={"exit_households": "2", "exit_people": "5"})
    monitoring.target_set(actor=actor, area=tree["county"], year=2018, values={"return_cap": "1"})
    for k in hh:
        hh[k].refresh_from_db()
    return {"households": hh, "cadre": cadre}
