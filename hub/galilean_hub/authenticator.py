"""NativeAuthenticator with clear reasons: why a sign-up was refused, how long a lockout lasts.

NativeAuthenticator (sign-up, admin approval, bcrypt passwords, common-password list,
lockout, TOTP) does the work. Galilean replaces its sign-up and login pages' handlers
to say *which* rule a password broke and how long a lockout lasts (its login handler
does not use ``self.statsd``, gone in JupyterHub 6, where the upstream one answers 500),
counts failed logins per (account, client address) in the hub's database (lockout.py)
instead of per account in memory, and makes approving and discarding users POST requests
checked for _xsrf: upstream they are GET links, so any page could make an admin's browser
approve someone. A refused login costs one bcrypt check whether or not the account exists
(upstream, ~250 ms for a real user and ~5 ms for an unknown one told which names exist).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import bcrypt
import onetimepass
from jupyterhub.scopes import needs_scope
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import AuthorizationAreaHandler as NativeAuthorizationAreaHandler
from nativeauthenticator.handlers import DiscardHandler as NativeDiscardHandler
from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from nativeauthenticator.handlers import SignUpHandler as NativeSignUpHandler
from nativeauthenticator.handlers import (
    ToggleAuthorizationHandler as NativeToggleAuthorizationHandler,
)
from nativeauthenticator.orm import UserInfo
from tornado import web
from traitlets import Integer, List, Unicode

from .client_address import UNKNOWN, ProxyTrust, request_client
from .lockout import LockoutPolicy, LockoutStore, create_table

FORBIDDEN_USERNAME_CHARS = (",", " ", "/")
# Checked against when the account does not exist, so that a refusal takes as long as for
# a real one: the cost (12) is what NativeAuthenticator's bcrypt.gensalt() gives real hashes.
# No account has this hash: nothing logs in with it.
DUMMY_HASH = b"$2b$12$Rv7/k3FHO/ZctPbLSFLzX.pd8mcYOlbhkNLFnoRsvCz3jndmSthmW"
# bcrypt reads 72 bytes of a password; bcrypt 5 raises (a 500) on longer ones, where
# earlier versions ignored the rest.
BCRYPT_MAX_BYTES = 72


class GalileanAuthenticator(NativeAuthenticator):
    """NativeAuthenticator that explains refusals and locks per (account, address)."""

    lockout_max_seconds = Integer(
        86400, config=True, help="The longest wait after failed logins (lockout.py)."
    )
    trusted_proxies = List(
        Unicode(),
        config=True,
        help="Proxies in front of the hub's proxy whose X-Forwarded-For is believed.",
    )

    _lockouts: LockoutStore | None = None
    _proxy_trust: ProxyTrust | None = None
    # Seconds since the epoch, for lockouts and TOTP codes: tests set a fake clock.
    clock: Callable[[], float] = time.time

    def add_new_table(self) -> None:
        """NativeAuthenticator's users_info, and the failed-logins table, when missing."""
        super().add_new_table()
        create_table(self.db.bind)

    @property
    def lockouts(self) -> LockoutStore:
        if self._lockouts is None:
            policy = LockoutPolicy(
                self.allowed_failed_logins, self.seconds_before_next_try, self.lockout_max_seconds
            )
            self._lockouts = LockoutStore(policy, lambda: self.clock())
        return self._lockouts

    def client_address(self, handler: Any) -> str:
        """Where the request comes from, believing only the proxy chain (client_address.py);
        remembered on the handler."""
        known = getattr(handler, "galilean_client_address", None)
        if isinstance(known, str):
            return known
        request = getattr(handler, "request", None)
        if request is None:
            address = UNKNOWN
        else:
            if self._proxy_trust is None:
                self._proxy_trust = ProxyTrust(self.trusted_proxies)
            address = request_client(self._proxy_trust, request)
        if handler is not None:
            handler.galilean_client_address = address
        return address

    def password_problems(self, password: str) -> list[str]:
        """Every rule the password breaks, in words a user can act on."""
        problems = []
        if len(password) < self.minimum_password_length:
            problems.append(
                f"the password must have at least {self.minimum_password_length} characters"
            )
        if self.check_common_password and self.is_password_common(password):
            problems.append("the password is one of the most common passwords")
        if len(password.encode("utf-8", "surrogatepass")) > BCRYPT_MAX_BYTES:
            problems.append(f"the password may have at most {BCRYPT_MAX_BYTES} bytes")
        return problems

    def is_password_strong(self, password: str) -> bool:
        """Sign-up and password changes: also refuse what bcrypt cannot hash."""
        fits = len(password.encode("utf-8", "surrogatepass")) <= BCRYPT_MAX_BYTES
        return bool(super().is_password_strong(password)) and fits

    def username_problems(self, username: str) -> list[str]:
        if not username:
            return ["the username is empty"]
        if any(char in username for char in FORBIDDEN_USERNAME_CHARS):
            return ["the username may not contain spaces, commas or slashes"]
        if not self.validate_username(self.normalize_username(username)):
            return [
                "the username must start with a letter or digit and use only "
                "letters, digits, '.', '_' and '-'"
            ]
        return []

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        """NativeAuthenticator's checks, but the password is checked with bcrypt exactly
        once whatever the account (unknown, locked, waiting, or real), so the time a
        refusal takes does not say whether the name exists. The handler learns whether
        the password was right (`galilean_password_ok`) to word the refusal without a
        second bcrypt."""
        username = self.normalize_username(data["username"])
        # What bcrypt reads of it (earlier bcrypt ignored the rest when hashing, too).
        password = data["password"].encode("utf-8", "surrogatepass")[:BCRYPT_MAX_BYTES]
        user = self.get_user(username)
        stored = user.password if user is not None else DUMMY_HASH
        password_ok = bcrypt.checkpw(password, stored) and user is not None
        if handler is not None:
            handler.galilean_password_ok = password_ok
        if not self.validate_username(username):
            return None  # no such account can exist: nothing to count
        address = self.client_address(handler)
        db = handler.db
        if self.lockouts.remaining(db, username, address):
            return None
        ok = user is not None and user.is_authorized and password_ok
        if ok and user is not None and user.has_2fa:
            ok = self.totp_ok(user.otp_secret, data.get("2fa"))
        if ok:
            self.lockouts.clear(db, username, address)
            return username
        # Unknown names count too: a lockout must not tell which names exist.
        self.lockouts.failed(db, username, address)
        return None

    def totp_ok(self, secret: str, code: str | None) -> bool:
        """The code of the current 30 s step only, as NativeAuthenticator's
        `UserInfo.is_valid_token` checks it, at this authenticator's clock."""
        return bool(onetimepass.valid_totp(code, secret, clock=self.clock()))

    def lockout_remaining(self, handler: Any, username: str) -> int:
        """Seconds this request's address waits before trying `username` (0: it may)."""
        name = self.normalize_username(username)
        if not self.validate_username(name):
            return 0
        return self.lockouts.remaining(handler.db, name, self.client_address(handler))

    def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
        replaced = {
            r"/login": GalileanLoginHandler,
            r"/signup": GalileanSignUpHandler,
            r"/authorize": AuthorizationAreaHandler,
            r"/authorize/([^/]*)": PostOnlyToggleAuthorizationHandler,
            r"/discard/([^/]*)": PostOnlyDiscardHandler,
        }
        native = super().get_handlers(app)
        return [
            *((route, replaced.get(route, handler)) for route, handler in native),
            (r"/unlock", UnlockHandler),
        ]


class GalileanSignUpHandler(NativeSignUpHandler):
    """Sign-up page whose refusals name the rule that was broken."""

    _galilean_form: dict[str, str]

    async def post(self) -> None:
        self._galilean_form = {
            "username": self.get_body_argument("username", "", strip=False),
            "password": self.get_body_argument("signup_password", "", strip=False),
        }
        await super().post()

    def get_result_message(self, user: Any, *args: Any) -> tuple[str, str]:
        alert, message = super().get_result_message(user, *args)
        if user is None and alert == "alert-danger" and message.startswith("Something went wrong"):
            form = getattr(self, "_galilean_form", {})
            auth: GalileanAuthenticator = self.authenticator
            problems = auth.username_problems(form.get("username", "")) + auth.password_problems(
                form.get("password", "")
            )
            if problems:
                message = "Sign-up refused: " + "; ".join(problems) + "."
        return alert, message


class GalileanLoginHandler(NativeLoginHandler):
    """Login page that reports a locked account and the time left."""

    async def post(self) -> None:
        data = {arg: self.get_argument(arg, strip=False) for arg in self.request.arguments}
        username = data.get("username", "")
        auth: GalileanAuthenticator = self.authenticator
        error = self._locked_message(auth, username)
        if not error:
            user = await self.login_user(data)
            if user:
                self._jupyterhub_user = user
                self.redirect(self.get_next_url(user))
                return
            error = self._locked_message(auth, username) or self._failure_message(auth, username)
        self.set_status(403)
        html = await self._render(login_error=error, username=username)
        self.finish(html)

    def _locked_message(self, auth: GalileanAuthenticator, username: str) -> str:
        # Said alike for unknown names (they are counted too): it tells nothing of accounts.
        remaining = auth.lockout_remaining(self, username)
        if not remaining:
            return ""
        return (
            "Too many failed logins for this name from your address: try again in "
            f"{remaining} seconds, or ask an administrator to unlock it."
        )

    def _failure_message(self, auth: GalileanAuthenticator, username: str) -> str:
        # authenticate() checked the password (no second bcrypt: that would make waiting
        # accounts slower to refuse than others).
        if getattr(self, "galilean_password_ok", False):
            info = auth.get_user(username)
            if info is not None and not info.is_authorized:
                return "Your account is waiting for an administrator's approval."
        return "Invalid username or password."


class PostOnlyToggleAuthorizationHandler(NativeToggleAuthorizationHandler):
    """Approve or unapprove a user: POST with _xsrf (JupyterHub checks it); GET changes nothing."""

    async def get(self, slug: str) -> None:
        self.redirect(self.hub.base_url + "authorize#" + slug)

    async def post(self, slug: str) -> None:
        await NativeToggleAuthorizationHandler.get(self, slug)


class PostOnlyDiscardHandler(NativeDiscardHandler):
    """Discard a sign-up that was not approved: POST with _xsrf; GET changes nothing."""

    async def get(self, user_name: str) -> None:
        self.redirect(self.hub.base_url + "authorize")

    async def post(self, user_name: str) -> None:
        await NativeDiscardHandler.get(self, user_name)


class AuthorizationAreaHandler(NativeAuthorizationAreaHandler):
    """NativeAuthenticator's authorization page, with the lockouts in force and their
    Unlock buttons."""

    @needs_scope("admin:users")
    async def get(self) -> None:
        auth: GalileanAuthenticator = self.authenticator
        html = await self.render_template(
            "authorization-area.html",
            ask_email=auth.ask_email_on_signup,
            users=self.db.query(UserInfo).all(),
            lockouts=auth.lockouts.current(self.db),
        )
        self.finish(html)


class UnlockHandler(NativeAuthorizationAreaHandler):
    """POST (with _xsrf, JupyterHub checks it) ``account`` and ``address``: an admin lifts
    that lockout."""

    async def get(self) -> None:
        self.redirect(self.hub.base_url + "authorize#lockouts")

    @needs_scope("admin:users")
    async def post(self) -> None:
        account = self.get_body_argument("account", "", strip=True)
        address = self.get_body_argument("address", "", strip=True)
        for field, value in (("account", account), ("address", address)):
            if not value:
                raise web.HTTPError(400, f"{field}: missing (the lockout to lift)")
        auth: GalileanAuthenticator = self.authenticator
        if auth.lockouts.clear(self.db, account, address):
            self.log.info("%s unlocked %s from %s", self.current_user.name, account, address)
        self.redirect(self.hub.base_url + "authorize#lockouts")
