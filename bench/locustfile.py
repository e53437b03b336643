"""Locust users for ``bench/load_benchmark.py``: logged-in adviseurs requesting one page.

The driver sets ``BENCH_PATH`` (the page), ``BENCH_SESSIONS`` (session cookies of verified
adviseurs, comma-separated) and ``BENCH_THINK`` (think time) and runs locust headless. Next to
locust's own response times (client side; ``FastHttpUser``, so that the client takes little CPU
from the server) every response's ``Server-Timing`` header is reported as a request of type
``SERVER``: the time spent inside Django, without the network and locust's own scheduling.
"""

from __future__ import annotations

import itertools
import os
import re

from locust import FastHttpUser, between, constant, task

_PATH = os.environ.get("BENCH_PATH", "/")
_SESSIONS = itertools.cycle(os.environ.get("BENCH_SESSIONS", "").split(","))
_DURATION = re.compile(r"app;dur=([0-9.]+)")
_THINK = float(os.environ.get("BENCH_THINK", "0"))


class Adviseur(FastHttpUser):
    # BENCH_THINK=0: a closed loop, every client asks for the next page as soon as it has one.
    # Otherwise a reader's pause of BENCH_THINK seconds on average (half to one and a half).
    wait_time = between(_THINK / 2, _THINK * 1.5) if _THINK else constant(0)

    def on_start(self) -> None:
        self.cookie = f"sessionid={next(_SESSIONS)}"

    @task
    def page(self) -> None:
        with self.client.get(
            _PATH, name=_PATH, headers={"Cookie": self.cookie}, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            found = _DURATION.search(response.headers.get("Server-Timing", ""))
            if found is None:
                response.failure("no Server-Timing header")
                return
            response.success()
        self.environment.events.request.fire(
            request_type="SERVER",
            name=_PATH,
            response_time=float(found.group(1)),
            response_length=len(response.content),
            exception=None,
            context={},
        )
