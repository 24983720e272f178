"""Optional TOTP two-factor: off by default, on with GALILEAN_TOTP=true. Which codes the
authenticator takes, with a fake clock: unit/test_totp_codes.py."""

from __future__ import annotations

import re

from totp_code import step, totp, wrong_code

from conftest import PASSWORD, admin_client, hub_fixture
from harness.client import HubClient
from harness.hub import Hub

hub = hub_fixture("totp-hub", GALILEAN_TOTP="true", GALILEAN_CULL_IDLE_SECONDS="0")


def test_signup_offers_totp(hub: Hub) -> None:
    client = HubClient(hub.url)
    assert 'name="2fa"' in client.http.get(f"{hub.url}/hub/signup", timeout=30).text


def login_with_current_code(user: HubClient, name: str, secret: str) -> tuple[bool, str]:
    """Log in with the code of the current 30 s step, as an app shows it. The hub takes
    only its current step's code: when a step ended during the request, the refusal is
    that, and the next step's code is tried once (two steps cannot end in one request)."""
    before = step()
    logged_in, error = user.login(name, PASSWORD, code=totp(secret))
    if not logged_in and step() != before:
        logged_in, error = user.login(name, PASSWORD, code=totp(secret))
    return logged_in, error


def test_login_needs_the_current_code(hub: Hub) -> None:
    admin = admin_client(hub)
    user = HubClient(hub.url)
    message = user.signup("gina", PASSWORD, two_factor=True)
    # The sign-up page shows the secret to put into an authenticator app.
    found = re.search(r"two factor authentication code is ([A-Z2-7]+)", message)
    assert found, message
    secret = found.group(1)
    assert admin.authorize("gina") == 200

    assert user.login("gina", PASSWORD) == (False, "Invalid username or password.")
    assert not user.login("gina", PASSWORD, code=wrong_code(totp(secret)))[0]
    logged_in, error = login_with_current_code(user, "gina", secret)
    assert logged_in, error
