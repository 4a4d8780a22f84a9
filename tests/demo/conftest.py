import pytest

from fupin.demo.loader import load_demo

SMALL = 300  # households: a miniature 罗平县 that loads in well under a second
SEED = 11


@pytest.fixture
def small_demo(db):
    # The generated rows alone (the identification and exit cases, built on top through the services,
    # have their own tests: test_demo_cases*.py).
    return load_demo(households=SMALL, seed=SEED, cases=False)
