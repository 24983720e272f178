"""Sign-up, approval, password rules and lockout, through the hub's real forms."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import bcrypt
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from conftest import ADMIN, PASSWORD, admin_client, approved_user, hub_fixture
from harness.client import HubClient
from harness.hub import Hub

LOCK_SECONDS = 2
MAX_FAILURES = 3


hub = hub_fixture(
    "auth-hub",
    GALILEAN_LOGIN_MAX_FAILURES=str(MAX_FAILURES),
    GALILEAN_LOGIN_LOCKOUT_SECONDS=str(LOCK_SECONDS),
    GALILEAN_CULL_IDLE_SECONDS="0",
)


def test_admin_signs_up_and_logs_in_at_once(hub: Hub) -> None:
    client = HubClient(hub.url)
    # Two-factor is off by default: the sign-up form does not offer it.
    assert 'name="2fa"' not in client.http.get(f"{hub.url}/hub/signup", timeout=30).text
    message = client.signup(ADMIN, PASSWORD)
    assert "signup was successful" in message
    logged_in, error = client.login(ADMIN, PASSWORD)
    assert logged_in, error
    client.new_token()
    assert client.user_model()["admin"] is True


def test_user_waits_for_approval_then_logs_in(hub: Hub) -> None:
    admin = admin_client(hub)
    user = HubClient(hub.url)
    assert "sent to the admin" in user.signup("bob", PASSWORD)

    logged_in, error = user.login("bob", PASSWORD)
    assert not logged_in
    assert "waiting for an administrator's approval" in error

    page = admin.http.get(f"{hub.url}/hub/authorize", timeout=30)
    assert "bob" in page.text
    assert admin.authorize("bob") == 200

    logged_in, error = user.login("bob", PASSWORD)
    assert logged_in, error
    user.new_token()
    assert user.user_model()["admin"] is False


def test_non_admin_cannot_approve(hub: Hub) -> None:
    admin = admin_client(hub)
    HubClient(hub.url).signup("mallory", PASSWORD)
    eve = approved_user(hub, admin, "eve")
    assert eve.http.get(f"{hub.url}/hub/authorize", timeout=30).status_code == 403
    page = eve.http.post(
        f"{hub.url}/hub/authorize/mallory", data={"_xsrf": eve.xsrf_cookie()}, timeout=30
    )
    assert page.status_code == 403
    assert "waiting" in HubClient(hub.url).login("mallory", PASSWORD)[1]


def test_approval_is_not_a_link(hub: Hub) -> None:
    """A GET (a link an admin might follow) changes nothing; a POST without _xsrf is refused."""
    admin = admin_client(hub)
    HubClient(hub.url).signup("trent", PASSWORD)
    admin.http.get(f"{hub.url}/hub/authorize/trent", timeout=30).raise_for_status()
    admin.http.get(f"{hub.url}/hub/discard/trent", timeout=30).raise_for_status()
    forged = admin.http.post(f"{hub.url}/hub/authorize/trent", timeout=30)
    assert forged.status_code == 403
    assert "waiting" in HubClient(hub.url).login("trent", PASSWORD)[1]
    assert admin.authorize("trent") == 200
    assert HubClient(hub.url).login("trent", PASSWORD)[0]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "at least 10 characters"),
        ("qwertyuiop", "one of the most common passwords"),
    ],
)
def test_weak_password_is_refused_with_the_reason(hub: Hub, password: str, reason: str) -> None:
    client = HubClient(hub.url)
    message = client.signup(f"weak{len(password)}", password)
    assert message.startswith("Sign-up refused:"), message
    assert reason in message
    assert not client.login(f"weak{len(password)}", password)[0]


def test_bad_username_is_refused_with_the_reason(hub: Hub) -> None:
    message = HubClient(hub.url).signup("has space", PASSWORD)
    assert "may not contain spaces" in message


def test_wrong_passwords_lock_for_the_configured_time_then_twice_as_long(hub: Hub) -> None:
    """Real time on a real hub (the in-process policy test in test_lockout.py injects a
    clock): the first wait, then one more failure doubles it, then it ends."""
    admin = admin_client(hub)
    user = HubClient(hub.url)
    user.signup("carol", PASSWORD)
    assert admin.authorize("carol") == 200

    for _ in range(MAX_FAILURES - 1):
        assert user.login("carol", "not-the-password") == (False, "Invalid username or password.")
    logged_in, error = user.login("carol", "not-the-password")
    assert not logged_in
    assert f"try again in {LOCK_SECONDS} seconds" in error

    # While locked, even the right password is refused, and the page says why.
    logged_in, error = user.login("carol", PASSWORD)
    assert not logged_in
    assert "Too many failed logins" in error

    time.sleep(LOCK_SECONDS + 0.5)
    logged_in, error = user.login("carol", "not-the-password")
    assert not logged_in
    assert f"try again in {2 * LOCK_SECONDS} seconds" in error

    time.sleep(2 * LOCK_SECONDS + 0.5)
    logged_in, error = user.login("carol", PASSWORD)
    assert logged_in, error


class _Account:
    """What NativeAuthenticator's UserInfo offers authenticate()."""

    def __init__(self, password: str, authorized: bool = True) -> None:
        self.password = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4))
        self.is_authorized = authorized
        self.has_2fa = False


def test_refusals_cost_one_bcrypt_whether_or_not_the_account_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In-process (no hub): unknown names are checked against a dummy hash of the real
    cost, so a refusal takes as long as for a real account (was ~5 ms against ~250 ms)."""
    from galilean_hub import authenticator as module
    from galilean_hub import lockout

    accounts = {"alice": _Account(PASSWORD), "waiting": _Account(PASSWORD, authorized=False)}
    auth = module.GalileanAuthenticator(
        add_new_table=False, allowed_failed_logins=2, seconds_before_next_try=600
    )
    engine = create_engine("sqlite://")
    lockout.create_table(engine)
    db = Session(engine)
    monkeypatch.setattr(auth, "get_user", lambda name: accounts.get(name))
    checked: list[bytes] = []
    real_checkpw = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed)
        return bool(real_checkpw(password, hashed))

    monkeypatch.setattr(module.bcrypt, "checkpw", counting)

    def login(name: str, password: str) -> tuple[str | None, SimpleNamespace]:
        handler = SimpleNamespace(db=db)
        checked.clear()
        result = asyncio.run(auth.authenticate(handler, {"username": name, "password": password}))
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
    assert auth.lockouts.remaining(db, "alice", "unknown") == 600
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
