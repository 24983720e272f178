"""Sign-ups waiting for an admin's approval, for the usage dashboard (JupyterHub's own
API knows only approved users: a waiting sign-up exists in NativeAuthenticator's table).

    GET /hub/api/galilean/signups   {"signups": [{"name", "email"}]}, by name
                                    (read:users: admins, the usage dashboard)

Nothing else of the sign-up leaves: no password hash, no 2FA secret.
"""

from __future__ import annotations

from typing import Any

from nativeauthenticator.orm import UserInfo

from galilean_services.kit.errors import GalileanError

from .api_base import GalileanAPIHandler


def waiting_signups(db: Any) -> list[dict[str, str]]:
    rows = db.query(UserInfo).filter(UserInfo.is_authorized.is_not(True))
    return [
        {"name": str(row.username), "email": str(row.email or "")}
        for row in sorted(rows, key=lambda row: str(row.username))
    ]


class SignupsHandler(GalileanAPIHandler):
    def get(self) -> None:
        if not self.reads_all_users():
            raise GalileanError(
                "the sign-ups waiting for approval need the scope read:users (admins)",
                [{"field": "token"}],
                403,
            )
        self.answer_uncached({"signups": waiting_signups(self.db)})


def signups_handlers() -> list[tuple[str, Any]]:
    return [(r"/api/galilean/signups", SignupsHandler)]
