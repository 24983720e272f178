"""Spawners: where each user's workspaces (named servers) live and how they start."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode, default

from galilean_services.folders import (
    HOME_ENV,
    SHARED_MOUNT,
    expand,
    workspace_folder,
)

from .cgroups import Cgroups, group_name, hub_key, join, kill_members, remove
from .limits import ServerSizer
from .server_ready import answers
from .sharing import started_shared, with_shared_args

NOTEBOOK_UID = 1000  # jovyan in images/notebook


def shared_folder(template: str, username: str) -> Path:
    """Docker mode: the user's folder on the host (`template`: folders.shared_template),
    made if missing and given to the notebook image's user (the flows service, as root,
    may have made it first)."""
    folder = expand(template, username)  # refuses names that could escape
    folder.mkdir(parents=True, exist_ok=True)
    os.chown(folder, NOTEBOOK_UID, NOTEBOOK_UID)
    folder.chmod(0o700)
    return folder


def docker_pre_spawn(template: str, sizer: ServerSizer, spawner: Any) -> None:
    """DockerSpawner.pre_spawn_hook: the size (limits.py), and the user's folder (on the host:
    `template`, by the user's own name) ready and mounted at SHARED_MOUNT. By the raw name:
    the flows service finds it by that name (escaped, `bob.x` would be `bob-2ex`, which
    another user could sign up as)."""
    sizer(spawner)
    # The spawner is kept between starts: the folder a private start mounted goes first.
    spawner.volumes = {
        source: target for source, target in spawner.volumes.items() if target != SHARED_MOUNT
    }
    if started_shared(spawner):  # guests run code there: not the user's folder (sharing.py)
        return
    folder = shared_folder(template, spawner.user.name)
    spawner.volumes = {**spawner.volumes, str(folder): SHARED_MOUNT}


@functools.cache
def host_cgroups() -> tuple[Cgroups | None, str]:
    """Where this hub can make workspaces' control groups (probed once, when a workspace
    first has a limit), or why it cannot."""
    return Cgroups.probe()


class WorkspaceProcessSpawner(SimpleLocalProcessSpawner):
    """Embedded mode: one local process per workspace, each in its own folder.

    Every user runs under the hub's OS account: this isolates files per workspace for
    JupyterLab, not against code the user runs. Docker mode is the one that isolates users.
    A workspace's memory and CPU limits (limits.py) are enforced by a control group of its
    own where the host allows (cgroups.py); where it does not, they are dropped (logged), so
    that JupyterLab shows no limit that is not there.
    """

    _cgroups: tuple[Path, ...] = ()

    users_root = Unicode(
        config=True, help="Folder holding one sub-folder per user (and per workspace)."
    )

    @default("home_dir")
    def _default_home_dir(self) -> str:
        return str(workspace_folder(Path(self.users_root), self.user.name, self.name))

    @default("notebook_dir")
    def _default_notebook_dir(self) -> str:
        return self.home_dir

    async def start(self) -> tuple[str, int]:
        """Start the process and return once it answers (server_ready.py): the hub's own
        check then finds it up at once instead of seconds later."""
        self._cgroups = self.confinement()
        ip, port = await super().start()
        base = self.server.base_url if self.server is not None else "/"
        await answers(f"http://{ip}:{port}{base}api", self.http_timeout, self.poll)
        return ip, port

    def confinement(self) -> tuple[Path, ...]:
        """The control groups this start joins, made with its limits (none without)."""
        limits: Any = self  # the limits' traits are untyped in jupyterhub
        mem: int | None = limits.mem_limit
        cpu: float | None = limits.cpu_limit
        if not (mem or cpu):
            return ()
        cgroups, why = host_cgroups()
        if cgroups is None:
            self.log.warning("%s: memory and CPU limits not enforced: %s", self._log_name, why)
            limits.mem_limit = limits.cpu_limit = None  # JupyterLab shows no limit
            return ()
        name = group_name(hub_key(self.users_root), self.user.name, self.name)
        return tuple(cgroups.make(name, mem, cpu))

    async def stop(self, now: bool = False) -> None:
        """Stop the server, then whatever it left in its control groups, and remove them."""
        await super().stop(now=now)
        groups, self._cgroups = list(self._cgroups), ()
        if not groups:
            return
        kill_members(groups)
        problems: list[str] = []
        for _ in range(100):  # killed processes leave their group as they exit
            problems = remove(groups)
            if not problems:
                return
            await asyncio.sleep(0.05)
        self.log.warning("%s: control groups left: %s", self._log_name, "; ".join(problems))

    def get_args(self) -> list[str]:
        return with_shared_args(self, list(super().get_args()))

    def get_env(self) -> dict[str, str]:
        env: dict[str, str] = super().get_env()
        # The user's own folder, whichever workspace this is: named SQL connections live
        # there, shared by all the user's workspaces. A shared workspace has its own.
        owner = "" if not started_shared(self) else self.name
        env[HOME_ENV] = str(workspace_folder(Path(self.users_root), self.user.name, owner))
        return env

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        """Create the workspace folder; the user's folder is private (0700), so that
        sandboxed code (the flow engine's Python transforms run as `nobody`) cannot read
        it."""
        home = Path(self.home_dir)
        user_dir = Path(self.users_root) / self.user.name
        create = super().make_preexec_fn(name)
        groups = list(self._cgroups)

        def preexec() -> None:
            join(groups)  # before anything runs: its limits hold for all it starts
            user_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            user_dir.chmod(0o700)
            create()
            home.mkdir(parents=True, exist_ok=True)

        return preexec
