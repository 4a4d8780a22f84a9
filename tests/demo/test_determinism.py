"""Same seed and scale → the same data; the database holds exactly what was generated."""

import pytest

from fupin.demo.generator import generate_county, luoping_spec
from fupin.demo.loader import load_demo

from .conftest import SEED, SMALL
from .helpers import digest_database, digest_generated


def test_the_same_seed_generates_identical_data():
    first = generate_county(luoping_spec(households=SMALL), seed=SEED)
    second = generate_county(luoping_spec(households=SMALL), seed=SEED)
    assert digest_generated(first) == digest_generated(second)
    assert first.households == second.households
    assert first.members == second.members


def test_another_seed_generates_other_data():
    first = generate_county(luoping_spec(households=SMALL), seed=SEED)
    other = generate_county(luoping_spec(households=SMALL), seed=SEED + 1)
    assert digest_generated(first) != digest_generated(other)


def test_the_database_holds_exactly_the_generated_rows(small_demo):
    expected = digest_generated(generate_county(luoping_spec(households=SMALL), seed=SEED))
    assert digest_database() == expected


@pytest.mark.parametrize("method", ["bulk_create"])
def test_the_portable_writer_stores_the_same_rows_as_the_fast_one(db, method):
    load_demo(households=SMALL, seed=SEED, method=method, cases=False)
    assert digest_database() == digest_generated(generate_county(luoping_spec(households=SMALL), seed=SEED))
