"""GalileanAuthenticator in-process: accounts in a dict instead of NativeAuthenticator's
table, the failures table in an in-memory SQLite, the login page's handler as a bare
object, and a fake clock. What a hub would do with the same calls, without a hub."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import bcrypt
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from galilean_hub import lockout
from galilean_hub.authenticator import GalileanAuthenticator, GalileanLoginHandler


class Account:
    """What NativeAuthenticator's UserInfo offers authenticate()."""

    def __init__(self, password: str, authorized: bool = True, otp_secret: str = "") -> None:
        self.password = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4))
        self.is_authorized = authorized
        self.has_2fa = bool(otp_secret)
        self.otp_secret = otp_secret


def new_otp_secret(seed: bytes = b"galilean-test") -> str:
    """A base32 secret like the 16 characters NativeAuthenticator makes at sign-up."""
    return base64.b32encode(seed.ljust(10, b"-")[:10]).decode()


@dataclass
class Hubless:
    """An authenticator with its accounts and database, logging in from one address."""

    auth: GalileanAuthenticator
    db: Session
    accounts: dict[str, Account] = field(default_factory=dict)

    def login(self, name: str, password: str, code: str = "") -> tuple[str | None, Any]:
        """authenticate() as the login page calls it; returns (the name or None, handler)."""
        handler = SimpleNamespace(db=self.db)
        data = {"username": name, "password": password}
        if code:
            data["2fa"] = code
        return asyncio.run(self.auth.authenticate(handler, data)), handler

    def page_error(self, name: str) -> str:
        """What the login page says of a lockout for `name` (empty: none)."""
        handler = SimpleNamespace(db=self.db)
        return GalileanLoginHandler._locked_message(handler, self.auth, name)


def hubless(
    accounts: dict[str, Account], clock: Callable[[], float] | None = None, **traits: Any
) -> Hubless:
    """`traits` as NativeAuthenticator's (allowed_failed_logins, seconds_before_next_try)."""
    auth = GalileanAuthenticator(add_new_table=False, **traits)
    if clock is not None:
        auth.clock = clock
    engine = create_engine("sqlite://")
    lockout.create_table(engine)
    auth.get_user = accounts.get
    return Hubless(auth, Session(engine), accounts)
