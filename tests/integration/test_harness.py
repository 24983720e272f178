"""The harness itself: a server that dies on its own does not leave its children running."""

from __future__ import annotations

import subprocess
import time

import psutil

from harness.processes import descendants, stop_tree


def test_children_of_a_process_that_died_are_stopped_too() -> None:
    parent = subprocess.Popen(["bash", "-c", "sleep 300 & sleep 1; exit 1"])
    seen: list[psutil.Process] = []
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        seen = descendants(parent.pid)
        time.sleep(0.05)
    orphan = next(p for p in seen if p.name() == "sleep" and "300" in p.cmdline())
    parent.wait(timeout=10)  # the parent is gone; its child now belongs to init
    assert orphan.is_running()
    stop_tree(parent, grace=5, seen=seen)
    assert not orphan.is_running()
