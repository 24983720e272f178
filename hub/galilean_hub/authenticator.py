"""NativeAuthenticator with clear reasons: why a sign-up was refused, how long a lockout lasts.

NativeAuthenticator (sign-up, admin approval, bcrypt passwords, common-password list,
lockout, TOTP) does the work. Galilean replaces its sign-up and login pages' handlers
to say *which* rule a password broke and that an account is locked (its login handler
does not use ``self.statsd``, gone in JupyterHub 6, where the upstream one answers 500),
and makes approving and discarding users POST requests checked for _xsrf: upstream they
are GET links, so any page could make an admin's browser approve someone. A refused login
costs one bcrypt check whether or not the account exists (upstream, ~250 ms for a real
user and ~5 ms for an unknown one told which names exist).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import DiscardHandler as NativeDiscardHandler
from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from nativeauthenticator.handlers import SignUpHandler as NativeSignUpHandler
from nativeauthenticator.handlers import (
    ToggleAuthorizationHandler as NativeToggleAuthorizationHandler,
)

FORBIDDEN_USERNAME_CHARS = (",", " ", "/")
# Checked against when the account does not exist, so that a refusal takes as long as for
# a real one: the cost (12) is what NativeAuthenticator's bcrypt.gensalt() gives real hashes.
# No account has this hash: nothing logs in with it.
DUMMY_HASH = b"$2b$12$Rv7/k3FHO/ZctPbLSFLzX.pd8mcYOlbhkNLFnoRsvCz3jndmSthmW"
# bcrypt reads 72 bytes of a password; bcrypt 5 raises (a 500) on longer ones, where
# earlier versions ignored the rest.
BCRYPT_MAX_BYTES = 72


class GalileanAuthenticator(NativeAuthenticator):
    """NativeAuthenticator that explains refusals."""

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
        if user is None:
            return None
        if self.allowed_failed_logins and self.is_blocked(username):
            return None
        validations = [user.is_authorized, password_ok]
        if user.has_2fa:
            validations.append(user.is_valid_token(data.get("2fa")))
        if all(validations):
            self.successful_login(username)
            return username
        self.add_login_attempt(username)
        return None

    def lockout_remaining(self, username: str) -> int:
        """Seconds left on this account's lockout (0 when it may try to log in)."""
        name = self.normalize_username(username)
        if not self.allowed_failed_logins or not self.is_blocked(name):
            return 0
        attempts = self.login_attempts[name]
        elapsed = (datetime.now() - attempts["time"]).total_seconds()
        return max(1, int(self.seconds_before_next_try - elapsed) + 1)

    def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
        replaced = {
            r"/login": GalileanLoginHandler,
            r"/signup": GalileanSignUpHandler,
            r"/authorize/([^/]*)": PostOnlyToggleAuthorizationHandler,
            r"/discard/([^/]*)": PostOnlyDiscardHandler,
        }
        return [
            (route, replaced.get(route, handler)) for route, handler in super().get_handlers(app)
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

    @staticmethod
    def _locked_message(auth: GalileanAuthenticator, username: str) -> str:
        remaining = auth.lockout_remaining(username)
        if not remaining:
            return ""
        return (
            f"Too many failed logins for this account: it is locked for {remaining} more seconds."
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
