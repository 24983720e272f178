"""Process limits for the execution plane, applied between fork and exec.

- The worker dies with the service (PR_SET_PDEATHSIG): a killed service leaves no run
  behind that would go on writing while the history says "failed".
- Where this machine lets us (root, cgroup v1 or v2 with the pids controller), each run
  gets its own cgroup with a bound on processes: a fork loop in a Python node stops at
  the bound instead of filling the machine. Elsewhere, bubblewrap's PID namespace and the
  run's time limit are what bound it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("galilean.execution")

PR_SET_PDEATHSIG = 1
CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP = "galilean-flows"


def _prctl() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# Looked up once here: a child between fork and exec must not load libraries (dlopen may
# wait for a lock another thread of the service held at the fork).
PRCTL = _prctl()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def die_with_parent() -> None:
    """In the child: SIGKILL when the parent (the service) dies."""
    if PRCTL is not None:
        PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class ProcessLimits:
    """One cgroup per run with `pids_max` tasks (threads count), when the machine allows,
    under a folder of this service's own (`galilean-flows/<pid>`): what a service that
    died left there is killed and removed by the next one."""

    def __init__(self, pids_max: int = 512, root: Path = CGROUP_ROOT) -> None:
        self.pids_max = pids_max
        shared = self._base(root)
        self.base: Path | None = None
        if shared is None:
            log.info("no writable pids cgroup: runs are bounded by their sandbox and time limit")
            return
        self._clear_dead(shared)
        self.base = shared / str(os.getpid())  # made with the first group

    def _made(self, base: Path) -> bool:
        try:
            base.mkdir(exist_ok=True)
            if (base / "cgroup.subtree_control").exists():  # v2: enabled level by level
                (base / "cgroup.subtree_control").write_text("+pids")
        except OSError as exc:
            log.warning("cgroup %s: %s", base, exc)
            return False
        return True

    def _clear_dead(self, shared: Path) -> None:
        for folder in shared.iterdir():
            if folder.is_dir() and folder.name.isdigit() and not _alive(int(folder.name)):
                for group in [g for g in folder.iterdir() if g.is_dir()]:
                    self.kill(group)
                    self.remove(group)
                with contextlib.suppress(OSError):
                    folder.rmdir()

    def sweep(self) -> None:
        """Remove this service's groups whose processes have all gone (a group cannot be
        removed while its last processes are still exiting: they are caught here)."""
        if self.base is None or not self.base.is_dir():
            return
        for group in [g for g in self.base.iterdir() if g.is_dir()]:
            with contextlib.suppress(OSError, ValueError):
                if not (group / "cgroup.procs").read_text().split():
                    group.rmdir()

    def close(self) -> None:
        """At the service's end: every group of it goes, its processes first."""
        if self.base is None or not self.base.is_dir():
            return
        for group in [g for g in self.base.iterdir() if g.is_dir()]:
            self.kill(group)
            self.remove(group)
        with contextlib.suppress(OSError):
            self.base.rmdir()

    @staticmethod
    def _base(root: Path) -> Path | None:
        candidates = []
        if (root / "cgroup.controllers").exists():  # v2: needs pids enabled below the root
            candidates.append(root / GROUP)
        candidates.append(root / "pids" / GROUP)  # v1
        for base in candidates:
            try:
                base.mkdir(exist_ok=True)
                if base.parent == root:
                    (base / "cgroup.subtree_control").write_text("+pids")
                probe = base / "probe"
                probe.mkdir(exist_ok=True)
                (probe / "pids.max").write_text("1")
                probe.rmdir()
                return base
            except OSError:
                continue
        return None

    def create(self, name: str) -> Path | None:
        if self.base is None or not self._made(self.base):
            return None
        group = self.base / name
        try:
            group.mkdir(exist_ok=True)
            (group / "pids.max").write_text(str(self.pids_max))
        except OSError as exc:
            log.warning("cgroup %s: %s", group, exc)
            return None
        return group

    @staticmethod
    def kill(group: Path | None) -> None:
        """SIGKILL every process in the group: the worker and all it started, even those
        that left its process group or session (a sandbox's own processes, a Python node)."""
        if group is None:
            return
        for _ in range(3):  # a process forking while we kill: its child joined the group
            try:
                pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
            except (OSError, ValueError):
                return
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    @staticmethod
    def remove(group: Path | None) -> None:
        if group is not None:
            with contextlib.suppress(OSError):
                group.rmdir()


def preexec(group: Path | None) -> Callable[[], None]:
    """What the child does before exec: join its cgroup, die with its parent."""

    def apply() -> None:
        if group is not None:
            with contextlib.suppress(OSError):
                (group / "cgroup.procs").write_text(str(os.getpid()))
        die_with_parent()

    return apply
