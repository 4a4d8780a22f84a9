"""Running test code in two threads at once, as two requests or two workers would."""

from __future__ import annotations

import threading

from django.db import connection


def in_two_threads(work, timeout: float = 30) -> list[object]:
    """Run ``work`` in two threads at once (each with its own database connection): what each
    returned, or the exception it raised."""
    outcomes: list[object] = []

    def thread():
        try:
            outcomes.append(work())
        except Exception as exc:  # noqa: BLE001 - the caller looks at it
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=thread) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return outcomes
