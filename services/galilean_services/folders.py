"""Where a user's folder is: one rule for the hub, the services and the user's server.

"The user's folder" is the folder a user's files and named connections live in, shared by
all their workspaces and read by the services that act for them (a flow run uses its
owner's). Embedded mode: `<data folder>/users/<user>/home`, the default workspace's home
(named workspaces live in `<data folder>/users/<user>/workspaces/<name>`). Docker mode:
`GALILEAN_DOCKER_SHARED_DIR/<user>` on the host, mounted at `/home/jovyan/shared`.

Templates name the user with `{user}`, the only placeholder (GALILEAN_FLOWS_FILES_ROOT uses
it too). Names are checked to be one safe path segment before they become a folder. No web
framework here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

USER = "{user}"
# The variable a user's server reads its user's folder from (the spawners set it).
HOME_ENV = "GALILEAN_USER_HOME"
# Docker mode: where the user's folder is mounted in every workspace container.
SHARED_MOUNT = "/home/jovyan/shared"
# A user or workspace name as a folder: no '..', no hidden folder, nothing that leaves it.
SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class FolderError(ValueError):
    """A user or workspace name that cannot be turned into a folder."""


def check_segment(label: str, value: str) -> str:
    """`value`, when it is one safe path segment; FolderError naming `label` otherwise."""
    if not SAFE_SEGMENT.match(value):
        raise FolderError(
            f"{label} {value!r} must start with a letter or digit and use only "
            "letters, digits, '.', '_' and '-'"
        )
    return value


def users_root(data: Path) -> Path:
    """Embedded mode: the folder holding one folder per user."""
    return data / "users"


def workspace_folder(root: Path, username: str, server_name: str) -> Path:
    """Embedded mode: the folder of one workspace under `root` (users_root): `<user>/home`
    for the default server, `<user>/workspaces/<name>` for a named one."""
    user_dir = root / check_segment("user name", username)
    if server_name:
        return user_dir / "workspaces" / check_segment("workspace name", server_name)
    return user_dir / "home"


def embedded_template(data: Path) -> str:
    """Embedded mode: the user's folder, as a template."""
    return str(users_root(data) / USER / "home")


def shared_template(shared_dir: str) -> str:
    """Docker mode: the user's folder on the Docker host, as a template."""
    return f"{shared_dir.rstrip('/')}/{USER}"


def user_template(mode: str, data: Path, shared_dir: str) -> str:
    """The user's folder in `mode`, as a template with {user} in it."""
    return embedded_template(data) if mode == "embedded" else shared_template(shared_dir)


def expand(template: str, username: str) -> Path:
    """The folder `template` names for `username` (checked to be a safe segment)."""
    return Path(template.replace(USER, check_segment("user name", username)))


def owner_folder(template: str, username: str) -> Path:
    """The owner's folder `template` names, made (0700) if missing: where a service's work
    for them reads and writes."""
    folder = expand(template, username)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def user_home(environ: Mapping[str, str] | None = None) -> Path:
    """In a user's server or kernel: the user's folder, whichever workspace this is (the
    spawner says where; outside a spawned server, the account's home)."""
    env = os.environ if environ is None else environ
    return Path(env.get(HOME_ENV) or Path.home())
