"""The dashboard's data and actions: what runs now with its last day, the services'
health, the events, pins; stopping a workspace (blocking calls: handlers run them in a
thread)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from ..kit.errors import GalileanError
from ..storage import QUOTA_GROUP, parse_quota
from ..usage.store import PROFILE, QUOTA, STOPPED, UsageStore
from .config import ServiceConfig
from .hub_api import PROFILE_GROUP, HubApi, Workspace
from .remote import ai_usage, flows_overview, guarded

DAY = 24 * 3600.0


def check_health(urls: dict[str, str], timeout: float = 3.0) -> list[dict[str, Any]]:
    """Each service's health route: answered 200 (with how long it took) or why not."""
    found = []
    for name, url in sorted(urls.items()):
        began = time.monotonic()
        try:
            status = requests.get(url, timeout=timeout).status_code
            problem = "" if status == 200 else f"answered {status}"
        except requests.RequestException as error:
            problem = f"does not answer ({type(error).__name__})"
        found.append(
            {
                "name": name,
                "ok": not problem,
                "problem": problem,
                "ms": round((time.monotonic() - began) * 1000),
            }
        )
    return found


class UsageService:
    def __init__(
        self,
        config: ServiceConfig,
        store: UsageStore,
        hub: HubApi,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store
        self.hub = hub
        self.clock = clock

    def summary(self) -> dict[str, Any]:
        running = self.hub.running()
        latest = self.store.latest()
        series = self.store.series(self.clock() - DAY)
        pins = self.store.pinned()
        people = self.hub.people()
        storage = guarded(self.hub.storage, "the hub's storage", {})
        used = storage["data"]
        signups = guarded(self.hub.signups, "the hub's sign-ups", [])
        running_of: dict[str, int] = {}
        for w in running:
            running_of[w.user] = running_of.get(w.user, 0) + 1
        workspaces = []
        for w in sorted(running, key=lambda w: (w.user, w.server)):
            key = (w.user, w.server)
            now = latest.get(key) or {}
            workspaces.append(
                {
                    "user": w.user,
                    "server": w.server,
                    "ready": w.ready,
                    "profile": w.options.get("profile"),
                    "started": w.started,
                    "last_activity": w.last_activity,
                    "cpu": now.get("cpu"),
                    "cpu_limit": now.get("cpu_limit"),
                    "memory": now.get("memory"),
                    "memory_limit": now.get("memory_limit"),
                    "disk": now.get("disk"),
                    "measured_at": now.get("at"),
                    "series": [[at, cpu, memory] for at, cpu, memory in series.get(key, [])],
                    "pinned": key in pins,
                }
            )
        config = self.config
        ai = guarded(lambda: ai_usage(config.ai_url, config.token), "the AI gateway", [])
        flows = guarded(
            lambda: flows_overview(config.flows_url, config.token) if config.flows_url else None,
            "the flows service",
            None,
        )
        return {
            "ai": {**ai, "enabled": bool(config.ai_url), "days": 7},
            "flows": flows,
            "users": len(people),
            "admins": sum(1 for p in people if p.admin),
            "profiles": list(self.config.profiles),
            "people": [
                {
                    "name": p.name,
                    "admin": p.admin,
                    "running": running_of.get(p.name, 0),
                    "profile": next(
                        (
                            g.removeprefix(PROFILE_GROUP)
                            for g in p.groups
                            if g.startswith(PROFILE_GROUP)
                            and g.removeprefix(PROFILE_GROUP) in self.config.profiles
                        ),
                        "",
                    ),
                    "quota_set": next(
                        (
                            g.removeprefix(QUOTA_GROUP)
                            for g in p.groups
                            if g.startswith(QUOTA_GROUP)
                        ),
                        "",
                    ),
                    "storage": used.get(p.name),
                }
                for p in sorted(people, key=lambda p: p.name)
            ],
            "storage_problem": storage.get("problem", ""),
            "signups": signups["data"],
            "workspaces": workspaces,
            "services": check_health(self.config.health),
            "events": self.store.events(50),
            "pins": [
                {"user": u, "server": s, "by": p["by"], "at": p["at"]}
                for (u, s), p in sorted(pins.items())
            ],
        }

    def known(self, user: str, server: str) -> Workspace:
        """The running workspace, else 404 naming it."""
        for workspace in self.hub.running():
            if (workspace.user, workspace.server) == (user, server):
                return workspace
        raise GalileanError(f"no running workspace {user}/{server or '(home)'}", status=404)

    def pin(self, user: str, server: str, by: str) -> None:
        self.known(user, server)
        self.store.pin(user, server, by)

    def unpin(self, user: str, server: str) -> None:
        self.store.unpin(user, server)

    def assign_profile(self, user: str, profile: str, by: str) -> None:
        """The user's profile from now on ('': the hub's default). 400 naming the field for
        a profile this hub does not offer; 404 for no such user."""
        if not self.config.profiles:
            raise GalileanError("profile: this hub offers no profiles", [{"field": "profile"}])
        if profile and profile not in self.config.profiles:
            raise GalileanError(
                f"profile must be one of: {', '.join(self.config.profiles)} (or empty)",
                [{"field": "profile"}],
            )
        if user not in {p.name for p in self.hub.people()}:
            raise GalileanError(f"no user {user!r}", status=404)
        self.hub.assign_profile(user, profile, list(self.config.profiles))
        self.store.event(PROFILE, user, "", f"profile {profile or '(the default)'} by {by}")

    def assign_quota(self, user: str, size: str, by: str) -> None:
        """The user's storage quota from now on: a size (e.g. 20G), `none` (no quota) or ''
        (their groups' or the hub's again). 400 naming the field; 404 for no such user."""
        size = size.strip()
        try:
            parse_quota(size)
        except ValueError as error:
            raise GalileanError(
                f"quota must be a size such as 20G or 500M, 'none' or empty ({error})",
                [{"field": "quota"}],
            ) from None
        person = next((p for p in self.hub.people() if p.name == user), None)
        if person is None:
            raise GalileanError(f"no user {user!r}", status=404)
        self.hub.assign_quota(user, size, person.groups)
        self.store.event(QUOTA, user, "", f"storage quota {size or '(the default)'} by {by}")

    def stop(self, user: str, server: str, by: str) -> None:
        self.known(user, server)
        status = self.hub.stop(user, server)
        if status == 404:
            raise GalileanError(f"no running workspace {user}/{server or '(home)'}", status=404)
        if status not in (202, 204):
            raise GalileanError(f"the hub answered {status} to stopping it", status=502)
        self.store.event(STOPPED, user, server, f"by {by}")
