"""The secret scan (issue 17): every secret value a test gives Galilean (a vault value, the
admin's model key, a database password taken from a secret) is remembered here, and when
the shared lab hub stops, everything it wrote (its log, its services' logs and databases,
the users' notebooks, run records, files) is searched for each value: responses, logs,
error bodies, run outputs and notebook files must never carry one. 0 hits is the only pass.

Where a value may rightly sit is not searched (ALLOWED): the services' secrets files the hub
writes for them (0600, kit/service_secrets.py: the admin's model key is there, as in
stack.env). Everywhere else, the vault keeps ciphertext only."""

from __future__ import annotations

from pathlib import Path

MAX_BYTES = 64 * 2**20  # a larger file (a dataset's data) is not something Galilean wrote
ALLOWED = ("var/services/",)  # relative to the hub's folder

_remembered: set[str] = set()


def remember(*values: str) -> None:
    """Values no file, log or answer may hold (at least 8 characters: a shorter one would
    match by chance)."""
    for value in values:
        assert len(value) >= 8, "a secret to scan for has at least 8 characters"
        _remembered.add(value)


def remembered() -> frozenset[str]:
    return frozenset(_remembered)


def hits(folder: Path, values: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """(file, which value) for every file under `folder` holding one of `values` (default:
    all remembered), as text or inside a binary (a database's pages)."""
    wanted = [(v, v.encode()) for v in (remembered() if values is None else values)]
    found: list[tuple[str, str]] = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if path.relative_to(folder).as_posix().startswith(ALLOWED):
            continue
        try:
            if path.stat().st_size > MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:  # gone meanwhile, or a socket
            continue
        for value, raw in wanted:
            if raw in data:
                found.append((str(path.relative_to(folder)), f"{value[:3]}…"))
    return found
