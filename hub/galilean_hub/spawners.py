"""Spawners: where each user's workspaces (named servers) live and how they start."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode, default

from .limits import apply_group_limits

# A workspace folder name: no '..', no hidden folder, nothing that leaves the user's folder.
SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class WorkspaceError(ValueError):
    """A workspace name that cannot be turned into a folder."""


def workspace_folder(users_root: Path, username: str, server_name: str) -> Path:
    """The folder of one workspace: `<user>/home` for the default server,
    `<user>/workspaces/<name>` for a named one. Names that could escape are refused."""
    for label, value in (("user name", username), ("workspace name", server_name)):
        if value and not SAFE_SEGMENT.match(value):
            raise WorkspaceError(
                f"{label} {value!r} must start with a letter or digit and use only "
                "letters, digits, '.', '_' and '-'"
            )
    user_dir = users_root / username
    return user_dir / "workspaces" / server_name if server_name else user_dir / "home"


# Docker mode: the user's folder shared by all their workspaces and the flows service.
SHARED_MOUNT = "/home/jovyan/shared"
NOTEBOOK_UID = 1000  # jovyan in images/notebook


def shared_folder(root: Path, username: str) -> Path:
    """The user's folder under GALILEAN_DOCKER_SHARED_DIR, made if missing and given to
    the notebook image's user (the flows service, as root, may have made it first)."""
    folder = workspace_folder(root, username, "").parent  # refuses names that could escape
    folder.mkdir(parents=True, exist_ok=True)
    os.chown(folder, NOTEBOOK_UID, NOTEBOOK_UID)
    folder.chmod(0o700)
    return folder


def docker_pre_spawn(shared_root: Path, spawner: Any) -> None:
    """DockerSpawner.pre_spawn_hook: group limits, and the user's shared folder ready."""
    apply_group_limits(spawner)
    shared_folder(shared_root, spawner.user.name)


class WorkspaceProcessSpawner(SimpleLocalProcessSpawner):
    """Embedded mode: one local process per workspace, each in its own folder.

    Every user runs under the hub's OS account: this isolates files per workspace for
    JupyterLab, not against code the user runs. Docker mode is the one that isolates users.
    """

    users_root = Unicode(
        config=True, help="Folder holding one sub-folder per user (and per workspace)."
    )

    @default("home_dir")
    def _default_home_dir(self) -> str:
        return str(workspace_folder(Path(self.users_root), self.user.name, self.name))

    @default("notebook_dir")
    def _default_notebook_dir(self) -> str:
        return self.home_dir

    def get_env(self) -> dict[str, str]:
        env: dict[str, str] = super().get_env()
        # The user's own folder, whichever workspace this is: named SQL connections live
        # there, shared by all the user's workspaces.
        env["GALILEAN_USER_HOME"] = str(workspace_folder(Path(self.users_root), self.user.name, ""))
        return env

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        """Create the workspace folder; the user's folder is private (0700), so that
        sandboxed code (the flow engine's Python transforms run as `nobody`) cannot read
        it."""
        home = Path(self.home_dir)
        user_dir = Path(self.users_root) / self.user.name
        create = super().make_preexec_fn(name)

        def preexec() -> None:
            user_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            user_dir.chmod(0o700)
            create()
            home.mkdir(parents=True, exist_ok=True)

        return preexec
