"""NativeAuthenticator with clear reasons: why a sign-up was refused, how long a lockout lasts.

NativeAuthenticator (sign-up, admin approval, bcrypt passwords, common-password list,
lockout, TOTP) does the work. Galilean replaces its sign-up and login pages' handlers
to say *which* rule a password broke and that an account is locked (its login handler
does not use ``self.statsd``, gone in JupyterHub 6, where the upstream one answers 500),
and makes approving and discarding users POST requests checked for _xsrf: upstream they
are GET links, so any page could make an admin's browser approve someone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import DiscardHandler as NativeDiscardHandler
from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from nativeauthenticator.handlers import SignUpHandler as NativeSignUpHandler
from nativeauthenticator.handlers import (
    ToggleAuthorizationHandler as NativeToggleAuthorizationHandler,
)

FORBIDDEN_USERNAME_CHARS = (",", " ", "/")


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
        return problems

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
            error = self._locked_message(auth, username) or self._failure_message(auth, data)
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

    @staticmethod
    def _failure_message(auth: GalileanAuthenticator, data: dict[str, str]) -> str:
        info = auth.get_user(data.get("username", ""))
        if (
            info is not None
            and not info.is_authorized
            and info.is_valid_password(data.get("password", ""))
        ):
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
