"""gc_paused: the collector is off inside, restored as found after, across nesting and threads."""

import gc
import threading

import pytest

from fupin.lib.gcpause import gc_paused


def test_paused_inside_and_restored_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer section is still running
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_restored_after_an_exception_and_as_a_decorator():
    @gc_paused()
    def work():
        assert not gc.isenabled()
        raise ValueError

    with pytest.raises(ValueError):
        work()
    assert gc.isenabled()


def test_overlapping_sections_in_threads_restore_it_when_the_last_ends():
    first_in, second_in, first_may_leave, second_may_leave = (threading.Event() for _ in range(4))
    seen = []

    def first():
        with gc_paused():
            first_in.set()
            first_may_leave.wait(5)
        seen.append(("first left", gc.isenabled()))

    def second():
        first_in.wait(5)
        with gc_paused():
            second_in.set()
            second_may_leave.wait(5)
        seen.append(("second left", gc.isenabled()))

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    second_in.wait(5)
    first_may_leave.set()
    a.join(5)
    second_may_leave.set()
    b.join(5)
    assert seen == [("first left", False), ("second left", True)]
    assert gc.isenabled()


def test_the_sheet_reader_and_importer_run_with_the_collector_paused(monkeypatch, tree, county_user):
    from fupin.sheets import importer
    from tests.sheets.test_import import family, sheet

    states = []
    real = importer._plan_household

    def spy(*args, **kwargs):
        states.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_plan_household", spy)
    plan = importer.plan_import(sheet(family("5303241002010001")), actor=county_user)
    importer.apply_plan(plan, actor=county_user)
    assert states == [False]
    assert gc.isenabled()
