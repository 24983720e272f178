"""Sign-up, approval, password rules and lockout, through the hub's real forms. The
authenticator in-process, with a fake clock: unit/test_authenticator.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select

from conftest import ADMIN, PASSWORD, admin_client, approved_user, hub_fixture
from galilean_hub.lockout import failures_table
from harness.client import HubClient
from harness.hub import Hub

# Long: the real time a request takes does not change the seconds the page shows.
LOCK_SECONDS = 600
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


def rewind_lockouts(hub: Hub, seconds: float) -> None:
    """What `seconds` of waiting does to the hub's lockouts, without waiting: their
    stored times move back by that much (the rows are all the time the lockout keeps)."""
    engine = create_engine(f"sqlite:///{hub.data_dir / 'jupyterhub.sqlite'}")
    table, back = failures_table, timedelta(seconds=seconds)
    try:
        with engine.begin() as db:
            for row in db.execute(select(table)).all():
                locked_until = row.locked_until - back if row.locked_until else None
                db.execute(
                    table.update()
                    .where(table.c.account == row.account, table.c.address == row.address)
                    .values(last_failure=row.last_failure - back, locked_until=locked_until)
                )
    finally:
        engine.dispose()


def test_wrong_passwords_lock_for_the_configured_time_then_twice_as_long(hub: Hub) -> None:
    """On a real hub, its pages and its database: the first wait, then one more failure
    doubles it, then it ends. Time passes by moving the stored lockout back (the policy
    with a fake clock: unit/test_lockout_backoff.py and unit/test_authenticator.py)."""
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

    rewind_lockouts(hub, LOCK_SECONDS)
    logged_in, error = user.login("carol", "not-the-password")
    assert not logged_in
    assert f"try again in {2 * LOCK_SECONDS} seconds" in error

    rewind_lockouts(hub, 2 * LOCK_SECONDS - 60)
    logged_in, error = user.login("carol", PASSWORD)
    assert not logged_in
    assert "Too many failed logins" in error
    rewind_lockouts(hub, 60)
    logged_in, error = user.login("carol", PASSWORD)
    assert logged_in, error
