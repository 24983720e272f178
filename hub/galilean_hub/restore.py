"""Put a backup archive (backup.py) back, onto this machine's settings.

Nothing is touched until the whole archive has been read and every file matched its
SHA-256 in the manifest. The hub must be stopped. Parts are restored where this
machine's settings put them; a part that already has data here is refused unless
`--force`, and then moved aside (`<name>.before-restore-<time>`), never deleted.
Members are extracted with tarfile's "data" filter (no absolute paths, no `..`, no links
out of the folder, no devices) into a folder beside the data, then moved into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .backup import CHUNK, FORMAT, MANIFEST
from .backup_parts import (
    RESTORED_ENV,
    BackupError,
    Part,
    backup_parts,
    env_file,
    pid_running,
)
from .settings import load_settings


def read_manifest(tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
    except KeyError:
        raise BackupError(f"{archive.name}: no {MANIFEST}, not a Galilean backup") from None
    if member is None:
        raise BackupError(f"{archive.name}: {MANIFEST} is not a file")
    try:
        manifest = json.loads(member.read())
    except ValueError as exc:
        raise BackupError(f"{archive.name}: {MANIFEST} is not JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive.name}: a backup of format {FORMAT} is expected")
    return manifest


def verify(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """Every file of the manifest is there with its checksum, and nothing else is."""
    expected: dict[str, Any] = manifest.get("files") or {}
    parts = [str(p["name"]) for p in manifest.get("parts") or []]
    seen: set[str] = set()
    for member in tar:
        name = member.name
        if name == MANIFEST:
            continue
        if not any(name == p or name.startswith(f"{p}/") for p in parts):
            raise BackupError(f"{name}: not in any part the manifest names")
        if not member.isfile():
            continue
        want = expected.get(name)
        if want is None:
            raise BackupError(f"{name}: not in the manifest")
        source = tar.extractfile(member)
        assert source is not None
        sha = hashlib.sha256()
        while chunk := source.read(CHUNK):
            sha.update(chunk)
        if sha.hexdigest() != want.get("sha256"):
            raise BackupError(f"{name}: its checksum does not match: the archive is damaged")
        seen.add(name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{missing[0]} (and {len(missing) - 1} more): missing from the archive")


def checked(member: tarfile.TarInfo, dest: str, skipped: list[str]) -> tarfile.TarInfo | None:
    """tarfile's "data" filter; a link out of the restored folders is skipped and named
    (a user's link to /some/data), anything else it refuses stops the restore."""
    try:
        return tarfile.data_filter(member, dest)
    except (tarfile.AbsoluteLinkError, tarfile.LinkOutsideDestinationError):
        skipped.append(member.name)
        return None
    except tarfile.FilterError as exc:
        raise BackupError(f"{member.name}: {exc}") from None


def in_use(part: Part) -> bool:
    if part.kind == "postgres":
        from .backup_postgres import has_tables

        return has_tables(part.url)
    return has_data(part.path)


def shown(part: Part) -> str:
    if part.kind == "postgres":
        from .backup_postgres import database_name

        return f"database {database_name(part.url)!r}"
    return str(part.path)


def restore_database(part: Part, staging: Path, stamp: str, in_use: bool) -> Iterator[str]:
    """A PostgreSQL database from its dump; one with tables is dumped aside first (beside
    the data, `<name>.before-restore-<time>.pgdump`), so nothing is lost."""
    from .backup_postgres import dump, restore

    if in_use:
        aside = part.path.with_name(f"{part.path.stem}.before-restore-{stamp}.pgdump")
        dump(part.url, aside)
        aside.chmod(0o600)
        yield f"dumped aside: {shown(part)} -> {aside}"
    restore(part.url, staging / part.name)
    yield f"restored: {part.name} -> {shown(part)}"


def has_data(path: Path) -> bool:
    return path.is_file() or (path.is_dir() and any(path.iterdir()))


def restore(archive: Path, force: bool = False) -> Iterator[str]:
    """Restore `archive`; yields what it did, line by line."""
    settings, _ = load_settings()
    data = settings.data_path
    running = pid_running(data / "jupyterhub.pid")
    if running:
        raise BackupError(f"the hub runs (pid {running}): stop it before a restore")
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    with tarfile.open(archive, "r:gz") as tar:
        manifest = read_manifest(tar, archive)
        verify(tar, manifest)
        targets = {p.name: p for p in backup_parts(settings, restoring=True)}
        chosen = []
        for kept in manifest.get("parts") or []:
            part = targets.get(str(kept["name"]))
            if part is None:
                raise BackupError(f"{kept['name']}: this installation has no such part")
            chosen.append(part)
        busy = [p for p in chosen if in_use(p)]
        if busy and not force:
            where = ", ".join(shown(p) for p in busy)
            raise BackupError(f"these have data already: {where} (--force moves them aside)")
        data.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        staging = data / f".restore-{stamp}"
        staging.mkdir(mode=0o700)
        try:
            skipped: list[str] = []
            # S202: every member goes through `checked` (tarfile's "data" filter).
            tar.extractall(staging, filter=lambda m, d: checked(m, d, skipped))  # noqa: S202
            for name in skipped:
                yield f"not restored: {name}, a link to a place outside the backup"
            for part in chosen:
                if part.kind == "postgres":
                    yield from restore_database(part, staging, stamp, part in busy)
                    continue
                if has_data(part.path) or part.path.is_symlink():
                    aside = part.path.with_name(f"{part.path.name}.before-restore-{stamp}")
                    part.path.rename(aside)
                    yield f"moved aside: {part.path} -> {aside}"
                elif part.path.is_dir():
                    part.path.rmdir()  # empty
                part.path.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(staging / part.name, part.path)
                if part.kind != "folder":
                    part.path.chmod(0o600)
                yield f"restored: {part.name} -> {part.path}"
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if "secrets/stack.env" in {p.name for p in chosen}:
        yield (
            f"the archive's stack.env is {env_file().with_name(RESTORED_ENV)}: compare it with "
            "yours and use it in its place if this machine should run as the old one did"
        )
    keyless = not settings.vault_key.strip() and not (data / "vault.key").is_file()
    if keyless:
        yield (
            "the vault's secrets need the key they were encrypted with: put that vault.key "
            f"in {data} or set GALILEAN_VAULT_KEY before starting the hub"
        )
    yield f"done: start the hub (restored from {os.path.basename(archive)})"
