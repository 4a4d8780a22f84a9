import pytest

from fupin.demo.loader import load_demo

SMALL = 300  # households: a miniature 罗平县 that loads in well under a second
SEED = 11


@pytest.fixture
def small_demo(db):
    return load_demo(households=SMALL, seed=SEED)
