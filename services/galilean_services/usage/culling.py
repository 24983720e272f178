"""The idle culler's decisions (jupyterhub-idle-culler's `cull_arbiter_hook`): an idle
workspace is culled unless an admin pinned it; each decision is an event on the usage
dashboard (a pinned one once per idle period, not at every check). The culler loads this
through `culler_config.py`; the store is the usage service's (GALILEAN_USAGE_DB_URL).
No web framework."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ..kit import service_secrets
from .store import CULLED, KEPT_PINNED, UsageStore

DB_VARIABLE = "GALILEAN_USAGE_DB_URL"


def owner_of(server: dict[str, Any]) -> tuple[str, str]:
    """(user, server name) of a server model: the user is in its progress URL
    (…/api/users/<escaped name>/servers/<name>/progress or …/users/<name>/server/progress)."""
    parts = str(server.get("progress_url") or "").split("/")
    if "users" not in parts:
        raise ValueError(f"a server model without a progress URL: {server.get('name')!r}")
    return unquote(parts[parts.index("users") + 1]), str(server.get("name") or "")


def format_idle(inactive: datetime.timedelta) -> str:
    seconds = int(inactive.total_seconds())
    return f"idle for {seconds // 3600}h{seconds % 3600 // 60:02d}m{seconds % 60:02d}s"


class Arbiter:
    """cull_arbiter_hook(inactive, inactive_limit, server) -> whether to cull."""

    def __init__(self, store: Callable[[], UsageStore]) -> None:
        self._store = store

    def __call__(
        self, inactive: datetime.timedelta, inactive_limit: int, server: dict[str, Any]
    ) -> bool:
        if inactive.total_seconds() < inactive_limit:
            return False
        user, name = owner_of(server)
        store = self._store()
        if store.is_pinned(user, name):
            last = store.last_event(user, name)
            since = store.clock() - inactive.total_seconds()
            if last is None or last["kind"] != KEPT_PINNED or last["at"] < since:
                store.event(KEPT_PINNED, user, name, f"pinned; {format_idle(inactive)}")
            return False
        store.event(CULLED, user, name, format_idle(inactive))
        return True


_opened: list[UsageStore] = []


def culler_store() -> UsageStore:
    """The culler process's store, opened at its first decision."""
    if not _opened:
        service_secrets.load()  # the database's URL travels in the service's secrets file
        retention = float(os.environ.get("GALILEAN_USAGE_RETENTION_SECONDS", 48 * 3600))
        _opened.append(UsageStore(os.environ[DB_VARIABLE], retention))
    return _opened[0]


arbiter = Arbiter(culler_store)
