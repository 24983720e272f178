"""Shared workspaces (issue 18): what a workspace starts with when it is shared.

JupyterHub's shares give a guest the same access to the owner's server as the owner: the
guest runs code there as the owner, and code reads everything the server holds (its
environment, its process's memory, the files it mounts). So a workspace with a share or an
unexpired share code starts *shared*, holding nothing of the owner's beyond its own files:

- its hub token has JupyterHub's own server scopes only (not the services': a guest must
  not run flows, read datasets or MLflow as the owner);
- no vault token, no AI key, no MLflow token (their variables are empty);
- in docker mode, the user's folder (named connections, the shared folder) is not mounted;
  in embedded mode the server reads connections from the workspace's own folder. Embedded
  mode runs every user's code under the hub's account, so there the separation holds for
  what Galilean's APIs and panels give a guest, not for code (README).

A server keeps the mode it started in (`started_shared`): sharing a workspace whose server
runs private needs a restart first (sharing_api.py). A workspace once shared stays shared
(sharing_marks.py: a guest may have left code in its files to run at the next start).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

SHARED_ENV = "GALILEAN_SHARED"  # "1" in a shared workspace's server
FLAG = "_galilean_started_shared"


def has_guests(spawner: Any) -> bool:
    """Whether the workspace has a share, or a share code not yet expired, now."""
    orm_spawner = spawner.orm_spawner
    if orm_spawner.shares:
        return True
    now = datetime.now(UTC).replace(tzinfo=None)  # JupyterHub stores naive UTC
    return any(code.expires_at is None or code.expires_at > now for code in orm_spawner.share_codes)


def started_shared(spawner: Any) -> bool:
    """Whether the workspace's server was started shared (False when it never started)."""
    return bool(getattr(spawner, FLAG, False))


class ServerScopes:
    """Spawner.server_token_scopes: `private` for a private workspace, JupyterHub's own
    server scopes for a shared one. JupyterHub calls it first at each start, so the mode is
    decided and remembered here. `marks` (set by the hub's configuration) says which
    workspaces were ever shared; without it only current guests count."""

    def __init__(self, private: Sequence[str], shared: Sequence[str]) -> None:
        self.private, self.shared = list(private), list(shared)
        self.marks: Any = None

    def __call__(self, spawner: Any) -> list[str]:
        owner, name = spawner.user.name, spawner.name
        shared = has_guests(spawner)
        if self.marks is not None:
            db = spawner.user.db
            if shared:
                self.marks.mark(db, owner, name)
            else:
                shared = self.marks.marked(db, owner, name)
        setattr(spawner, FLAG, shared)
        if shared:
            spawner.log.info("%s starts shared: none of its owner's tokens", spawner._log_name)
        return self.shared if shared else self.private


def private_only(value: Any) -> Callable[[Any], Any]:
    """An environment value a shared workspace's server does not get (""): a token, or a
    callable JupyterHub calls with the spawner."""

    def given(spawner: Any) -> Any:
        if started_shared(spawner):
            return ""
        return value(spawner) if callable(value) else value

    return given


# A shared server keeps the hub's answer on who may come in for a second (JupyterHub's
# singleuser keeps it 5 minutes; 0 would mean for ever): a user shared with after being
# refused, or a group's new member, gets in at once. Revoking restarts the server
# (sharing_api.py).
SHARED_AUTH_ARGS = ("--HubOAuth.cache_max_age=1",)


def with_shared_args(spawner: Any, args: list[str]) -> list[str]:
    """Spawner.get_args's list, plus what a shared start needs."""
    return [*args, *SHARED_AUTH_ARGS] if started_shared(spawner) else args


def shared_flag(spawner: Any) -> str:
    """GALILEAN_SHARED: what the server's extension and panels read."""
    return "1" if started_shared(spawner) else ""
