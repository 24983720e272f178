"""The hub's REST API as the usage service uses it (its own token: list users, read their
servers with their spawners' state, stop servers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from ..storage import QUOTA_GROUP, QUOTA_KEY, quota_group

PAGE = 200


@dataclass(frozen=True)
class Workspace:
    user: str
    server: str
    ready: bool
    state: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    started: str | None = None
    last_activity: str | None = None


@dataclass(frozen=True)
class Person:
    name: str
    admin: bool
    groups: tuple[str, ...]


QUOTA_PATH = "/galilean/storage/all"  # everyone's storage (galilean_hub/storage_quota.py)
SIGNUPS_PATH = "/galilean/signups"  # sign-ups waiting for approval (galilean_hub/signups_api.py)
PROFILE_GROUP = "galilean-profile-"  # + a profile's name: its members' default profile
DEFAULT_KEY = "galilean.default_profile"  # the hub's profiles.py reads it


class HubApi:
    def __init__(self, url: str, token: str, timeout: float = 10) -> None:
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"token {token}"}
        self.timeout = timeout

    def _users(self, state: str = "") -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            params: dict[str, Any] = {"limit": PAGE, "offset": offset}
            if state:
                params["state"] = state
            reply = requests.get(
                f"{self.url}/users", params=params, headers=self.headers, timeout=self.timeout
            )
            reply.raise_for_status()
            page = reply.json()
            found += page
            if len(page) < PAGE:
                return found
            offset += PAGE

    def running(self) -> list[Workspace]:
        """Every workspace that is running or starting, with its spawner's state."""
        workspaces = []
        for user in self._users("active"):
            for name, server in (user.get("servers") or {}).items():
                workspaces.append(
                    Workspace(
                        user=str(user["name"]),
                        server=str(name),
                        ready=bool(server.get("ready")),
                        state=dict(server.get("state") or {}),
                        options=dict(server.get("user_options") or {}),
                        started=server.get("started"),
                        last_activity=server.get("last_activity"),
                    )
                )
        return workspaces

    def people(self) -> list[Person]:
        return [
            Person(str(u["name"]), bool(u.get("admin")), tuple(u.get("groups") or ()))
            for u in self._users()
        ]

    def _call(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = ()) -> int:
        reply = requests.request(
            method, f"{self.url}{path}", json=body, headers=self.headers, timeout=self.timeout
        )
        if reply.status_code not in (200, 201, 204, *ok):
            reply.raise_for_status()
        return reply.status_code

    def assign_profile(self, user: str, profile: str, profiles: list[str]) -> None:
        """Make `profile` the user's (its group, made if missing), out of the other
        profiles' groups; '' leaves them all (the hub's default again)."""
        for other in profiles:
            if other != profile:
                group = quote(PROFILE_GROUP + other, safe="")
                self._call("DELETE", f"/groups/{group}/users", {"users": [user]}, ok=(404,))
        if not profile:
            return
        group = quote(PROFILE_GROUP + profile, safe="")
        self._call("POST", f"/groups/{group}", {}, ok=(409,))
        self._call("PUT", f"/groups/{group}/properties", {DEFAULT_KEY: profile})
        self._call("POST", f"/groups/{group}/users", {"users": [user]})

    def storage(self) -> dict[str, dict[str, Any]]:
        """Each user's storage against their quota, as the hub measures it."""
        reply = requests.get(f"{self.url}{QUOTA_PATH}", headers=self.headers, timeout=60)
        reply.raise_for_status()
        return {str(u["user"]): dict(u) for u in reply.json()["users"]}

    def signups(self) -> list[dict[str, str]]:
        """The sign-ups waiting for an admin's approval: name and e-mail, by name."""
        reply = requests.get(f"{self.url}{SIGNUPS_PATH}", headers=self.headers, timeout=30)
        reply.raise_for_status()
        return [{"name": str(s["name"]), "email": str(s["email"])} for s in reply.json()["signups"]]

    def assign_quota(self, user: str, size: str, groups: tuple[str, ...]) -> None:
        """Give `user` the quota `size` (its group, made if missing), out of their other
        quota groups; '' leaves them all (their groups' or the hub's quota again)."""
        target = quota_group(size) if size else ""
        for other in groups:
            if other.startswith(QUOTA_GROUP) and other != target:
                group = quote(other, safe="")
                self._call("DELETE", f"/groups/{group}/users", {"users": [user]}, ok=(404,))
        if not target:
            return
        group = quote(target, safe="")
        self._call("POST", f"/groups/{group}", {}, ok=(409,))
        self._call("PUT", f"/groups/{group}/properties", {QUOTA_KEY: size.strip()})
        self._call("POST", f"/groups/{group}/users", {"users": [user]})

    def stop(self, user: str, server: str) -> int:
        """Ask the hub to stop a workspace; its answer's status (404: no such one)."""
        path = f"/users/{quote(user, safe='')}/"
        path += f"servers/{quote(server, safe='')}" if server else "server"
        reply = requests.delete(f"{self.url}{path}", headers=self.headers, timeout=self.timeout)
        return reply.status_code
