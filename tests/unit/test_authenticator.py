"""GalileanAuthenticator in-process (tests/auth_doubles.py): one bcrypt per refusal, and
the lockout as the login page reports it, with a fake clock instead of waiting."""

from __future__ import annotations

import time

import bcrypt
import pytest
from auth_doubles import Account, hubless
from fake_clock import FakeClock

from conftest import PASSWORD
from galilean_hub import authenticator as module

WRONG = "not-the-password"


def test_refusals_cost_one_bcrypt_whether_or_not_the_account_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unknown names are checked against a dummy hash of the real cost, so a refusal
    takes as long as for a real account (was ~5 ms against ~250 ms)."""
    accounts = {"alice": Account(PASSWORD), "waiting": Account(PASSWORD, authorized=False)}
    hub = hubless(accounts, allowed_failed_logins=2, seconds_before_next_try=600)
    auth = hub.auth
    checked: list[bytes] = []
    real_checkpw = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed)
        return bool(real_checkpw(password, hashed))

    monkeypatch.setattr(module.bcrypt, "checkpw", counting)

    def login(name: str, password: str) -> tuple[str | None, object]:
        checked.clear()
        result, handler = hub.login(name, password)
        assert len(checked) == 1, (name, checked)  # exactly one bcrypt, whatever the case
        return result, handler

    unknown, handler = login("nobody", "wrong-password-1")
    assert unknown is None
    assert checked == [module.DUMMY_HASH]
    assert module.DUMMY_HASH.startswith(b"$2b$12$")  # the cost bcrypt.gensalt() gives
    assert login("alice", PASSWORD)[0] == "alice"
    assert login("alice", "wrong-password-1")[0] is None
    assert login("alice", "x" * 100)[0] is None  # beyond bcrypt's 72 bytes: no 500
    assert login("alice", "wrong-password-1")[0] is None  # now locked: still one bcrypt
    assert auth.lockouts.remaining(hub.db, "alice", "unknown") == 600
    refused, handler = login("waiting", PASSWORD)
    assert refused is None
    # The login page words the refusal from authenticate's check, with no second bcrypt.
    message = module.GalileanLoginHandler._failure_message
    checked.clear()
    assert "waiting for an administrator" in message(handler, auth, "waiting")
    _, handler = login("waiting", "wrong-password-1")
    checked.clear()
    assert message(handler, auth, "waiting") == "Invalid username or password."
    assert checked == []
    assert "at most 72 bytes" in " ".join(auth.password_problems("é" * 40))
    assert not auth.is_password_strong("é" * 40)


def test_wrong_passwords_lock_for_the_configured_time_then_twice_as_long() -> None:
    """The first wait, then one more failure doubles it, then it ends: the clock moves
    instead of the test waiting (the page flow on a real hub: integration/test_auth.py)."""
    clock = FakeClock()
    hub = hubless(
        {"carol": Account(PASSWORD)}, clock, allowed_failed_logins=3, seconds_before_next_try=2
    )
    assert hub.login("carol", WRONG)[0] is None
    assert hub.login("carol", WRONG)[0] is None
    assert hub.page_error("carol") == ""
    assert hub.login("carol", WRONG)[0] is None
    assert "try again in 2 seconds" in hub.page_error("carol")
    # While locked, even the right password is refused, and the page says why.
    assert hub.login("carol", PASSWORD)[0] is None
    assert "Too many failed logins" in hub.page_error("carol")

    clock.advance(1.5)
    assert "try again in 1 seconds" in hub.page_error("carol")
    clock.advance(0.5)
    assert hub.page_error("carol") == ""
    assert hub.login("carol", WRONG)[0] is None
    assert "try again in 4 seconds" in hub.page_error("carol")

    clock.advance(4)
    assert hub.login("carol", PASSWORD)[0] == "carol"
    # A success clears the count: the next failure does not lock.
    assert hub.login("carol", WRONG)[0] is None
    assert hub.page_error("carol") == ""


def test_lockouts_and_codes_use_the_real_clock_by_default() -> None:
    hub = hubless({})
    assert hub.auth.clock is time.time
    hub.auth.clock = clock = FakeClock()
    assert hub.auth.lockouts.clock() == clock.now
