"""A hub service's secret settings travel in a file, not in its environment declaration.

JupyterHub keeps each managed service's `environment` in its database (the `services`
table, in clear): a database URL's password, the AI providers' keys and the admin's
connections would sit there and in every copy of the database. So the hub writes the
secret variables of a service to `<data>/services/<name>.json` (0600, in a 0700 folder,
replaced atomically at each hub start) and declares only its path (`VARIABLE`); the
service loads it into its own environment before reading its settings (launch.py).

Which variables are secret: database URLs, keys, tokens, secrets and passwords by their
names, and the admin's connections (their URLs carry passwords).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, MutableMapping
from pathlib import Path

VARIABLE = "GALILEAN_SERVICE_SECRETS"
SECRET_NAME = re.compile(
    r"(_DB_URL|_KEY|_TOKEN|_SECRET|_PASSWORD)$|^GALILEAN_CONNECTION_", re.IGNORECASE
)


def is_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def split(environment: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(what may be declared, what must travel in the file)."""
    public = {k: v for k, v in environment.items() if not is_secret(k)}
    secret = {k: v for k, v in environment.items() if is_secret(k)}
    return public, secret


def write(folder: Path, service: str, values: Mapping[str, str]) -> Path:
    """The service's secrets file, written atomically (0600 in a 0700 folder)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    target = folder / f"{service}.json"
    fd, partial = tempfile.mkstemp(dir=folder, prefix=f".{service}-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(dict(values), out)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return target


def load(environ: MutableMapping[str, str] | None = None) -> int:
    """Put the secrets file's variables (named by VARIABLE) into `environ`; how many."""
    environ = os.environ if environ is None else environ
    path = environ.get(VARIABLE, "")
    if not path:
        return 0
    try:
        values = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise RuntimeError(
            f"{VARIABLE}: the service's secrets file cannot be read ({type(exc).__name__}); "
            "restart Galilean so the hub writes it again"
        ) from None
    loaded = {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}
    environ.update(loaded)
    return len(loaded)
