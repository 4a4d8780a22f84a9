"""Bulk work with Python's cyclic garbage collector paused.

Reading a sheet, checking it and writing it allocate millions of lists, dicts and model instances that
all stay alive until the end, and almost none of which form cycles. The collector still scans the
young ones every 700 allocations and, as the heap grows, the whole heap again and again: on the demo
county's sheet that was a third of the check's time, and more on larger sheets. Pausing it for the
duration frees nothing less: what cyclic garbage there is is collected when the collector resumes.

The collector is process-wide and jobs may run in threads of the web process: the first of any
overlapping paused sections pauses it, the last one restores it as it found it.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Self

_lock = threading.Lock()
_depth = 0
_was_enabled = False


class gc_paused(contextlib.ContextDecorator):  # noqa: N801 - used as a decorator, like contextlib's
    def __enter__(self) -> Self:
        global _depth, _was_enabled
        with _lock:
            if _depth == 0:
                _was_enabled = gc.isenabled()
                gc.disable()
            _depth += 1
        return self

    def __exit__(self, *exc: object) -> bool:
        global _depth
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
        return False
