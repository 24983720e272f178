"""Storage quotas' engine (galilean_services/storage.py) and the hub's meter
(galilean_hub/storage_quota.py): which quota a user has, what counts, what a refusal
names, and how long a measurement is kept (an injected clock)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from galilean_hub.storage_quota import StorageMeter
from galilean_services.storage import (
    QUOTA_KEY,
    StorageUse,
    docker_use,
    embedded_use,
    parse_quota,
    quota_group,
    user_quota,
    walk,
)

MB = 1024**2
GB = 1024**3


@dataclass
class Group:  # what the hub's groups and the API's give: a name and properties
    name: str
    properties: dict[str, Any] = field(default_factory=dict)


def test_sizes_and_none() -> None:
    assert parse_quota("20G") == 20 * GB
    assert parse_quota("1.5g") == int(1.5 * GB)
    assert parse_quota(500 * MB) == 500 * MB
    assert parse_quota("none") is None
    assert parse_quota("") is None
    for bad in ("lots", "-1G", "0"):
        with pytest.raises(ValueError, match=r"."):
            parse_quota(bad)
    assert quota_group(" 20g ") == "galilean-quota-20G"


def test_the_dashboards_group_then_the_largest_then_the_default() -> None:
    team = Group("team", {QUOTA_KEY: "50G"})
    small = Group("small", {QUOTA_KEY: "5G"})
    plain = Group("plain", {"galilean.mem_limit": "2G"})
    assert user_quota([], 10 * GB) == 10 * GB
    assert user_quota([plain], None) is None
    assert user_quota([small, team, plain], 10 * GB) == 50 * GB  # the largest wins
    assert user_quota([small], 10 * GB) == 5 * GB  # a group's replaces the default
    assert user_quota([team, Group("open", {QUOTA_KEY: "none"})], 10 * GB) is None
    # An admin's word for one person (the dashboard's group) wins over their groups'.
    assert user_quota([team, Group(quota_group("2G"), {QUOTA_KEY: "2G"})], None) == 2 * GB
    with pytest.raises(ValueError, match=r"group 'bad': property galilean\.storage_quota"):
        user_quota([Group("bad", {QUOTA_KEY: "lots"})], None)


def write(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        file.truncate(size)  # sparse: its size counts, the disk is spared


def test_walk_names_the_largest_files_and_folders(tmp_path: Path) -> None:
    write(tmp_path / "data/raw/a.csv", 30 * MB)
    write(tmp_path / "data/raw/b.csv", 20 * MB)
    write(tmp_path / "data/c.parquet", 5 * MB)
    write(tmp_path / "notes.ipynb", 1 * MB)
    for n in range(8):
        write(tmp_path / f"small/{n}.txt", n + 1)
    (tmp_path / "link").symlink_to(tmp_path / "data")  # not followed: counted once
    found = walk(tmp_path, "home")
    assert found.total == 56 * MB + sum(range(1, 9))
    assert [(i.path, i.size) for i in found.files[:3]] == [
        ("home/data/raw/a.csv", 30 * MB),
        ("home/data/raw/b.csv", 20 * MB),
        ("home/data/c.parquet", 5 * MB),
    ]
    assert len(found.files) == 5
    assert [(i.path, i.size) for i in found.folders[:2]] == [
        ("home/data", 55 * MB),
        ("home/data/raw", 50 * MB),
    ]


def test_embedded_counts_the_home_and_every_workspace(tmp_path: Path) -> None:
    write(tmp_path / "ann/home/big.bin", 40 * MB)
    write(tmp_path / "ann/workspaces/exp/model.pt", 60 * MB)
    write(tmp_path / "bo/home/other.bin", 99 * MB)  # someone else's
    parts, files, _ = embedded_use(tmp_path / "ann")
    assert parts == {"home": 40 * MB, "workspace exp": 60 * MB}
    assert [i.path for i in files] == ["exp/model.pt", "home/big.bin"]
    assert embedded_use(tmp_path / "nobody")[0] == {"home": 0}


def test_docker_counts_the_users_volumes_and_shared_folder(tmp_path: Path) -> None:
    write(tmp_path / "ann/flows/out.parquet", 7 * MB)
    volumes = {"galilean-ann__": 3 * MB, "galilean-ann__exp": 4 * MB, "galilean-anna__": GB}
    parts, files, _ = docker_use(volumes, "galilean-ann__", tmp_path / "ann")
    assert parts == {"home": 3 * MB, "workspace exp": 4 * MB, "shared folder": 7 * MB}
    assert [i.path for i in files] == ["shared/flows/out.parquet"]
    assert docker_use(volumes, "galilean-bo__", None) == ({}, [], [])


def test_levels_and_the_refusal() -> None:
    def use(used: int, quota: int | None) -> StorageUse:
        return StorageUse("ann", used, quota, {"home": used}, [], [], 0.0)

    assert use(79 * MB, 100 * MB).level == "ok"
    assert use(80 * MB, 100 * MB).level == "warn"
    assert use(100 * MB, 100 * MB).level == "full"
    assert use(5 * GB, None).level == "ok"
    assert use(80 * MB, 100 * MB).summary()["percent"] == 80.0
    text = use(120 * MB, 100 * MB).refusal()
    assert text.startswith("Your files use 120.0 MB of your 100.0 MB storage quota")
    assert "Delete files" in text
    assert "ask an admin" in text
    assert "Largest parts: home 120.0 MB" in text


@dataclass
class Spawner:
    user: Any

    def template_namespace(self) -> dict[str, str]:
        return {"username": self.user.name}


@dataclass
class User:
    name: str
    groups: list[Group]

    @property
    def spawner(self) -> Spawner:
        return Spawner(self)


def test_the_meter_keeps_a_measurement_until_it_is_old(tmp_path: Path) -> None:
    now = [1000.0]
    meter = StorageMeter("embedded", tmp_path, "", 100 * MB, 60, clock=lambda: now[0])
    ann = User("ann", [])
    write(tmp_path / "ann/home/a.bin", 10 * MB)
    first = asyncio.run(meter.use_of(ann))
    assert (first.used, first.quota, first.level) == (10 * MB, 100 * MB, "ok")
    write(tmp_path / "ann/home/b.bin", 80 * MB)
    now[0] += 30
    assert asyncio.run(meter.use_of(ann)).used == 10 * MB
    assert asyncio.run(meter.use_of(ann, fresh=True)).level == "warn"
    now[0] += 61
    write(tmp_path / "ann/home/c.bin", 20 * MB)
    assert asyncio.run(meter.use_of(ann)).level == "full"
    # A changed quota is not kept waiting for the next measurement.
    ann.groups = [Group("big", {QUOTA_KEY: "1G"})]
    assert asyncio.run(meter.use_of(ann)).quota == GB


def test_the_meter_in_docker_mode_asks_for_the_volumes(tmp_path: Path) -> None:
    write(tmp_path / "shared/bo/x.bin", 2 * MB)
    meter = StorageMeter(
        "docker",
        tmp_path,
        str(tmp_path / "shared/{user}"),
        None,
        60,
        volumes=lambda: {"galilean-bo__": 5 * MB, "galilean-ann__": GB},
    )
    found = asyncio.run(meter.use_of(User("bo", [])))
    assert found.parts == {"home": 5 * MB, "shared folder": 2 * MB}
    assert (found.used, found.quota, found.level) == (7 * MB, None, "ok")
