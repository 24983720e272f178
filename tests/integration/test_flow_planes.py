"""The execution plane's parts without a hub: the sandbox's command line, what a run's
environment holds, and docker mode's limits per owner (the Docker API itself is exercised
in test_docker.py, the sandbox in test_flows_hostile.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from galilean_services.execution.docker_plane import DockerPlane
from galilean_services.execution.isolation import Isolation, environment
from galilean_services.execution.plane import PlaneUnavailable
from galilean_services.flows_service.config import ServiceConfig
from galilean_services.flows_service.executor import remove_partials
from galilean_services.flows_service.network_policy import runs_python


def test_the_sandbox_mounts_tmp_before_what_it_binds(tmp_path: Path) -> None:
    """Python (or a CI clone) under /tmp must stay visible over the sandbox's own /tmp."""
    sandbox = Isolation("bubblewrap", readable=("/tmp/venv",), bwrap="bwrap")
    args = sandbox.command(["python"], tmp_path)
    assert args.index("/tmp") < args.index("/tmp/venv")
    assert args[args.index("--bind") + 1] == str(tmp_path.resolve())
    assert "--disable-userns" in args
    assert "--share-net" not in args
    assert "/etc/shadow" not in args
    assert "/etc/ssl" not in args  # its private keys too; only the certificates


def test_a_run_sees_none_of_the_services_secrets(tmp_path: Path) -> None:
    env = environment(
        tmp_path,
        {
            "JUPYTERHUB_API_TOKEN": "hub-token",
            "GALILEAN_FLOWS_DB_URL": "postgresql://u:pw@db/hub",
            "GALILEAN_CONNECTION_SHOP": "sqlite:///shop.sqlite",
            "GALILEAN_FLOWS_PYTHON_MAX_SECONDS": "30",
        },
    )
    assert env["HOME"] == str(tmp_path)
    assert "JUPYTERHUB_API_TOKEN" not in env
    assert "GALILEAN_FLOWS_DB_URL" not in env
    assert env["GALILEAN_CONNECTION_SHOP"] == "sqlite:///shop.sqlite"  # the admin's, for all
    assert env["GALILEAN_FLOWS_PYTHON_MAX_SECONDS"] == "30"


class Groups:
    def __init__(self, groups: list[Any] | Exception) -> None:
        self.groups = groups
        self.asked = 0

    def __call__(self, owner: str) -> list[Any]:
        self.asked += 1
        if isinstance(self.groups, Exception):
            raise self.groups
        return self.groups


@pytest.fixture
def config(tmp_path: Path) -> ServiceConfig:
    return ServiceConfig(
        db_url="sqlite://",
        files_root=str(tmp_path / "{user}"),
        docker_mem_limit="2G",
        docker_cpu_limit=1.0,
    )


def test_docker_runs_take_their_owners_group_limits(config: ServiceConfig) -> None:
    now = [0.0]
    big = SimpleNamespace(name="big", properties={"galilean.mem_limit": "4G"})
    fast = SimpleNamespace(name="fast", properties={"galilean.cpu_limit": 2})
    groups = Groups([big, fast])
    plane = DockerPlane(config.plane_config(), client=object(), groups=groups, clock=lambda: now[0])
    assert plane.limits_of("ann") == (4 * 1024**3, 2.0)
    assert plane.limits_of("ann") == (4 * 1024**3, 2.0)
    assert groups.asked == 1  # remembered for a minute
    now[0] = 61.0
    plane.limits_of("ann")
    assert groups.asked == 2


def test_a_docker_run_keeps_its_images_path(config: ServiceConfig, tmp_path: Path) -> None:
    env = DockerPlane(config.plane_config(), client=object(), groups=Groups([])).environment(
        tmp_path
    )
    assert "PATH" not in env  # the image's own, where its Python is
    assert env["HOME"] == str(tmp_path)
    assert "JUPYTERHUB_API_TOKEN" not in env


def test_docker_runs_fall_back_to_the_stacks_limits(config: ServiceConfig) -> None:
    plain = DockerPlane(config.plane_config(), client=object(), groups=Groups([]))
    assert plain.limits_of("ann") == ("2G", 1.0)
    broken = DockerPlane(
        config.plane_config(), client=object(), groups=Groups(KeyError("JUPYTERHUB_API_URL"))
    )
    assert broken.limits_of("ann") == ("2G", 1.0)


def test_a_service_starts_when_the_docker_engine_does_not_answer(
    config: ServiceConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flows and datasets services start without an engine (a hub container with no
    socket crash-looped them); each run then fails saying why."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
    plane = DockerPlane(config.plane_config(), groups=Groups([]))
    assert asyncio.run(plane.reap()) == 0
    folder = tmp_path / "ann"
    folder.mkdir()
    with pytest.raises(PlaneUnavailable, match="the Docker engine does not answer"):
        asyncio.run(plane.spawn("galilean_services.flows.worker", folder, "ann", "run-1"))


def test_a_stopped_runs_partial_files_and_only_those_are_removed(tmp_path: Path) -> None:
    mine = tmp_path / "out.parquet.run-abc.partial"
    deep = tmp_path / "a" / "b" / "t.csv.run-abc.partial"
    other_run = tmp_path / "out.parquet.run-xyz.partial"
    a_notebooks = tmp_path / "notes.partial"
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    elsewhere = outside / "x.run-abc.partial"
    deep.parent.mkdir(parents=True)
    for path in (mine, deep, other_run, a_notebooks, elsewhere):
        path.write_text("half")
    (tmp_path / "link").symlink_to(outside)
    assert remove_partials(tmp_path, 0, "abc") == 2
    assert not mine.exists()
    assert not deep.exists()
    assert other_run.exists()
    assert a_notebooks.exists()
    assert elsewhere.exists()  # behind a link: not followed


def test_flows_with_a_python_node_run_without_the_network(tmp_path: Path) -> None:
    """Python code could reach past the allow-list (it holds the engine's connections
    only): with the network allowed, such a run still gets none."""
    allowed = Isolation("bubblewrap", network=True, bwrap="bwrap")
    assert "--share-net" in allowed.command(["python"], tmp_path)
    assert "--share-net" not in allowed.command(["python"], tmp_path, network=False)
    python = json.dumps({"nodes": [{"id": "p", "kind": "transform.python", "params": {}}]})
    sql = json.dumps({"nodes": [{"id": "q", "kind": "source.sql_query", "params": {}}]})
    assert runs_python(python)
    assert not runs_python(sql)
    assert runs_python("not json")  # unreadable: the safe answer
