import pytest

from fupin.jobs import kinds


@pytest.fixture(autouse=True)
def _jobs_cache(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CACHES = {**settings.CACHES, "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                   "LOCATION": "jobs-tests"}}
    from django.core.cache import caches

    caches["jobs"].clear()


@pytest.fixture
def kind():
    """A kind of job registered for the test: its handler runs ``kind.work(job)`` and counts its runs."""
    class Probe:
        name = "test.probe"
        runs: list = []

        @staticmethod
        def work(job):
            pass

    def handler(job):
        Probe.runs.append(job.pk)
        Probe.work(job)

    kinds.register(Probe.name, label="探针", handler=handler)
    yield Probe
    kinds.unregister(Probe.name)
