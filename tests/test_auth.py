"""Sign-up, approval, password rules and lockout, through the hub's real forms."""

from __future__ import annotations

import time

import pytest

from conftest import ADMIN, PASSWORD, admin_client, approved_user, start_hub
from harness.client import HubClient
from harness.hub import Hub

LOCK_SECONDS = 4
MAX_FAILURES = 3


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    running = start_hub(
        tmp_path_factory.mktemp("auth-hub"),
        GALILEAN_LOGIN_MAX_FAILURES=str(MAX_FAILURES),
        GALILEAN_LOGIN_LOCKOUT_SECONDS=str(LOCK_SECONDS),
        GALILEAN_CULL_IDLE_SECONDS="0",
    )
    yield running
    running.stop()


def test_admin_signs_up_and_logs_in_at_once(hub: Hub) -> None:
    client = HubClient(hub.url)
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
    admin.http.get(f"{hub.url}/hub/authorize/bob", timeout=30).raise_for_status()

    logged_in, error = user.login("bob", PASSWORD)
    assert logged_in, error
    user.new_token()
    assert user.user_model()["admin"] is False


def test_non_admin_cannot_approve(hub: Hub) -> None:
    admin = admin_client(hub)
    HubClient(hub.url).signup("mallory", PASSWORD)
    eve = approved_user(hub, admin, "eve")
    page = eve.http.get(f"{hub.url}/hub/authorize/mallory", timeout=30, allow_redirects=False)
    assert page.status_code == 403
    assert "waiting" in HubClient(hub.url).login("mallory", PASSWORD)[1]


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


def test_wrong_passwords_lock_the_account_for_the_configured_time(hub: Hub) -> None:
    admin = admin_client(hub)
    user = HubClient(hub.url)
    user.signup("carol", PASSWORD)
    admin.http.get(f"{hub.url}/hub/authorize/carol", timeout=30).raise_for_status()

    for _ in range(MAX_FAILURES - 1):
        assert user.login("carol", "not-the-password") == (False, "Invalid username or password.")
    logged_in, error = user.login("carol", "not-the-password")
    assert not logged_in
    assert "locked" in error

    # While locked, even the right password is refused, and the page says why.
    logged_in, error = user.login("carol", PASSWORD)
    assert not logged_in
    assert "Too many failed logins" in error

    time.sleep(LOCK_SECONDS + 1.5)
    logged_in, error = user.login("carol", PASSWORD)
    assert logged_in, error
