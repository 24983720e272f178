"""What a restore checks before it touches anything: the archive's manifest, every file's
SHA-256, and that every member is of the shape Galilean's backups write — a database or
a secret is exactly one regular file; a folder holds folders, files and symbolic links
only (no hard links, no devices), a Docker volume also hard links within itself; no name
is absolute or goes up with `..`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from .backup import CHUNK, FORMAT, MANIFEST
from .backup_parts import BackupError
from .tar_compat import tarfile


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


def part_kinds(manifest: dict[str, Any]) -> dict[str, str]:
    return {str(p["name"]): str(p["kind"]) for p in manifest.get("parts") or []}


def part_of(name: str, parts: Iterable[str]) -> str | None:
    """The part (by name) a member belongs to."""
    return next((p for p in parts if name == p or name.startswith(f"{p}/")), None)


def check_shape(member: tarfile.TarInfo, kinds: dict[str, str]) -> None:
    name = member.name
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"{name}: a name outside the backup's folders")
    part = part_of(name, kinds)
    if part is None:
        raise BackupError(f"{name}: not in any part the manifest names")
    if kinds[part] not in ("folder", "volume"):
        if name != part or not member.isfile():
            raise BackupError(f"{name}: {part} must be one regular file")
    elif kinds[part] == "volume" and member.islnk():
        if part_of(member.linkname, [part]) != part or ".." in PurePosixPath(member.linkname).parts:
            raise BackupError(f"{name}: a hard link out of its volume")
    elif not (member.isfile() or member.isdir() or member.issym()):
        raise BackupError(f"{name}: a hard link or a device (Galilean's backups hold none)")


def verify(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """Every file of the manifest is there with its checksum, every member has the shape
    of its part, and nothing else is there."""
    expected: dict[str, Any] = manifest.get("files") or {}
    kinds = part_kinds(manifest)
    seen: set[str] = set()
    for member in tar:
        if member.name == MANIFEST:
            continue
        check_shape(member, kinds)
        if not member.isfile():
            continue
        want = expected.get(member.name)
        if want is None or member.name in seen:
            raise BackupError(f"{member.name}: not in the manifest, or twice in the archive")
        source = tar.extractfile(member)
        assert source is not None
        sha = hashlib.sha256()
        while chunk := source.read(CHUNK):
            sha.update(chunk)
        if sha.hexdigest() != want.get("sha256"):
            raise BackupError(f"{member.name}: its checksum does not match: the archive is damaged")
        seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{missing[0]} (and {len(missing) - 1} more): missing from the archive")
