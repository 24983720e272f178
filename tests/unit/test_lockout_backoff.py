"""The lockout policy and store with a fake clock (no waiting), and the client address
taken from the proxy chain. The pages and a restart: tests/integration/test_lockout.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_clock import FakeClock
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from galilean_hub.client_address import ProxyTrust
from galilean_hub.lockout import Lockout, LockoutPolicy, LockoutStore, create_table
from galilean_hub.settings import ConfigError


@pytest.fixture
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    create_table(engine)
    create_table(engine)  # created only when missing
    with Session(engine) as session:
        yield session


def test_back_off_doubles_up_to_the_cap_and_forgets(db: Session) -> None:
    clock = FakeClock()
    store = LockoutStore(LockoutPolicy(3, 60, 3600), clock)
    waits = []
    for _ in range(10):
        waits.append(store.failed(db, "bob", "10.0.0.1"))
        clock.advance(waits[-1])  # each try when the last lock ended
    assert waits == [0, 0, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert store.remaining(db, "bob", "10.0.0.1") == 0
    assert store.failed(db, "bob", "10.0.0.1") == 3600
    assert store.remaining(db, "bob", "10.0.0.1") == 3600
    assert store.remaining(db, "bob", "10.0.0.2") == 0  # another address
    assert store.remaining(db, "bobby", "10.0.0.1") == 0  # another account
    assert [(lock.account, lock.failures) for lock in store.current(db)] == [("bob", 11)]
    # A whole cap without failures: forgotten, and the count starts again.
    clock.advance(7200)
    assert store.current(db) == []
    assert store.failed(db, "bob", "10.0.0.1") == 0
    assert store.failed(db, "bob", "10.0.0.1") == 0
    assert store.failed(db, "bob", "10.0.0.1") == 60
    assert store.clear(db, "bob", "10.0.0.1")
    assert not store.clear(db, "bob", "10.0.0.1")
    assert store.remaining(db, "bob", "10.0.0.1") == 0


def test_the_wait_counts_down_and_ends(db: Session) -> None:
    clock = FakeClock()
    store = LockoutStore(LockoutPolicy(2, 60, 3600), clock)
    store.failed(db, "bob", "10.0.0.1")
    assert store.failed(db, "bob", "10.0.0.1") == 60
    clock.advance(59.5)
    assert store.remaining(db, "bob", "10.0.0.1") == 1  # a part of a second counts as one
    assert [lock.seconds_left for lock in store.current(db)] == [1]
    clock.advance(0.5)
    assert store.remaining(db, "bob", "10.0.0.1") == 0
    assert store.current(db) == []


def test_the_default_clock_is_the_real_one() -> None:
    import time

    assert LockoutStore(LockoutPolicy(3, 60, 3600)).clock is time.time


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "5 s"), (119, "119 s"), (598, "10 min"), (86400, "24 h 0 min")]
)
def test_wait_in_words(seconds: int, text: str) -> None:
    assert Lockout("bob", "10.0.0.1", 3, seconds).wait_text == text


def test_zero_max_failures_never_locks(db: Session) -> None:
    store = LockoutStore(LockoutPolicy(0, 60, 3600), FakeClock())
    assert all(store.failed(db, "bob", "10.0.0.1") == 0 for _ in range(20))


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        # Straight to the hub, not through its proxy: the peer; its header is ignored.
        ([], "10.1.2.3", "6.6.6.6", "10.1.2.3"),
        # Through the hub's proxy (loopback): the one entry it appended.
        ([], "127.0.0.1", "203.0.113.9", "203.0.113.9"),
        ([], "127.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        ([], "127.0.0.1", "", "127.0.0.1"),
        ([], "::ffff:127.0.0.1", "::ffff:203.0.113.9", "203.0.113.9"),
        # Compose: browser -> Traefik -> the hub's proxy -> hub.
        (["172.18.0.0/16"], "127.0.0.1", "6.6.6.6,198.51.100.7,172.18.0.5", "198.51.100.7"),
        # A Traefik that is not configured as trusted: its own address.
        ([], "127.0.0.1", "6.6.6.6,198.51.100.7,172.18.0.5", "172.18.0.5"),
        # Garbage left of a trusted proxy: the last hop known.
        (["172.18.0.5"], "127.0.0.1", "not-an-ip,172.18.0.5", "172.18.0.5"),
    ],
)
def test_client_address_believes_only_the_proxy_chain(
    trusted: list[str], peer: str, forwarded: str, client: str
) -> None:
    assert ProxyTrust(trusted).client(peer, forwarded) == client


def test_trusted_proxy_by_host_name_is_resolved_and_refreshed() -> None:
    answers = {"traefik": ["172.18.0.5"]}
    clock = FakeClock(0.0)
    trust = ProxyTrust(["traefik"], resolve=lambda name: answers[name], clock=clock)
    assert trust.client("127.0.0.1", "198.51.100.7,172.18.0.5") == "198.51.100.7"
    answers["traefik"] = ["172.18.0.9"]  # Traefik restarted elsewhere
    assert trust.client("127.0.0.1", "198.51.100.7,172.18.0.9") == "172.18.0.9"
    clock.advance(61)
    assert trust.client("127.0.0.1", "198.51.100.7,172.18.0.9") == "198.51.100.7"


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "http://traefik", "two words", "a_b:80"])
def test_bad_trusted_proxy_is_named(entry: str) -> None:
    with pytest.raises(ConfigError, match="GALILEAN_TRUSTED_PROXIES"):
        ProxyTrust([entry])
