"""Backups of an embedded installation, without a hub: what an archive holds, checksums,
secrets only when asked, and a restore that checks everything first and loses nothing.
(The drill with a real hub: tests/integration/test_backup_drill.py.)"""

from __future__ import annotations

import gzip
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from installation_env import embedded_installation

from galilean_hub.backup import create, main
from galilean_hub.backup_parts import BackupError, pid_running
from galilean_hub.restore import restore
from galilean_hub.restore_checks import check_shape


def install(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installation's data folder with some of everything; the settings point at it."""
    data = root / "var"
    (data / "users" / "ann" / "home").mkdir(parents=True)
    (data / "users" / "ann" / "home" / "notes.txt").write_text("ann's notes")
    (data / "users" / "ann" / "workspaces" / "big").mkdir(parents=True)
    (data / "users" / "ann" / "workspaces" / "big" / "data.csv").write_text("a,b\n1,2\n")
    (data / "users" / "ann" / "home" / "link").symlink_to("notes.txt")
    (data / "users" / "ann" / "home" / "machine").symlink_to("/etc/hostname")
    (data / "users" / "ann" / "home" / "up").symlink_to("../../../../stack.env")
    os.link(data / "users" / "ann" / "home" / "notes.txt", data / "users" / "ann" / "again.txt")
    for name in ("jupyterhub", "flows", "datasets", "ai"):
        with sqlite3.connect(data / f"{name}.sqlite") as db:
            db.execute("CREATE TABLE t (v TEXT)")
            db.execute("INSERT INTO t VALUES (?)", (f"{name} row",))
        db.close()
    (data / "jupyterhub_cookie_secret").write_text("ab" * 32)
    (data / "vault.key").write_text("the-vault-key")
    (data / "mlflow-artifacts" / "1").mkdir(parents=True)
    (data / "mlflow-artifacts" / "1" / "model.pkl").write_bytes(b"\x00model")
    embedded_installation(monkeypatch, data, "GALILEAN_MODE=embedded\n")
    return data


def members(archive: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(archive) as tar:
        return {m.name: m for m in tar.getmembers()}


def row(database: Path) -> str:
    with sqlite3.connect(database) as db:
        value: str = db.execute("SELECT v FROM t").fetchone()[0]
    db.close()
    return value


def test_an_archive_holds_the_databases_files_and_a_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, monkeypatch)
    archive = create(tmp_path / "backups", with_secrets=False, now=1_800_000_000)
    assert archive.name == "galilean-backup-20270115-080000.tar.gz"
    assert archive.stat().st_mode & 0o077 == 0
    assert not list(archive.parent.glob(".*partial"))
    found = members(archive)
    assert {"databases/hub.sqlite", "databases/flows.sqlite", "manifest.json"} <= set(found)
    assert "files/users/ann/home/notes.txt" in found
    assert found["files/users/ann/home/link"].issym()
    assert "files/mlflow-artifacts/1/model.pkl" in found
    assert not [name for name in found if name.startswith("secrets/")]
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["with_secrets"] is False
    assert manifest["files"]["files/users/ann/home/notes.txt"]["size"] == len("ann's notes")
    assert "databases/mlflow.sqlite" not in manifest["files"]  # MLflow never used here
    raw = gzip.decompress(archive.read_bytes())
    assert b"the-vault-key" not in raw
    assert b"ab" * 32 not in raw


def test_restore_onto_a_fresh_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path / "old", monkeypatch)
    archive = create(tmp_path / "backups", with_secrets=True)
    fresh = tmp_path / "new" / "var"
    monkeypatch.setenv("GALILEAN_DATA_DIR", str(fresh))
    lines = list(restore(archive))
    assert lines[-1].startswith("done")
    assert row(fresh / "jupyterhub.sqlite") == "jupyterhub row"
    assert row(fresh / "flows.sqlite") == "flows row"
    assert (fresh / "users" / "ann" / "home" / "notes.txt").read_text() == "ann's notes"
    assert os.readlink(fresh / "users" / "ann" / "home" / "link") == "notes.txt"
    # A link out of the folders is kept as a link in the archive, never its target's
    # content, and not restored (tarfile's "data" filter); the restore says so.
    assert not (fresh / "users" / "ann" / "home" / "machine").is_symlink()
    assert "not restored: ann/home/machine" in "\n".join(lines)
    # A relative link that would leave the users' folder once in place: not restored either.
    assert not (fresh / "users" / "ann" / "home" / "up").is_symlink()
    # Two names of one file: two files (a hard link in an archive restores nowhere safely).
    assert (fresh / "users" / "ann" / "again.txt").read_text() == "ann's notes"
    assert (fresh / "users" / "ann" / "workspaces" / "big" / "data.csv").is_file()
    assert (fresh / "vault.key").read_text() == "the-vault-key"
    assert (tmp_path / "old" / "stack.env.from-backup").read_text() == "GALILEAN_MODE=embedded\n"
    assert any("stack.env.from-backup" in line for line in lines)
    assert (fresh / "jupyterhub.sqlite").stat().st_mode & 0o077 == 0
    assert not list(fresh.glob(".restore-*"))


def test_without_secrets_the_restore_says_what_the_vault_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path / "old", monkeypatch)
    archive = create(tmp_path / "backups", with_secrets=False)
    monkeypatch.setenv("GALILEAN_DATA_DIR", str(tmp_path / "new"))
    lines = list(restore(archive))
    assert any("vault.key" in line and "GALILEAN_VAULT_KEY" in line for line in lines)


def test_a_restore_over_data_is_refused_then_moves_it_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = install(tmp_path, monkeypatch)
    archive = create(tmp_path / "backups", with_secrets=False)
    (data / "users" / "ann" / "home" / "notes.txt").write_text("changed since")
    with pytest.raises(BackupError, match=r"have data already.*--force"):
        list(restore(archive))
    assert (data / "users" / "ann" / "home" / "notes.txt").read_text() == "changed since"
    lines = list(restore(archive, force=True))
    assert (data / "users" / "ann" / "home" / "notes.txt").read_text() == "ann's notes"
    aside = [p for p in data.glob("users.before-restore-*")]
    assert len(aside) == 1, lines
    assert (aside[0] / "ann" / "home" / "notes.txt").read_text() == "changed since"


def test_a_running_hub_or_a_damaged_archive_is_refused_before_anything_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = install(tmp_path, monkeypatch)
    archive = create(tmp_path / "backups", with_secrets=False)
    hub = subprocess.Popen(
        [sys.executable, "-c", "print(flush=True); import time; time.sleep(60)", "jupyterhub"],
        stdout=subprocess.PIPE,
    )
    try:
        assert hub.stdout is not None
        hub.stdout.readline()  # it runs Python (its command line is its own, not ours)
        (data / "jupyterhub.pid").write_text(str(hub.pid))
        with pytest.raises(BackupError, match="the hub runs"):
            list(restore(archive, force=True))
    finally:
        hub.kill()
        hub.wait()
    # A stale pid file whose number another process has now (a new container's small
    # numbers): not a running hub.
    (data / "jupyterhub.pid").write_text(str(os.getpid()))
    assert pid_running(data / "jupyterhub.pid") is None
    (data / "jupyterhub.pid").unlink()

    # One byte of one file changed, the manifest unchanged: refused, nothing touched.
    with tarfile.open(archive) as tar:
        items = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar]  # type: ignore[union-attr]
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as out:
        for member, content in items:
            if member.name == "files/users/ann/home/notes.txt":
                content = b"Ann's notes"
            out.addfile(member, io.BytesIO(content) if content is not None else None)
    (data / "users" / "ann" / "home" / "notes.txt").write_text("current")
    with pytest.raises(BackupError, match=r"notes\.txt: its checksum does not match"):
        list(restore(damaged, force=True))
    assert (data / "users" / "ann" / "home" / "notes.txt").read_text() == "current"

    # Members no backup of Galilean's holds: refused before anything changes.
    def evil(name: str, kind: bytes, linkname: str = "") -> Path:
        made = tmp_path / f"evil-{len(list(tmp_path.glob('evil-*')))}.tar.gz"
        with tarfile.open(made, "w:gz") as out:
            for member, content in items:
                out.addfile(member, io.BytesIO(content) if content is not None else None)
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, linkname
            out.addfile(info, io.BytesIO(b""))
        return made

    refusals = [
        (evil("../../etc/cron.d/x", tarfile.REGTYPE), "outside the backup's folders"),
        (evil("files/users/../../x", tarfile.REGTYPE), "outside the backup's folders"),
        (evil("elsewhere/x", tarfile.REGTYPE), "not in any part"),
        (evil("files/users/ann/hl", tarfile.LNKTYPE, "databases/hub.sqlite"), "hard link"),
        (evil("files/users/ann/dev", tarfile.CHRTYPE), "a device"),
        (evil("databases/flows.sqlite/x", tarfile.REGTYPE), "must be one regular file"),
    ]
    for archive_, why in refusals:
        with pytest.raises(BackupError, match=why):
            list(restore(archive_, force=True))
    assert not list(data.glob("*.before-restore-*"))
    assert (data / "users" / "ann" / "home" / "notes.txt").read_text() == "current"


def test_a_databases_write_ahead_log_goes_aside_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = install(tmp_path, monkeypatch)
    archive = create(tmp_path / "backups", with_secrets=False)
    (data / "jupyterhub.sqlite-wal").write_bytes(b"a log SQLite would replay")
    list(restore(archive, force=True))
    assert row(data / "jupyterhub.sqlite") == "jupyterhub row"
    assert not (data / "jupyterhub.sqlite-wal").exists()
    assert len(list(data.glob("jupyterhub.sqlite-wal.before-restore-*"))) == 1
    # A second forced restore in the same second finds a free name beside the first.
    list(restore(archive, force=True))
    assert len(list(data.glob("users.before-restore-*"))) == 2


def test_a_backup_with_no_database_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    embedded_installation(monkeypatch, tmp_path / "var")
    assert main(["create", "--to", str(tmp_path / "backups")]) == 2
    assert "no database in" in capsys.readouterr().err
    assert not list((tmp_path / "backups").glob("*.tar.gz"))


def test_the_command_line_says_what_is_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install(tmp_path, monkeypatch)
    assert main(["restore", str(tmp_path / "nothing.tar.gz")]) == 2
    assert "nothing.tar.gz: no such file" in capsys.readouterr().err
    monkeypatch.setenv("GALILEAN_DB_URL", "mysql://u:secret@db/jupyterhub")
    assert main(["create", "--to", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "neither SQLite nor PostgreSQL (mysql)" in err
    assert "secret" not in err
    assert not list((tmp_path / "b").glob("*"))


def test_a_volumes_members_are_checked_like_a_folders(tmp_path: Path) -> None:
    """A Docker volume's part (docker mode) may hold hard links within itself, never to
    another part, and nothing named out of the backup."""
    kinds = {"volumes/galilean-ann__": "volume", "databases/hub.sqlite": "sqlite"}

    def member(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.type, info.linkname = kind, linkname
        return info

    inside = member("volumes/galilean-ann__/b", tarfile.LNKTYPE, "volumes/galilean-ann__/a")
    check_shape(inside, kinds)
    check_shape(member("volumes/galilean-ann__/x", tarfile.SYMTYPE, "/etc/passwd"), kinds)
    for bad, why in [
        (member("volumes/galilean-ann__/h", tarfile.LNKTYPE, "databases/hub.sqlite"), "out of"),
        (
            member("volumes/galilean-ann__/h", tarfile.LNKTYPE, "volumes/galilean-ann__/../x"),
            "out of",
        ),
        (member("volumes/galilean-ann__/d", tarfile.BLKTYPE), "a device"),
    ]:
        with pytest.raises(BackupError, match=why):
            check_shape(bad, kinds)


def test_docker_mode_names_only_users_volumes() -> None:
    from galilean_hub.backup_volumes import USERS_VOLUME

    assert USERS_VOLUME.match("galilean-ann__")
    assert USERS_VOLUME.match("galilean-b_5Fob__lab-2")
    for other in ("galilean_db", "galilean_hub-data", "galilean-ann__.before-restore-1", "x__y"):
        assert not USERS_VOLUME.match(other), other


def test_a_volumes_long_names_are_staged_from_its_root(tmp_path: Path) -> None:
    """A member whose name needs a PAX header (over 100 bytes, or not ASCII) keeps its new
    name when staged for the volume: the archive's `path` header would otherwise win."""
    from galilean_hub.backup_parts import Part
    from galilean_hub.restore import extract_parts

    long = "d" * 120 + "/données.csv"
    archive = tmp_path / "a.tar"
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        root = tarfile.TarInfo("volumes/galilean-ann__")
        root.type, root.mode, root.uid = tarfile.DIRTYPE, 0o755, 1000
        tar.addfile(root)
        data = tarfile.TarInfo(f"volumes/galilean-ann__/{long}")
        data.size, data.uid, data.mode = 3, 1000, 0o4755  # set-uid: dropped
        data.pax_headers = {"SCHILY.xattr.security.capability": "x"}
        tar.addfile(data, io.BytesIO(b"a,b"))
    part = Part("volumes/galilean-ann__", "volume", Path("galilean-ann__"))
    stage = tmp_path / "stage"
    stage.mkdir()
    with tarfile.open(archive) as tar:
        assert extract_parts(tar, {part.name: (part, stage)}) == []
    with tarfile.open(stage / "volume.tar") as staged:
        found = {m.name: m for m in staged}
        assert set(found) == {".", long}
        assert found[long].uid == 1000
        assert found[long].mode == 0o755
        assert found["."].uid == 1000
        assert not found[long].pax_headers.get("SCHILY.xattr.security.capability")
        assert staged.extractfile(long).read() == b"a,b"  # type: ignore[union-attr]


def test_a_mount_points_contents_are_replaced_within_it(tmp_path: Path) -> None:
    """Compose's shared folder is a bind mount: its contents move, never the folder."""
    from galilean_hub.restore import place_into_mount

    target = tmp_path / "shared"
    (target / "ann").mkdir(parents=True)
    (target / "ann" / "old.txt").write_text("old")
    staged = target / ".restore-1" / "tree"
    (staged / "ann").mkdir(parents=True)
    (staged / "ann" / "new.txt").write_text("new")
    said = list(place_into_mount(target, staged, "1", busy=True))
    assert (target / "ann" / "new.txt").read_text() == "new"
    assert (target / ".before-restore-1" / "ann" / "old.txt").read_text() == "old"
    assert said[0].startswith("moved aside: the contents of")
