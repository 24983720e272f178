"""Storage quotas in the hub (galilean_services/storage.py says what counts and how much
each user may keep): measured here, in threads, kept a while, checked at every start.

    GET /hub/api/galilean/storage              your storage: used, quota, level, the
                                               largest parts, folders and files
                                               (custom:storage:read; JupyterLab's
                                               status bar asks through the server)
    GET /hub/api/galilean/storage?user=<name>  someone's (read:users: admins, the usage
                                               dashboard)
    GET /hub/api/galilean/storage/all          everyone's (read:users)

Neither filesystem lets the hub give one folder or one Docker volume a size limit, so
at 100% the start is refused (the pre-spawn hook, measuring afresh: a deletion counts at
once) with the largest folders and files named; running workspaces keep running, so the
user can delete from one. A shared workspace's token has none of its owner's custom
scopes (sharing.py): its guests do not see the owner's file names.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyterhub import orm
from jupyterhub.user import User
from tornado import web

from galilean_services.folders import expand
from galilean_services.kit.auth import Scopes
from galilean_services.kit.errors import GalileanError, NotFound
from galilean_services.storage import StorageUse, docker_use, embedded_use, user_quota

from .api_base import GalileanAPIHandler

SCOPES = Scopes("storage", {"read": "See how much of your storage quota your files use"})
READ = SCOPES.scope("read")
VOLUME_PREFIX = "galilean-{username}__"  # DockerSpawner's volume template, before the name


def docker_volume_sizes() -> dict[str, int]:
    """Every volume's size as the Docker engine counts it (it walks them all)."""
    import docker

    client = docker.from_env()
    try:
        usage = client.api.df().get("Volumes") or []
    finally:
        client.close()
    return {
        str(v["Name"]): int((v.get("UsageData") or {}).get("Size") or 0)
        for v in usage
        if int((v.get("UsageData") or {}).get("Size", -1)) >= 0
    }


class StorageMeter:
    """Measures users' storage (blocking: called in threads) and keeps each result for
    `max_age` seconds. `shared`: docker mode's folder template ({user}); `clock`: seconds."""

    def __init__(
        self,
        mode: str,
        users_root: Path,
        shared: str,
        default_quota: int | None,
        max_age: float,
        volumes: Callable[[], dict[str, int]] = docker_volume_sizes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.mode = mode
        self.users_root = users_root
        self.shared = shared
        self.default_quota = default_quota
        self.max_age = max_age
        self.volumes = volumes
        self.clock = clock
        self.known: dict[str, StorageUse] = {}

    def quota_of(self, user: Any) -> int | None:
        return user_quota(user.groups, self.default_quota)

    def measure(self, name: str, groups: list[Any], volume_prefix: str) -> StorageUse:
        """The user's storage now (blocking)."""
        quota = user_quota(groups, self.default_quota)
        if self.mode == "docker":
            shared = expand(self.shared, name) if self.shared else None
            parts, files, folders = docker_use(self.volumes(), volume_prefix, shared)
        else:
            parts, files, folders = embedded_use(self.users_root / name)
        use = StorageUse(name, sum(parts.values()), quota, parts, files, folders, self.clock())
        self.known[name] = use
        return use

    async def use_of(self, user: User, fresh: bool = False) -> StorageUse:
        """The user's storage, measured again when older than `max_age` (or `fresh`)."""
        known = self.known.get(user.name)
        quota = self.quota_of(user)
        recent = known is not None and self.clock() - known.at < self.max_age
        if known is not None and recent and not fresh and known.quota == quota:
            return known
        return await asyncio.to_thread(
            self.measure, user.name, list(user.groups), volume_prefix(user)
        )


def volume_prefix(user: User) -> str:
    """Docker mode: how the user's workspace volumes are named before the workspace's name
    (DockerSpawner escapes user names)."""
    namespace = getattr(user.spawner, "template_namespace", None)
    if namespace is None:
        return ""
    return VOLUME_PREFIX.format(**namespace())


class QuotaGate:
    """Spawner.pre_spawn_hook: refuses a start when the owner's storage has reached their
    quota (measured now), then runs the hook it wraps (the size, the shared folder)."""

    def __init__(self, meter: StorageMeter, then: Callable[[Any], None]) -> None:
        self.meter = meter
        self.then = then

    async def __call__(self, spawner: Any) -> None:
        if self.meter.quota_of(spawner.user) is not None:
            use = await self.meter.use_of(spawner.user, fresh=True)
            if use.level == "full":
                spawner.log.warning(
                    "%s not started: storage %d of %d bytes",
                    spawner._log_name,
                    use.used,
                    use.quota,
                )
                raise web.HTTPError(403, use.refusal())
        self.then(spawner)


class StorageHandler(GalileanAPIHandler):
    meter: StorageMeter

    def initialize(self, meter: StorageMeter) -> None:
        self.meter = meter

    def user_named(self, name: str) -> User:
        found = orm.User.find(self.db, name)
        if found is None:
            raise NotFound(f"no user {name!r}", [{"field": "user"}])
        return self.users[found]


class StorageOwnHandler(StorageHandler):
    async def get(self) -> None:
        name = self.get_argument("user", "")
        if name:
            if not self.reads_all_users():
                raise GalileanError(
                    "reading someone else's storage needs the scope read:users (admins)",
                    [{"field": "user"}],
                    403,
                )
            user = self.user_named(name)
        else:
            asking = self.current_user
            if not isinstance(asking, User):
                raise web.HTTPError(403, "storage belongs to users: ask as a user")
            if READ not in getattr(self, "expanded_scopes", set()):
                raise GalileanError(
                    f"reading your storage needs the scope {READ}: a shared workspace's "
                    "server has none of its owner's rights",
                    [{"field": "token"}],
                    403,
                )
            user = asking
        use = await self.meter.use_of(user)
        self.answer_uncached(use.summary())


class StorageAllHandler(StorageHandler):
    async def get(self) -> None:
        if not self.reads_all_users():
            raise GalileanError(
                "reading everyone's storage needs the scope read:users (admins)",
                [{"field": "token"}],
                403,
            )
        found = []
        for row in self.db.query(orm.User).order_by(orm.User.name):
            use = await self.meter.use_of(self.users[row])
            found.append(use.summary())
        self.answer_uncached({"users": found})


def storage_handlers(meter: StorageMeter) -> list[tuple[str, Any, dict[str, Any]]]:
    given = {"meter": meter}
    return [
        (r"/api/galilean/storage", StorageOwnHandler, given),
        (r"/api/galilean/storage/all", StorageAllHandler, given),
    ]
