"""``fupin demo`` and ``fupin demo_logins``."""

import io

import pytest
from django.core.management import CommandError, call_command

from fupin.accounts.models import Role, User
from fupin.areas.models import AreaDesignation
from fupin.audit.models import AuditEvent
from fupin.demo.accounts import DEFAULT_PASSWORD, DEMO_USERNAMES
from fupin.demo.loader import DemoRefused, load_demo
from fupin.registry.models import Household
from tests import factories


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_refuses_a_database_that_already_has_households(tree):
    factories.household(tree["village_a1"])
    with pytest.raises(CommandError, match="已有贫困户"):
        run("demo", "--no-progress")
    with pytest.raises(DemoRefused):
        load_demo(households=50)
    assert Household.objects.count() == 1


def test_if_empty_does_nothing_when_households_exist(tree):
    factories.household(tree["village_a1"])
    assert "跳过" in run("demo", "--if-empty", "--no-progress")
    assert Household.objects.count() == 1


def test_it_refuses_a_weak_demo_password(db):
    with pytest.raises(CommandError, match="演示密码"):
        run("demo", "--password", "12345", "--no-progress")
    assert not Household.objects.exists()


def test_it_refuses_an_impossible_scale(db):
    with pytest.raises(CommandError, match="--scale"):
        run("demo", "--scale", "1000", "--no-progress")


def test_demo_accounts_have_their_roles_and_areas(small_demo):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert set(users) == set(DEMO_USERNAMES)
    assert users["admin"].is_superuser and users["admin"].area is None and users["admin"].role == Role.ADMIN
    for name in ("county", "leader", "auditor"):
        assert users[name].area.name == "罗平县" and users[name].role == name
    township, village = users["township"].area, users["village"].area
    assert AreaDesignation.objects.filter(area=township, kind="poor_township").exists()
    assert AreaDesignation.objects.filter(area=village, kind="poor_village").exists()
    assert village.parent == township and users["cadre"].area == village
    assert all(u.display_name for u in users.values())
    assert all(u.check_password(DEFAULT_PASSWORD) for u in users.values())


def test_an_existing_account_is_left_alone(db):
    factories.user("county", Role.VILLAGE, None)
    result = load_demo(households=50, seed=3)
    assert "county" in result.accounts_skipped
    county = User.objects.get(username="county")
    assert county.role == Role.VILLAGE and not county.check_password(DEFAULT_PASSWORD)


def test_the_load_is_audited_once(small_demo):
    events = AuditEvent.objects.filter(kind="import", entity="demo")
    assert events.count() == 1
    event = events.get()
    assert event.actor_name == "demo" and event.data["synthetic"] is True
    assert event.data["counts"]["household"] == Household.objects.count()


def test_demo_logins_says_when_there_are_no_demo_accounts(db):
    assert "没有演示账号" in run("demo_logins")


def test_demo_logins_prints_every_account_with_url_role_area_and_password(small_demo):
    out = run("demo_logins")
    assert "http://127.0.0.1:8000/" in out
    for username in DEMO_USERNAMES:
        assert f"| {username} " in out
    assert "县级管理员" in out and "罗平县" in out and "老厂乡" in out
    assert out.count(DEFAULT_PASSWORD) == len(DEMO_USERNAMES)
    leader = User.objects.get(username="leader")
    leader.set_password("another-password-2026")
    leader.save()
    out = run("demo_logins")
    assert "（已更改）" in out and out.count(DEFAULT_PASSWORD) == len(DEMO_USERNAMES) - 1


def test_demo_logins_prints_the_port_the_server_uses(small_demo, monkeypatch):
    """Issue 12, item 9: it printed 8000 whatever port `make run PORT=…` served on."""
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.setenv("PORT", "8123")
    assert "演示系统地址：http://127.0.0.1:8123/" in run("demo_logins")
    assert "演示系统地址：http://0.0.0.0:9000/" in run("demo_logins", "--host", "0.0.0.0", "--port", "9000")
    out = run("demo_logins", "--url", "https://fupin.example.gov.cn")
    assert "演示系统地址：https://fupin.example.gov.cn/" in out and "8123" not in out
    monkeypatch.delenv("PORT")
    assert "演示系统地址：http://127.0.0.1:8000/" in run("demo_logins")


def test_make_run_tells_demo_logins_its_port():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "fupin demo_logins --host $(HOST) --port $(PORT)" in makefile
    assert "fupin runserver $(HOST):$(PORT)" in makefile


def test_demo_ends_with_the_monitoring_objects_by_kind_and_state_and_the_warnings_by_state(db, monkeypatch):
    """The miniature demo (300 households, with its cases and warnings) through the command itself: its last
    lines count what the database holds."""
    import re

    from fupin.demo.management.commands import demo
    from fupin.monitoring.models import Alert, AlertStatus, MonitoringObject, ObjectKind, ObjectState

    monkeypatch.setattr(demo, "load_demo", lambda **kw: load_demo(households=300, seed=11, password=kw["password"],
                                                                   findings=False))
    lines = run("demo", "--no-progress").splitlines()
    objects_line, alerts_line = lines[-2], lines[-1]
    assert lines[-3].strip() == "载入后数据库中的防返贫监测："
    assert MonitoringObject.objects.exists() and Alert.objects.exists()
    assert f"合计 {MonitoringObject.objects.count():,} 户次" in objects_line
    for kind in ObjectKind:
        part = re.search(rf"{kind.label} ([\d,]+) 户次（([^）]*)）", objects_line)
        assert int(part.group(1).replace(",", "")) == MonitoringObject.objects.filter(kind=kind).count()
        for state in ObjectState:
            n = MonitoringObject.objects.filter(kind=kind, state=state).count()
            assert f"{state.label} {n:,}" in part.group(2).split("，"), (kind, state, part.group(2))
    assert f"合计 {Alert.objects.count():,} 条" in alerts_line
    for status in AlertStatus:
        assert f"{status.label} {Alert.objects.filter(status=status).count():,}" in alerts_line
