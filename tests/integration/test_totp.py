"""Optional TOTP two-factor: off by default, on with GALILEAN_TOTP=true."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

from conftest import PASSWORD, admin_client, hub_fixture
from harness.client import HubClient
from harness.hub import Hub


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 code (SHA-1, 30 s, 6 digits), computed here independently of the hub."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def test_rfc6238_vector() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) -> 287082 for 6 digits.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59) == "287082"


hub = hub_fixture("totp-hub", GALILEAN_TOTP="true", GALILEAN_CULL_IDLE_SECONDS="0")


def test_signup_offers_totp(hub: Hub) -> None:
    client = HubClient(hub.url)
    assert 'name="2fa"' in client.http.get(f"{hub.url}/hub/signup", timeout=30).text


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
    wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"
    assert not user.login("gina", PASSWORD, code=wrong)[0]
    if time.time() % 30 > 27:  # the hub accepts only the current 30 s step: do not straddle
        time.sleep(30 - time.time() % 30 + 0.2)
    logged_in, error = user.login("gina", PASSWORD, code=totp(secret))
    assert logged_in, error
