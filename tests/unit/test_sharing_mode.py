"""What a workspace starts with when it is shared (galilean_hub.sharing): decided once per
start from its shares and unexpired share codes; a shared start gets JupyterHub's own
server scopes and none of the owner's tokens."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from galilean_hub.sharing import (
    ServerScopes,
    has_guests,
    private_only,
    shared_flag,
    started_shared,
)

PRIVATE = ["users:activity!user", "access:servers!server", "access:services!service=flows"]
SHARED = ["users:activity!user", "access:servers!server"]


def spawner(shares: list[Any] | None = None, codes: list[Any] | None = None) -> Any:
    return SimpleNamespace(
        orm_spawner=SimpleNamespace(shares=shares or [], share_codes=codes or []),
        log=logging.getLogger("test"),
        _log_name="ann:proj",
        user=SimpleNamespace(name="ann", db=None),
        name="proj",
    )


def code(minutes: float | None) -> Any:
    now = datetime.now(UTC).replace(tzinfo=None)
    return SimpleNamespace(expires_at=None if minutes is None else now + timedelta(minutes=minutes))


def test_guests_are_shares_and_codes_not_expired() -> None:
    assert not has_guests(spawner())
    assert has_guests(spawner(shares=[object()]))
    assert has_guests(spawner(codes=[code(5)]))
    assert has_guests(spawner(codes=[code(None)]))
    assert not has_guests(spawner(codes=[code(-1)]))


def test_the_mode_is_decided_at_the_start_and_kept() -> None:
    scopes = ServerScopes(PRIVATE, SHARED)
    alone = spawner()
    assert not started_shared(alone)
    assert scopes(alone) == PRIVATE
    assert not started_shared(alone)
    guests = spawner(shares=[object()])
    assert scopes(guests) == SHARED
    assert started_shared(guests)
    guests.orm_spawner.shares.clear()  # revoked while running: still shared until restarted
    assert started_shared(guests)


def test_a_shared_start_gets_none_of_the_owners_tokens() -> None:
    scopes = ServerScopes(PRIVATE, SHARED)
    made: list[Any] = []

    def token(s: Any) -> str:
        made.append(s)
        return "owner-token"

    given = private_only(token)
    alone, guests = spawner(), spawner(shares=[object()])
    scopes(alone)
    scopes(guests)
    assert given(alone) == "owner-token"
    assert given(guests) == ""
    assert made == [alone]  # not even made for the shared one
    assert private_only("fixed")(guests) == ""
    assert (shared_flag(alone), shared_flag(guests)) == ("", "1")


class Marks:
    """sharing_marks.SharedMarks's contract, in memory."""

    def __init__(self) -> None:
        self.kept: set[tuple[str, str]] = set()

    def mark(self, db: object, owner: str, workspace: str) -> None:
        self.kept.add((owner, workspace))

    def marked(self, db: object, owner: str, workspace: str) -> bool:
        return (owner, workspace) in self.kept


def test_a_workspace_once_shared_stays_shared() -> None:
    """A guest may have left code in its files for the next start: it never again starts
    with its owner's tokens."""
    scopes = ServerScopes(PRIVATE, SHARED)
    scopes.marks = Marks()
    assert scopes(spawner()) == PRIVATE
    assert scopes(spawner(shares=[object()])) == SHARED
    again = spawner()  # the last guest revoked
    assert scopes(again) == SHARED
    assert started_shared(again)
