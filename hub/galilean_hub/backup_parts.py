"""What a backup of this installation holds, read from its settings: the databases (the
hub's and each service's), the users' folders, MLflow's artifacts, and — only when asked
— the secrets that are files (the cookie secret, the vault's key, `stack.env`).

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

Kind = Literal["sqlite", "postgres", "folder", "file"]
RESTORED_ENV = "stack.env.from-backup"


class BackupError(RuntimeError):
    """A backup or a restore that cannot go on; the message says what to do."""


@dataclass(frozen=True)
class Part:
    """One thing a backup holds: `name` is its place in the archive (and its key in the
    manifest), `path` where it is on this machine."""

    name: str
    kind: Kind
    path: Path
    secret: bool = False
    url: str = ""  # a database server's (kind "postgres")


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
    if settings.mode != "embedded":
        raise BackupError(
            "backups of docker mode (PostgreSQL, users' volumes) are not made by this command "
            "yet: GALILEAN_MODE=docker"
        )
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
                parts.append(
                    Part(f"databases/{name}.pgdump", "postgres", data / f"{name}.pgdump", url=url)
                )
        else:
            raise BackupError(
                f"the {role} database is neither SQLite nor PostgreSQL ({url.split(':', 1)[0]})"
            )
    parts.append(Part("files/users", "folder", folders.users_root(data)))
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


def pid_running(pid_file: Path) -> int | None:
    """The hub's pid when its pid file names a live process."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if Path(f"/proc/{pid}").exists() else None
