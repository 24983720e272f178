"""TOTP two-factor in-process, with a fake clock: which codes the authenticator takes
(the sign-up and login pages on a real hub: integration/test_totp.py)."""

from __future__ import annotations

import base64

from auth_doubles import Account, hubless, new_otp_secret
from fake_clock import START, FakeClock
from totp_code import totp, wrong_code

from conftest import PASSWORD


def test_rfc6238_vector() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) -> 287082 for 6 digits.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59) == "287082"


def test_only_the_code_of_the_current_30_s_step_logs_in() -> None:
    secret = new_otp_secret()
    clock = FakeClock(START + 10)
    hub = hubless({"gina": Account(PASSWORD, otp_secret=secret)}, clock)
    assert hub.login("gina", PASSWORD)[0] is None  # no code
    assert hub.login("gina", PASSWORD, wrong_code(totp(secret, clock.now)))[0] is None
    assert hub.login("gina", PASSWORD, "12345")[0] is None  # not six digits
    assert hub.login("gina", PASSWORD, totp(secret, clock.now))[0] == "gina"
    # Anywhere in the step; the previous and next steps' codes are refused (no window).
    clock.advance(19.9)
    assert hub.login("gina", PASSWORD, totp(secret, START))[0] == "gina"
    assert hub.login("gina", PASSWORD, totp(secret, START + 30))[0] is None
    clock.advance(0.1)
    assert hub.login("gina", PASSWORD, totp(secret, START))[0] is None
    assert hub.login("gina", PASSWORD, totp(secret, START - 30))[0] is None
    assert hub.login("gina", PASSWORD, totp(secret, clock.now))[0] == "gina"


def test_a_right_code_with_a_wrong_password_is_refused() -> None:
    secret = new_otp_secret()
    clock = FakeClock()
    hub = hubless({"gina": Account(PASSWORD, otp_secret=secret)}, clock)
    assert hub.login("gina", "not-the-password", totp(secret, clock.now))[0] is None


def test_codes_count_as_failures_toward_the_lockout() -> None:
    secret = new_otp_secret()
    clock = FakeClock()
    hub = hubless(
        {"gina": Account(PASSWORD, otp_secret=secret)},
        clock,
        allowed_failed_logins=2,
        seconds_before_next_try=60,
    )
    for _ in range(2):
        assert hub.login("gina", PASSWORD, wrong_code(totp(secret, clock.now)))[0] is None
    assert hub.login("gina", PASSWORD, totp(secret, clock.now))[0] is None  # locked
    clock.advance(60)
    assert hub.login("gina", PASSWORD, totp(secret, clock.now))[0] == "gina"
