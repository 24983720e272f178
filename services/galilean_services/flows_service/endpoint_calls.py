"""The recent calls of published endpoints: when, who (a user, or "public" for a caller
without a token), the status answered and the milliseconds it took — never a body, a
parameter or a token. A call only appends to a list in memory; the list reaches the
database in one transaction a moment later (or at once when someone reads the calls),
so an endpoint's answer never waits for a database write. Each flow's endpoint keeps
its last KEEP calls; `GET api/flows/{id}/endpoint` shows the last SHOWN."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from ..kit.errors import GalileanError
from .store import Store

KEEP = 100
SHOWN = 20
FLUSH_AFTER = 1.0  # seconds a call may wait in memory
FLUSH_AT = 50  # calls waiting that are written at once
PUBLIC = "public"
log = logging.getLogger("galilean.flows")


class CallLog:
    def __init__(self, store: Store, delay: float = FLUSH_AFTER) -> None:
        self.store = store
        self.delay = delay
        self._pending: list[dict[str, Any]] = []
        self._timer: asyncio.TimerHandle | None = None

    @contextlib.contextmanager
    def timing(self, flow_id: int, endpoint: str, caller: str | None) -> Iterator[None]:
        """Record the call made inside: 200, or the status of the error it raised."""
        began = time.perf_counter()
        status = 500
        try:
            yield
            status = 200
        except GalileanError as exc:
            status = exc.status
            raise
        finally:
            ms = round((time.perf_counter() - began) * 1000, 2)
            self.record(flow_id, endpoint, caller, status, ms)

    def record(
        self, flow_id: int, endpoint: str, caller: str | None, status: int, ms: float
    ) -> None:
        self._pending.append(
            {
                "flow_id": flow_id,
                "endpoint": endpoint,
                "at": time.time(),
                "caller": caller or PUBLIC,
                "status": status,
                "ms": ms,
            }
        )
        if len(self._pending) >= FLUSH_AT:
            self.flush()
        elif self._timer is None:
            with contextlib.suppress(RuntimeError):  # no loop (tests): written when read
                loop = asyncio.get_running_loop()
                self._timer = loop.call_later(self.delay, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        calls, self._pending = self._pending, []
        if not calls:
            return
        try:
            self.store.add_calls(calls, KEEP)
        except Exception:  # a flow deleted meanwhile, the database away: calls are lost
            log.exception("could not record %d endpoint call(s)", len(calls))

    def recent(self, flow_id: int) -> list[dict[str, Any]]:
        """The flow's endpoint's last SHOWN calls, newest first."""
        self.flush()
        return self.store.recent_calls(flow_id, SHOWN)

    def with_recent(self, flow_id: int, endpoint: dict[str, Any] | None) -> dict[str, Any] | None:
        """The flow's endpoint (None: not published) with its `recent_calls`."""
        if endpoint is None:
            return None
        return {**endpoint, "recent_calls": self.recent(flow_id)}
