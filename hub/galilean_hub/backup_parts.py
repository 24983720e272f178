"""What a backup of this installation holds, read from its settings: the databases (the
hub's and each service's), the users' folders (docker mode: their shared folders and
their workspaces' volumes), MLflow's artifacts, and — only when asked — the secrets that
are files (the cookie secret, the vault's key, `stack.env`).

The same function names the targets of a restore on another machine: an archive's part
is restored to where *that* machine's settings put it, so a new data folder works.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url

from galilean_services import folders

from .settings import Settings

Kind = Literal["sqlite", "postgres", "folder", "file", "volume"]
VOLUMES = "volumes/"  # a Docker volume's part: volumes/<its name>
RESTORED_ENV = "stack.env.from-backup"


class BackupError(RuntimeError):
    """A backup or a restore that cannot go on; the message says what to do."""


@dataclass(frozen=True)
class Part:
    """One thing a backup holds: `name` is its place in the archive (and its key in the
    manifest), `path` where it is on this machine (a volume: its name)."""

    name: str
    kind: Kind
    path: Path
    secret: bool = False
    url: str = ""  # a database server's (kind "postgres")
    image: str = ""  # the helper containers' image (kind "volume")
    container: str = ""  # where pg_dump / pg_restore run (kind "postgres"; "": here)


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///…` URL; None for a server's URL."""
    prefix = "sqlite:///"
    return Path(url[len(prefix) :]) if url.startswith(prefix) else None


def database_urls(settings: Settings) -> dict[str, str]:
    """Each database by role (hub, flows, datasets, ai, mlflow): the URL it uses."""
    data = settings.data_path
    hub = settings.db_url or f"sqlite:///{data / 'jupyterhub.sqlite'}"
    return {
        "hub": hub,
        "flows": settings.database_url(settings.db_url, data),
        "datasets": settings.datasets_database_url(settings.db_url, data),
        "ai": settings.ai_database_url(settings.db_url, data),
        "mlflow": settings.mlflow_database_url(settings.db_url, data),
        "usage": settings.usage_database_url(settings.db_url, data),
    }


def postgres_database(url: str) -> str:
    """The database a PostgreSQL URL names (libpq's default: the user's name)."""
    parsed = make_url(url)
    name = str(parsed.database or parsed.username or "postgres")
    if not name.replace("_", "").replace("-", "").isalnum():
        raise BackupError(f"a PostgreSQL database named {name!r}: letters, digits, _ and - only")
    return name


def env_file() -> Path:
    return Path(os.environ.get("GALILEAN_ENV_FILE", "stack.env")).absolute()


def backup_parts(settings: Settings, restoring: bool = False) -> list[Part]:
    """The parts of this installation, in the order they are written. `restoring`: where
    a restore puts them (stack.env goes beside the one in use, for the admin to compare)."""
    parts: list[Part] = []
    data = settings.data_path
    servers: dict[str, tuple[object, ...]] = {}  # a PostgreSQL part's name: its server and db
    for role, url in database_urls(settings).items():
        path = sqlite_path(url)
        if path is not None:
            parts.append(Part(f"databases/{role}.sqlite", "sqlite", path))
        elif url.startswith("postgresql"):
            parsed = make_url(url)
            name = postgres_database(url)
            where = (parsed.host, parsed.port, name)
            known = servers.setdefault(name, where)
            if known != where:
                raise BackupError(
                    f"two PostgreSQL databases named {name!r} on different servers: give the "
                    f"{role} database another name"
                )
            if all(p.name != f"databases/{name}.pgdump" for p in parts):  # shared by services
                dumped = data / f"{name}.pgdump"
                container = settings.backup_db_container if settings.mode == "docker" else ""
                parts.append(
                    Part(
                        f"databases/{name}.pgdump", "postgres", dumped, url=url, container=container
                    )
                )
        else:
            raise BackupError(
                f"the {role} database is neither SQLite nor PostgreSQL ({url.split(':', 1)[0]})"
            )
    parts.append(Part("files/users", "folder", folders.users_root(data)))
    if settings.mode == "docker":
        parts.append(Part("files/shared", "folder", Path(settings.docker_shared_dir)))
        if not restoring:  # a restore makes the archive's volumes (volume_part)
            from .backup_volumes import users_volumes

            parts += [volume_part(settings, f"{VOLUMES}{name}") for name in users_volumes()]
    artifacts = settings.mlflow_artifacts_path(data)
    if "://" not in artifacts:  # an s3:// store is backed up where it lives
        parts.append(Part("files/mlflow-artifacts", "folder", Path(artifacts)))
    for name, path in (
        ("jupyterhub_cookie_secret", data / "jupyterhub_cookie_secret"),
        ("vault.key", data / "vault.key"),
        ("stack.env", env_file().with_name(RESTORED_ENV) if restoring else env_file()),
    ):
        parts.append(Part(f"secrets/{name}", "file", path, secret=True))
    return parts


def volume_part(settings: Settings, name: str) -> Part:
    """A user's workspace volume (docker mode), by its part's name."""
    from .backup_volumes import USERS_VOLUME

    volume = name.removeprefix(VOLUMES)
    if settings.mode != "docker" or not USERS_VOLUME.match(volume):
        raise BackupError(f"{name}: this installation has no such part")
    return Part(name, "volume", Path(volume), image=settings.docker_image)


def pid_running(pid_file: Path) -> int | None:
    """The hub's pid when its pid file names a live JupyterHub (not a number a stale file
    shares with another process: in a new container every process's number is small)."""
    try:
        pid = int(pid_file.read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if pid != os.getpid() and b"jupyterhub" in command else None
