"""Put a backup archive (backup.py) back, onto this machine's settings.

Nothing is touched until the whole archive has been read and every member checked
(restore_checks.py). The hub must be stopped. Parts are restored where this machine's
settings put them; a part that already has data here is refused unless `--force`, and then
moved aside (`<name>.before-restore-<time>`, a SQLite database with its -wal/-shm/-journal
files; a PostgreSQL database dumped aside), never deleted.

Each part is extracted beside its target (same filesystem: the final step is a rename),
all in one pass over the archive, with its members named as they will be in place,
through tarfile's "data" filter: a link that would point out of its part's folder there
is skipped and named.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from .backup_parts import (
    RESTORED_ENV,
    VOLUMES,
    BackupError,
    Part,
    backup_parts,
    env_file,
    pid_running,
    postgres_database,
    volume_part,
)
from .restore_checks import part_of, read_manifest, verify
from .settings import load_settings
from .tar_compat import tarfile

SQLITE_SIDES = ("-wal", "-shm", "-journal")


def checked(member: tarfile.TarInfo, dest: str, skipped: list[str]) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, owners kept; a link out of its part's folder is skipped
    and named (a user's link to /some/data), anything else it refuses stops the restore."""
    try:
        safe = tarfile.data_filter(member, dest)
        # Owners kept (the filter drops them): tarfile sets them only when the restore
        # runs as root, as docker mode's does for the users' files (uid 1000, not root's).
        return safe.replace(uid=member.uid, gid=member.gid, uname="", gname="", deep=False)
    except (tarfile.AbsoluteLinkError, tarfile.LinkOutsideDestinationError):
        skipped.append(member.name)
        return None
    except tarfile.FilterError as exc:
        raise BackupError(f"{member.name}: {exc}") from None


def side_files(part: Part) -> list[Path]:
    """A SQLite database's own files beside it (its write-ahead log would be replayed over
    the restored file)."""
    if part.kind != "sqlite":
        return []
    return [part.path.with_name(part.path.name + side) for side in SQLITE_SIDES]


def occupied(path: Path) -> bool:
    """Something a restore would replace: a file, a link, a folder that is not empty."""
    return path.is_symlink() or path.is_file() or (path.is_dir() and any(path.iterdir()))


def has_data(part: Part) -> bool:
    if part.kind == "volume":
        from .backup_volumes import volume_has_data

        return volume_has_data(part.image, str(part.path))
    if part.kind == "postgres":
        from .backup_postgres import has_tables

        return has_tables(part.url)
    return any(occupied(path) for path in (part.path, *side_files(part)))


def shown(part: Part) -> str:
    if part.kind == "volume":
        return f"volume {part.path}"
    if part.kind == "postgres":
        return f"database {postgres_database(part.url)!r}"
    return str(part.path)


def aside_of(path: Path, stamp: str, suffix: str = "") -> Path:
    """A free name beside `path` for what a restore replaces."""
    for n in range(100):
        extra = f"-{n}" if n else ""
        candidate = path.with_name(f"{path.name}.before-restore-{stamp}{extra}{suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise BackupError(f"{path}: too many earlier restores beside it")


def staged_path(part: Part, stage: Path) -> Path:
    """Where a part is extracted in its stage: what is then moved into place (a volume's:
    a tar of its tree, which keeps its owners)."""
    named = {"folder": "tree", "volume": "volume.tar"}
    return stage / named.get(part.kind, part.path.name)


def extract_parts(tar: tarfile.TarFile, stages: dict[str, tuple[Part, Path]]) -> list[str]:
    """Every member into its part's stage, in one pass over the archive (a gzip stream is
    read again from its start for each step back), named as it will be in place; returns
    the links skipped."""
    kinds = {name: part.kind for name, (part, _) in stages.items()}
    skipped: list[str] = []
    volumes: dict[str, tarfile.TarFile] = {}
    try:
        for member in tar:
            name = part_of(member.name, kinds)
            if name is None or (member.name == name and kinds[name] == "folder"):
                continue  # the manifest, or a folder part's own entry (its stage makes it)
            part, stage = stages[name]
            placed = staged_path(part, stage)
            if part.kind == "volume":
                if name not in volumes:
                    volumes[name] = tarfile.open(placed, "w")
                to_volume(tar, member, name, volumes[name], stage, skipped)
            elif part.kind == "folder":
                inner = member.replace(name=member.name[len(name) + 1 :], deep=False)
                tar.extract(
                    inner, placed, numeric_owner=True, filter=lambda m, d: checked(m, d, skipped)
                )
            else:
                single = member.replace(name=placed.name, deep=False)
                tar.extract(
                    single, stage, numeric_owner=True, filter=lambda m, d: checked(m, d, skipped)
                )
    finally:
        for out in volumes.values():
            out.close()
    for name, (part, stage) in stages.items():  # an empty volume is still made
        if part.kind == "volume" and name not in volumes:
            tarfile.open(staged_path(part, stage), "w").close()
    return skipped


def to_volume(
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    part: str,
    out: tarfile.TarFile,
    stage: Path,
    skipped: list[str],
) -> None:
    """A volume's member into its staged tar, named from the volume's root (`.`: the root,
    whose owner is the user's too): checked as an extraction would be (tarfile's "data"
    filter, against a stand-in root), written with its owner (the files stay the user's)."""
    # No PAX headers carried: the archive's `path` would win over the new name when
    # written, and extended attributes (a file capability) are not restored.
    inner = member.replace(name=member.name[len(part) + 1 :] or ".")
    inner.pax_headers = {}
    if member.islnk():
        inner = inner.replace(linkname=member.linkname[len(part) + 1 :], deep=False)
    safe = checked(inner, str(stage / "root"), skipped)
    if safe is None:
        return
    # The filter leaves a folder's or a link's mode unset (extraction would skip it): the
    # member's own, without set-id and sticky bits, as the filter does for files.
    mode = safe.mode if safe.mode is not None else inner.mode & 0o777
    owned = safe.replace(mode=mode, deep=False)
    out.addfile(owned, tar.extractfile(member) if member.isfile() else None)


def place(part: Part, staged: Path, stamp: str, busy: bool) -> Iterator[str]:
    """Move what the part replaces aside, then the staged part into place (a rename)."""
    if part.kind == "volume":
        from .backup_volumes import set_aside, write_volume

        volume = str(part.path)
        if busy:
            kept = f"{volume}.before-restore-{stamp}"
            set_aside(part.image, volume, kept)
            yield f"copied aside: volume {volume} -> volume {kept}"
        write_volume(part.image, volume, staged)
        yield f"restored: {part.name} -> volume {volume}"
        return
    if part.kind == "postgres":
        from .backup_postgres import dump, restore

        if busy:
            aside = aside_of(part.path.with_suffix(""), stamp, ".pgdump")
            dump(part.url, aside, part.container)
            aside.chmod(0o600)
            yield f"dumped aside: {shown(part)} -> {aside}"
        restore(part.url, staged, part.container)
        yield f"restored: {part.name} -> {shown(part)}"
        return
    if part.kind == "folder" and os.path.ismount(part.path):
        yield from place_into_mount(part.path, staged, stamp, busy)
        return
    for path in (part.path, *side_files(part)):
        if occupied(path):
            aside = aside_of(path, stamp)
            path.rename(aside)
            yield f"moved aside: {path} -> {aside}"
        elif path.is_dir():
            path.rmdir()  # empty
    os.replace(staged, part.path)
    if part.kind != "folder":
        part.path.chmod(0o600)
    yield f"restored: {part.name} -> {part.path}"


def place_into_mount(target: Path, staged: Path, stamp: str, busy: bool) -> Iterator[str]:
    """A folder that is a mount point (compose's shared folder, bound from the host) cannot
    be renamed: its contents are, within it — what it held into `.before-restore-<time>`
    there, then the staged entries (staged inside it: one filesystem)."""
    if busy:
        aside = target / f".before-restore-{stamp}"
        aside.mkdir(mode=0o700)
        for entry in target.iterdir():
            if entry != aside and entry != staged.parent:
                entry.rename(aside / entry.name)
        yield f"moved aside: the contents of {target} -> {aside}"
    for entry in staged.iterdir():
        os.replace(entry, target / entry.name)
    yield f"restored: into {target} (a mount point)"


def stage_home(part: Part, data: Path) -> Path:
    """Where a part is staged: beside its target (the last step is a rename on one
    filesystem), inside it when it is a mount point, in the data folder for what is not
    a file here (a database server's, a volume's)."""
    if part.kind in ("postgres", "volume"):
        return data
    if part.kind == "folder" and os.path.ismount(part.path):
        return part.path
    return part.path.parent


def volumes_ready(parts: list[Part]) -> None:
    """Before anything changes: the helpers' image is on the engine (a new machine's, before
    `make images`, has none), and no running container mounts a volume to replace (a
    workspace left running when the hub stopped: DockerSpawner's containers outlive it)."""
    volumes = [p for p in parts if p.kind == "volume"]
    if not volumes:
        return
    from .backup_volumes import containers_using, image_present

    if not image_present(volumes[0].image):
        raise BackupError(
            f"the image {volumes[0].image} (GALILEAN_DOCKER_IMAGE) is not on this Docker "
            "engine: build it first (make images)"
        )
    for part in volumes:
        running = containers_using(str(part.path))
        if running:
            raise BackupError(
                f"volume {part.path} is used by running containers ({', '.join(running)}): "
                "stop them first (docker stop …)"
            )


def restore(archive: Path, force: bool = False) -> Iterator[str]:
    """Restore `archive`; yields what it did, line by line."""
    settings, _ = load_settings()
    data = settings.data_path
    running = pid_running(data / "jupyterhub.pid")
    if running:
        raise BackupError(
            f"the hub runs (pid {running}, from {data / 'jupyterhub.pid'}): stop it first"
        )
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    done: list[str] = []
    with tarfile.open(archive, "r:gz") as tar:
        manifest = read_manifest(tar, archive)
        verify(tar, manifest)
        targets = {p.name: p for p in backup_parts(settings, restoring=True)}
        chosen = []
        for kept in manifest.get("parts") or []:
            name = str(kept["name"])
            part = targets.get(name)
            if part is None and name.startswith(VOLUMES):
                part = volume_part(settings, name)
            if part is None:
                raise BackupError(f"{name}: this installation has no such part")
            chosen.append(part)
        volumes_ready(chosen)
        busy = [p for p in chosen if has_data(p)]
        if busy and not force:
            where = ", ".join(shown(p) for p in busy)
            raise BackupError(
                f"these have data already: {where} (--force moves them aside; with make: "
                "make restore / make stack-restore: RESTORE_ARGS=--force)"
            )
        data.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        stages: dict[str, tuple[Part, Path]] = {}
        current = "the archive"
        try:
            for part in chosen:
                home = stage_home(part, data)
                home.mkdir(parents=True, exist_ok=True)
                stage = home / f".restore-{stamp}-{part.path.name}"
                stage.mkdir(mode=0o700)
                stages[part.name] = (part, stage)
                if part.kind == "folder":
                    staged_path(part, stage).mkdir(mode=0o700)
            for name in extract_parts(tar, stages):
                yield f"not restored: {name}, a link to a place outside its folder"
            for part, stage in stages.values():
                current = part.name
                yield from place(part, staged_path(part, stage), stamp, part in busy)
                done.append(part.name)
        except (OSError, BackupError, tarfile.TarError) as exc:
            raise BackupError(
                f"restoring {current} failed ({exc}); restored before it: "
                f"{', '.join(done) or 'nothing'}; what was moved aside is still there"
            ) from None
        finally:
            for _, stage in stages.values():
                shutil.rmtree(stage, ignore_errors=True)
    if "secrets/stack.env" in done:
        yield (
            f"the archive's stack.env is {env_file().with_name(RESTORED_ENV)}: compare it with "
            "yours and use it in its place if this machine should run as the old one did"
        )
    if "secrets/vault.key" not in done and not settings.vault_key.strip():
        yield (
            "the vault's secrets need the key they were encrypted with: put that vault.key "
            f"in {data} (in place of any this machine made) or set GALILEAN_VAULT_KEY before "
            "starting the hub"
        )
    yield f"done: start the hub (restored from {os.path.basename(archive)})"
