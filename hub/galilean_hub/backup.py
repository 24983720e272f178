"""`make backup` / `make restore`: one dated archive of an installation, and back.

    python -m galilean_hub.backup create [--to FOLDER] [--with-secrets]
    python -m galilean_hub.backup restore ARCHIVE [--force]

An archive (`galilean-backup-<UTC time>.tar.gz`) holds the parts `backup_parts` names:
each SQLite database copied with SQLite's own backup API (a consistent copy while the hub
runs), the users' folders and MLflow's artifacts as files, docker mode's users' volumes
through the Docker API (backup_volumes.py), the secret files only with
`--with-secrets`, and `manifest.json`: what was kept, from where, each file's size and
SHA-256. It is written under a temporary name and renamed when complete (never a half
archive under the final name), readable by its owner only.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from . import __version__
from .backup_parts import BackupError, Part, backup_parts
from .settings import ConfigError, load_settings
from .tar_compat import tarfile

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20


class Hashing(io.RawIOBase):
    """A file read through SHA-256, for tarfile to copy."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.sha.update(data)
        buffer[: len(data)] = data
        return len(data)


def entry(name: str, status: os.stat_result, kind: bytes) -> tarfile.TarInfo:
    """A member of the archive: a regular file, a folder or a symbolic link."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = status.st_size if kind == tarfile.REGTYPE else 0
    info.mtime = int(status.st_mtime)
    info.mode = stat.S_IMODE(status.st_mode)
    info.uid, info.gid = status.st_uid, status.st_gid
    return info


class Writer:
    """The archive being written and the manifest's file list."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.files: dict[str, dict[str, Any]] = {}

    def add_hashed(self, info: tarfile.TarInfo, source: IO[bytes]) -> None:
        """A regular file's contents, hashed as they are copied, into the manifest's list."""
        if info.name in self.files:
            raise BackupError(f"{info.name}: two things of this installation have that name")
        reader = Hashing(source)
        self.tar.addfile(info, reader)
        self.files[info.name] = {"size": info.size, "sha256": reader.sha.hexdigest()}

    def add_file(self, name: str, path: Path) -> None:
        with path.open("rb") as source:
            # Made here, not by gettarinfo: a second name of a file is kept as a file, never
            # as a hard link to the first.
            info = entry(name, os.fstat(source.fileno()), tarfile.REGTYPE)
            try:
                self.add_hashed(info, source)
            except OSError as exc:  # it shrank while read: a file being rewritten
                raise BackupError(
                    f"{path} changed while it was copied ({exc}): try again"
                ) from None

    def add_folder(self, name: str, folder: Path) -> None:
        """The folder's tree; links are kept as links (never followed: a user's link to a
        file of the machine keeps the link, not the file)."""
        self.tar.addfile(entry(name, folder.stat(), tarfile.DIRTYPE))
        for top, dirs, files in os.walk(folder, followlinks=False):
            dirs.sort()
            for item in sorted(dirs) + sorted(files):
                path = Path(top) / item
                member = f"{name}/{path.relative_to(folder).as_posix()}"
                try:
                    status = path.lstat()  # what it is, asked once
                    if stat.S_ISLNK(status.st_mode):
                        link = entry(member, status, tarfile.SYMTYPE)
                        link.linkname = os.readlink(path)
                        self.tar.addfile(link)
                    elif stat.S_ISDIR(status.st_mode):
                        self.tar.addfile(entry(member, status, tarfile.DIRTYPE))
                    elif stat.S_ISREG(status.st_mode):
                        self.add_file(member, path)
                    # sockets, fifos, devices: not users' work, not kept
                except FileNotFoundError:  # deleted since listed: not part of the copy
                    continue

    def add_volume(self, name: str, image: str, volume: str) -> None:
        """A Docker volume's tree as the engine gives it (backup_volumes.py): owners and
        modes as they are in the volume; links kept as links, a second name of a file as
        a hard link to its first within the volume."""
        from .backup_volumes import volume_tar

        with volume_tar(image, volume) as tar:
            for member in tar:
                root, _, rest = member.name.partition("/")
                # Renamed, with no PAX headers of Docker's: its `path` / `linkpath` (long or
                # non-ASCII names) would win over the new name when written; nor its
                # extended attributes (a file capability is not users' work).
                kept = member.replace(name=f"{name}/{rest}" if rest else name)
                kept.pax_headers = {}
                if member.isfile():
                    source = tar.extractfile(member)
                    assert source is not None
                    self.add_hashed(kept, source)
                elif member.isdir() or member.issym():
                    self.tar.addfile(kept)
                elif member.islnk() and member.linkname.startswith(f"{root}/"):
                    target = f"{name}/{member.linkname.partition('/')[2]}"
                    self.tar.addfile(kept.replace(linkname=target, deep=False))
                # sockets, fifos, devices: not users' work, not kept

    def add_sqlite(self, name: str, database: Path, scratch: Path) -> None:
        copy = scratch / Path(name).name
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        self.add_file(name, copy)
        copy.unlink()


def create(to: Path, with_secrets: bool, now: float | None = None) -> Path:
    """Write the archive into `to`; returns its path."""
    return write(to, with_secrets, now)[0]


def write(to: Path, with_secrets: bool, now: float | None = None) -> tuple[Path, dict[str, Any]]:
    """Write the archive into `to`; returns its path and its manifest."""
    settings, _ = load_settings()
    parts = backup_parts(settings)
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    to.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = to / f"galilean-backup-{moment:%Y%m%d-%H%M%S}.tar.gz"
    if final.exists():
        raise BackupError(f"{final} exists: wait a second or choose another folder (--to)")
    partial = final.with_name(f".{final.name}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            tempfile.TemporaryDirectory(dir=to) as scratch,
            os.fdopen(descriptor, "wb") as out,
            tarfile.open(fileobj=out, mode="w:gz") as tar,
        ):
            writer = Writer(tar)
            kept = [
                {"name": part.name, "kind": part.kind, "from": str(part.path)}
                for part in parts
                if (with_secrets or not part.secret) and keep(writer, part, Path(scratch))
            ]
            if not any(p["name"].startswith("databases/") for p in kept):
                raise BackupError(
                    f"no database in {settings.data_path} (GALILEAN_DATA_DIR): nothing to back "
                    "up; run it where the hub runs (its folder, its stack.env)"
                )
            manifest = {
                "format": FORMAT,
                "galilean": __version__,
                "created": moment.isoformat(),
                "mode": settings.mode,
                "with_secrets": with_secrets,
                "parts": kept,
                "files": writer.files,
            }
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(moment.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
        partial.rename(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final, manifest


def keep(writer: Writer, part: Part, scratch: Path) -> bool:
    """Add one part; False when this installation has none of it (MLflow never used)."""
    if part.kind == "postgres":
        from .backup_postgres import dump, exists

        if not exists(part.url):
            return False
        dumped = scratch / Path(part.name).name
        dump(part.url, dumped, part.container)
        writer.add_file(part.name, dumped)
        dumped.unlink()
    elif part.kind == "folder":
        if not part.path.is_dir():
            return False
        writer.add_folder(part.name, part.path)
    elif part.kind == "volume":
        writer.add_volume(part.name, part.image, str(part.path))
    elif not part.path.is_file():
        return False
    elif part.kind == "sqlite":
        writer.add_sqlite(part.name, part.path, scratch)
    else:
        writer.add_file(part.name, part.path)
    return True


def summary(manifest: dict[str, Any]) -> str:
    """What an archive holds, for the person who made it (from its manifest in memory: it
    is the archive's last member, behind the whole compressed stream)."""
    files = manifest.get("files", {})
    size = sum(f["size"] for f in files.values()) / 1e6
    parts = ", ".join(p["name"] for p in manifest.get("parts", []))
    return f"kept {len(files)} files, {size:.1f} MB: {parts}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m galilean_hub.backup", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    made = verbs.add_parser("create", help="write a dated archive of this installation")
    made.add_argument("--to", type=Path, default=Path("backups"), help="folder (./backups)")
    made.add_argument(
        "--with-secrets",
        action="store_true",
        help="also keep the cookie secret, the vault's key and stack.env",
    )
    back = verbs.add_parser("restore", help="put an archive's contents back")
    back.add_argument("archive", type=Path)
    back.add_argument(
        "--force",
        action="store_true",
        help="restore over an installation that has data (what it replaces is moved aside)",
    )
    args = parser.parse_args(argv)
    try:
        if args.verb == "create":
            archive, manifest = write(args.to, args.with_secrets)
            print(archive)
            print(summary(manifest), file=sys.stderr)
        else:
            from .restore import restore

            for line in restore(args.archive, args.force):
                print(line)
    except (BackupError, ConfigError) as exc:
        print(f"galilean backup: {exc}", file=sys.stderr)
        return 2
    except (OSError, tarfile.TarError, EOFError, sqlite3.Error, subprocess.SubprocessError) as exc:
        print(f"galilean backup: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
