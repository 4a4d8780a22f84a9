"""The rq worker behind ``fupin worker``, with a prompt stop.

rq's worker listens for commands ("stop the job", "shut down") on a Redis pub/sub channel in a thread
that waits up to 60 s for a message. At the end (``--burst`` with an empty queue, or a shutdown) rq
sends UNSUBSCRIBE and then stops that thread, and redis-py's ``stop()`` waits for it. When the thread
reads the UNSUBSCRIBE reply *before* the stop flag is set, which happens whenever the main thread is
descheduled for a moment between the two calls (a busy machine), the thread, now with no channel,
goes back to wait up to 60 s for a subscription that never comes (redis-py's ``get_message`` waits on
``subscribed_event``), and the worker sat for a minute before exiting. Here the flag is cleared
first: the reply then wakes a thread that exits.
"""

from __future__ import annotations

import inspect

from rq import SimpleWorker

#: The longest wait for the listening thread once it has been told to stop (it is a daemon thread:
#: the process may exit without it).
JOIN_SECONDS = 5


class Worker(SimpleWorker):
    """rq's SimpleWorker (each job runs in this process, no fork: Django's settings and database
    connections are already set up here), stopping its pub/sub thread without the 60 s wait."""

    def unsubscribe(self) -> None:
        thread = self.pubsub_thread
        if not thread:
            return
        self.log.info("Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name)
        # Clear the running flag without waiting (redis-py < 6 has stop() without a timeout and never
        # waited in it).
        if "timeout" in inspect.signature(thread.stop).parameters:
            thread.stop(timeout=0)
        else:
            thread.stop()
        self.pubsub.unsubscribe()
        thread.join(timeout=JOIN_SECONDS)
        self.pubsub.close()
