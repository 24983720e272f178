"""The usage engine: its store (samples, events, pins, retention with an injected clock),
the culler's arbiter (pins, one event per decision), and readings of real process trees."""

from __future__ import annotations

import datetime
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from galilean_services.usage.culling import Arbiter, owner_of
from galilean_services.usage.measure import ProcessMeter, folder_size, limits_from_environment
from galilean_services.usage.store import CULLED, KEPT_PINNED, STOPPED, Sample, UsageStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[UsageStore]:
    opened = UsageStore(f"sqlite:///{tmp_path / 'usage.sqlite'}", retention=3600, clock=clock)
    yield opened
    opened.close()


def test_samples_latest_series_and_retention(store: UsageStore, clock: Clock) -> None:
    store.record([Sample("ann", "", 12.5, 100, 1000, 2.0, disk=5000)])
    clock.now += 30
    store.record([Sample("ann", "", 50.0, 200, 1000, 2.0), Sample("bo", "ws", 1.0, 10)])
    latest = store.latest()
    assert latest[("ann", "")]["cpu"] == 50.0
    assert latest[("ann", "")]["memory"] == 200
    assert latest[("ann", "")]["disk"] == 5000  # the newest disk measured, not None
    assert latest[("bo", "ws")]["disk"] is None
    series = store.series(clock.now - 60)
    assert [point[1:] for point in series[("ann", "")]] == [(12.5, 100), (50.0, 200)]
    clock.now += 3600 - 10  # the first sample is now older than the retention
    store.record([])
    assert [point[1] for point in store.series(0)[("ann", "")]] == [50.0]
    clock.now += 60
    store.record([])
    assert store.latest() == {}


def test_events_and_pins(store: UsageStore, clock: Clock) -> None:
    store.event(CULLED, "ann", "", "idle for 1h")
    clock.now += 1
    store.event(STOPPED, "ann", "", "by root")
    assert [e["kind"] for e in store.events()] == [STOPPED, CULLED]
    last = store.last_event("ann", "")
    assert last is not None
    assert last["kind"] == STOPPED
    assert store.last_event("ann", "other") is None
    store.pin("ann", "ws", "root")
    store.pin("ann", "ws", "root")  # twice: still one pin
    assert store.is_pinned("ann", "ws")
    assert list(store.pinned()) == [("ann", "ws")]
    store.unpin("ann", "ws")
    assert not store.is_pinned("ann", "ws")


def server_model(user: str, name: str) -> dict[str, object]:
    path = f"servers/{name}" if name else "server"
    return {"name": name, "progress_url": f"/hub/api/users/{user}/{path}/progress"}


def test_owner_of_a_server_model() -> None:
    assert owner_of(server_model("ann", "")) == ("ann", "")
    assert owner_of(server_model("b%40x.org", "ws")) == ("b@x.org", "ws")
    with pytest.raises(ValueError, match="without a progress URL"):
        owner_of({"name": "x"})


def test_the_arbiter_culls_the_idle_but_the_pinned(store: UsageStore, clock: Clock) -> None:
    arbiter = Arbiter(lambda: store)
    idle = datetime.timedelta(seconds=700)
    assert not arbiter(datetime.timedelta(seconds=10), 600, server_model("ann", ""))
    assert store.events() == []
    assert arbiter(idle, 600, server_model("ann", ""))
    (culled,) = store.events()
    assert (culled["kind"], culled["user"], culled["detail"]) == (
        CULLED,
        "ann",
        "idle for 0h11m40s",
    )

    store.pin("bo", "ws", "root")
    for _ in range(3):  # checked again and again: one event
        clock.now += 5
        assert not arbiter(idle, 600, server_model("bo", "ws"))
    kept = [e for e in store.events() if e["kind"] == KEPT_PINNED]
    assert len(kept) == 1
    assert kept[0]["detail"].startswith("pinned; idle for")
    clock.now += 701  # a new idle period since that event: said again
    assert not arbiter(idle, 600, server_model("bo", "ws"))
    assert len([e for e in store.events() if e["kind"] == KEPT_PINNED]) == 2


def test_a_process_tree_is_read() -> None:
    busy = "import time\nend = time.time() + 30\nwhile time.time() < end: pass\n"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', {busy!r}])\ntime.sleep(30)",
        ],
        env={"MEM_LIMIT": str(2 * 1024**3), "CPU_LIMIT": "1.5"},
    )
    try:
        tree = psutil.Process(parent.pid)
        deadline = time.monotonic() + 20
        while not tree.children() and time.monotonic() < deadline:
            time.sleep(0.05)  # the busy child started (a process is first read as 0 %)
        meter = ProcessMeter()
        first = meter.read(parent.pid)
        assert first is not None
        time.sleep(1.0)  # psutil's cpu_percent measures between two readings
        second = meter.read(parent.pid)
        assert second is not None
        assert second.cpu > 30  # the busy child, counted in its parent's tree
        assert second.memory > 5 * 1024**2
        assert (second.memory_limit, second.cpu_limit) == (2 * 1024**3, 1.5)
    finally:
        for child in psutil.Process(parent.pid).children(recursive=True):
            child.kill()
        parent.kill()
        parent.wait()
    assert meter.read(parent.pid) is None


def test_limits_and_folder_size(tmp_path: Path) -> None:
    assert limits_from_environment({}) == (None, None)
    assert limits_from_environment({"MEM_LIMIT": "x"}) == (None, None)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f").write_bytes(b"x" * 1000)
    (tmp_path / "g").write_bytes(b"y" * 24)
    (tmp_path / "link").symlink_to("/usr")  # not followed
    assert folder_size(tmp_path) == 1024
