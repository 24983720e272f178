"""The harness itself: a server that dies on its own does not leave its children running,
and a server whose picked port was taken meanwhile starts on another one."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
import requests

from harness import hub as hub_module
from harness import processes
from harness.hub import Hub
from harness.mariadb import MariaDB
from harness.postgres import Postgres
from harness.processes import descendants, stop_tree, wait_until


def test_children_of_a_process_that_died_are_stopped_too() -> None:
    parent = subprocess.Popen(["bash", "-c", "sleep 300 & sleep 1; exit 1"])
    seen: list[psutil.Process] = []

    def orphan_seen() -> bool:
        seen[:] = descendants(parent.pid)
        return any(p.name() == "sleep" and "300" in p.cmdline() for p in seen)

    wait_until(orphan_seen, 10, "the child of bash", interval=0.05)
    orphan = next(p for p in seen if p.name() == "sleep" and "300" in p.cmdline())
    parent.wait(timeout=10)  # the parent is gone; its child now belongs to init
    assert orphan.is_running()
    stop_tree(parent, grace=5, seen=seen)
    assert not orphan.is_running()


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something listens on: what a picked port looks like once another process
    took it before the server bound it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def first_pick(taken: int) -> Callable[[], int]:
    """pick_port that first answers the taken port, then free ones."""
    picks = iter([taken])
    return lambda: next(picks, 0) or processes.pick_port()


@pytest.mark.parametrize("server", [Postgres, MariaDB])
def test_a_database_whose_port_was_taken_starts_on_another(
    server: type[Postgres | MariaDB], taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = sys.modules[server.__module__]
    monkeypatch.setattr(module, "pick_port", first_pick(taken_port))
    running = server().start()
    try:
        assert running.port not in (0, taken_port)
        with socket.create_connection(("127.0.0.1", running.port), timeout=5):
            pass
        assert "Address already in use" in running.log.read_text(errors="replace")
    finally:
        running.stop()


def test_a_hub_whose_port_was_taken_starts_on_another(
    taken_port: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The flows service binds last, after the hub answers: the hub is not ready until it
    logs that it runs (a taken port stops it before)."""
    picks = [{"GALILEAN_FLOWS_PORT": str(taken_port)}]
    real = hub_module.picked_ports

    def picked(overrides: dict[str, str]) -> dict[str, str]:
        return {**real(overrides), **(picks.pop() if picks else {})}

    monkeypatch.setattr(hub_module, "picked_ports", picked)
    running = Hub(tmp_path, GALILEAN_CULL_IDLE_SECONDS="0").start()
    try:
        assert running.env["GALILEAN_FLOWS_PORT"] != str(taken_port)
        assert "Address already in use" in running.log()
        assert requests.get(f"{running.url}/services/flows/", timeout=10).status_code < 500
    finally:
        running.stop()
