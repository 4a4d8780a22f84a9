"""``fupin worker --burst`` exits as soon as the queue is empty: no 60 s wait for rq's pub/sub thread."""

from __future__ import annotations

import socket
import time

import pytest

# Not test_rq's database 15, which that test empties.
REDIS = "redis://127.0.0.1:6379/14"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379 (CI starts it)")
def test_the_worker_stops_promptly_when_its_listener_reads_the_unsubscribe_reply_first(monkeypatch):
    """On a busy machine rq's listening thread can read the UNSUBSCRIBE reply before the stop flag is
    set; it then waited 60 s for a subscription (3 of 20 bursts on a saturated core). Make that order
    certain and time the burst."""
    from redis import Redis
    from redis.client import PubSub
    from rq import Queue

    from fupin.jobs.rqworker import Worker

    unsubscribe = PubSub.unsubscribe

    def unsubscribe_then_let_the_listener_read_the_reply(self, *args):
        result = unsubscribe(self, *args)
        deadline = time.monotonic() + 2
        while self.subscribed and time.monotonic() < deadline:  # cleared when the listener reads it
            time.sleep(0.001)
        return result

    monkeypatch.setattr(PubSub, "unsubscribe", unsubscribe_then_let_the_listener_read_the_reply)
    connection = Redis.from_url(REDIS)
    worker = Worker([Queue("fupin-test-empty", connection=connection)], connection=connection)
    started = time.monotonic()
    worker.work(burst=True, with_scheduler=False)
    assert time.monotonic() - started < 5
    assert not worker.pubsub_thread.is_alive()
