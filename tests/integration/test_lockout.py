"""Failed logins lock per (account, client address), in the hub's database: an attacker
cannot lock the owner out, an admin unlocks, and a restart keeps what was locked. The
policy with a fake clock, and the address taken from the proxy chain:
unit/test_lockout_backoff.py."""

from __future__ import annotations

import re
from typing import Any

from requests.adapters import HTTPAdapter

from conftest import PASSWORD, admin_client, approved_user, hub_fixture
from harness.client import HubClient
from harness.hub import Hub

MAX_FAILURES = 3
# Long enough to outlive a hub restart.
LOCK_SECONDS = 600
WRONG = "not-the-password-1"

hub = hub_fixture(
    "lockout-hub",
    GALILEAN_LOGIN_MAX_FAILURES=str(MAX_FAILURES),
    GALILEAN_LOGIN_LOCKOUT_SECONDS=str(LOCK_SECONDS),
    GALILEAN_CULL_IDLE_SECONDS="0",
)


class SourceAddressAdapter(HTTPAdapter):
    """Connections made from a chosen local address (127.0.0.0/8 is all loopback)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_from(hub: Hub, address: str, **headers: str) -> HubClient:
    """A browser at `address`, sending `headers` (forged ones, for an attacker)."""
    client = HubClient(hub.url)
    client.http.mount("http://", SourceAddressAdapter(address))
    client.http.headers.update(headers)
    return client


def fail_until_locked(client: HubClient, name: str) -> str:
    for _ in range(MAX_FAILURES - 1):
        assert client.login(name, WRONG) == (False, "Invalid username or password.")
    logged_in, error = client.login(name, WRONG)
    assert not logged_in
    return error


def no_digits(text: str) -> str:
    return re.sub(r"\d+", "N", text)


def locked_rows(admin: HubClient, hub: Hub) -> list[tuple[str, str]]:
    page = admin.http.get(f"{hub.url}/hub/authorize", timeout=30)
    page.raise_for_status()
    return re.findall(
        r'galilean-lockout-account">([^<]*)</td>\s*<td class="galilean-lockout-address">([^<]*)<',
        page.text,
    )


def test_attacker_cannot_lock_the_owner_out_even_forging_headers(hub: Hub) -> None:
    admin = admin_client(hub)
    approved_user(hub, admin, "olivia")
    # The attacker claims to be the owner's address: the proxy chain's word is what counts.
    attacker = client_from(
        hub, "127.0.0.2", **{"X-Forwarded-For": "127.0.0.1", "X-Real-Ip": "127.0.0.1"}
    )
    error = fail_until_locked(attacker, "olivia")
    assert "Too many failed logins" in error
    assert "try again in 600 seconds" in error
    # Locked from there even with the right password.
    logged_in, error = attacker.login("olivia", PASSWORD)
    assert not logged_in
    assert "Too many failed logins" in error
    # The owner, elsewhere, logs in; so does the admin from the attacker's address.
    assert client_from(hub, "127.0.0.1").login("olivia", PASSWORD)[0]
    assert client_from(hub, "127.0.0.2").login("admin", PASSWORD)[0]
    assert ("olivia", "127.0.0.2") in locked_rows(admin, hub)


def test_unknown_names_lock_alike(hub: Hub) -> None:
    """The lockout says nothing about which names exist: unknown ones lock the same way."""
    admin = admin_client(hub)
    approved_user(hub, admin, "ursula")
    prober = client_from(hub, "127.0.0.3")
    real = fail_until_locked(prober, "ursula")
    unknown = fail_until_locked(prober, "nobody-here")
    assert "Too many failed logins" in real
    assert no_digits(real) == no_digits(unknown)
    assert no_digits(prober.login("nobody-here", PASSWORD)[1]) == no_digits(
        prober.login("ursula", PASSWORD)[1]
    )


def test_admin_unlocks_and_others_cannot(hub: Hub) -> None:
    admin = admin_client(hub)
    eve = approved_user(hub, admin, "eve")
    approved_user(hub, admin, "nadia")
    stranger = client_from(hub, "127.0.0.4")
    fail_until_locked(stranger, "nadia")
    assert ("nadia", "127.0.0.4") in locked_rows(admin, hub)
    form = {"account": "nadia", "address": "127.0.0.4"}

    # A non-admin is refused (the page, and the button's POST).
    assert eve.http.get(f"{hub.url}/hub/authorize", timeout=30).status_code == 403
    refused = eve.http.post(
        f"{hub.url}/hub/unlock", data={**form, "_xsrf": eve.xsrf_cookie()}, timeout=30
    )
    assert refused.status_code == 403
    # The admin's browser, made to POST by another page (no _xsrf), is refused too.
    assert admin.http.post(f"{hub.url}/hub/unlock", data=form, timeout=30).status_code == 403
    # A GET (a link) changes nothing.
    admin.http.get(f"{hub.url}/hub/unlock", timeout=30).raise_for_status()
    assert ("nadia", "127.0.0.4") in locked_rows(admin, hub)
    missing = admin.http.post(
        f"{hub.url}/hub/unlock",
        data={"account": "nadia", "_xsrf": admin.xsrf_cookie()},
        timeout=30,
    )
    assert missing.status_code == 400
    assert "address: missing" in missing.text
    assert not stranger.login("nadia", PASSWORD)[0]

    # The admin's Unlock button.
    done = admin.http.post(
        f"{hub.url}/hub/unlock", data={**form, "_xsrf": admin.xsrf_cookie()}, timeout=30
    )
    assert done.status_code == 200
    assert "/hub/authorize" in done.url
    assert ("nadia", "127.0.0.4") not in locked_rows(admin, hub)
    assert stranger.login("nadia", PASSWORD)[0]


def test_lockout_survives_a_restart(hub: Hub) -> None:
    admin = admin_client(hub)
    approved_user(hub, admin, "rita")
    stranger = client_from(hub, "127.0.0.5")
    fail_until_locked(stranger, "rita")
    hub.stop()
    hub.start()
    logged_in, error = client_from(hub, "127.0.0.5").login("rita", PASSWORD)
    assert not logged_in
    seconds = int(re.search(r"try again in (\d+) seconds", error).group(1))  # type: ignore[union-attr]
    assert LOCK_SECONDS - 120 < seconds <= LOCK_SECONDS
    assert client_from(hub, "127.0.0.1").login("rita", PASSWORD)[0]
