"""Where a user's datasets live: one store per dataset at `.galilean/datasets/<name>` in
the owner's folder (the datasets service makes them there; a flow run or a notebook, as
the owner, finds them the same way), and which driver a store is."""

from __future__ import annotations

import re
from pathlib import Path

from .model import Invalid, NotFound

STORES = Path(".galilean") / "datasets"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def store_of(home: Path, name: str, field: str = "dataset") -> Path:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise Invalid(
            f"{name!r} is not a dataset name (lower-case letters, digits, - and _)", field=field
        )
    return home / STORES / name


def driver_of(store: Path, field: str = "dataset") -> str:
    """`tables` (a DuckLake catalog) or `files` (a content-addressed store); NotFound for
    a dataset that has no store yet (never snapshotted) or does not exist."""
    if (store / "catalog.sqlite").is_file():
        return "tables"
    if (store / "refs.json").is_file():
        return "files"
    raise NotFound(f"no dataset {store.name!r} with a snapshot in your folder", field=field)
