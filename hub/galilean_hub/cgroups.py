"""Embedded mode: a workspace's memory and CPU limits, enforced by a control group when
the host lets the hub make one.

Each workspace with a limit gets its own group, under the hub's own (cgroup v1: in the
memory and cpu hierarchies; cgroup v2: beside the hub, in a `galilean` group the hub can
give controllers to). The server joins it before it runs (preexec), so its kernels and
terminals are in it too; when the workspace stops, whatever is left in the group is
killed (by pid) and the group removed. Where the host allows none of this (no root, a
read-only cgroup filesystem, v2 without delegation), `Cgroups.probe` says why, and the
limits are not enforced; the hub logs that once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
SELF = Path("/proc/self/cgroup")
BASE_NAME = "galilean"
CPU_PERIOD_US = 100_000
SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def group_name(hub: str, user: str, server: str) -> str:
    """A directory name for the workspace (user names may hold characters a path may not
    hold safely; '--' cannot come from a server name's rule). `hub` tells apart the hubs
    of one host (`hub_key`): two hubs' users of one name must not share a group, whose
    leftovers one hub's stop kills."""
    return SAFE.sub("_", f"{hub}--{user}--{server or 'home'}")


def hub_key(users_root: str) -> str:
    """A short name for the hub that keeps its users' folders in `users_root`: the same
    across the hub's restarts (a group left by a crash is found and reset)."""
    return hashlib.sha256(os.path.abspath(users_root).encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Cgroups:
    """Where workspace groups are made: v1 (memory and cpu bases) or v2 (one base)."""

    version: int
    bases: tuple[Path, ...]  # v1: (memory base, cpu base); v2: (base,)

    @classmethod
    def probe(cls, root: Path = ROOT, own: Path = SELF) -> tuple[Cgroups | None, str]:
        """The hub's cgroups if it can make workspace groups there, else (None, why)."""
        try:
            lines = own.read_text().splitlines()
        except OSError as error:
            return None, f"cannot read {own}: {error.strerror}"
        paths: dict[str, str] = {}
        for line in lines:
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                paths[controller] = path
        if (root / "cgroup.controllers").is_file():
            found = cls(2, (root / paths.get("", "/").lstrip("/") / BASE_NAME,))
        elif (root / "memory").is_dir() and (root / "cpu").is_dir():
            memory = root / "memory" / paths.get("memory", "/").lstrip("/") / BASE_NAME
            cpu = root / "cpu" / paths.get("cpu", "/").lstrip("/") / BASE_NAME
            found = cls(1, (memory, cpu))
        else:
            return None, f"no cgroup v2 at {root} and no v1 memory and cpu hierarchies"
        why = found._prepare()
        return (found, "") if not why else (None, why)

    def _prepare(self) -> str:
        """Make the bases (and give v2's its controllers); '' when done, else why not."""
        try:
            for base in self.bases:
                base.mkdir(exist_ok=True)
            if self.version == 2:
                parent = self.bases[0].parent
                wanted = {"memory", "cpu"}
                if not wanted <= set((parent / "cgroup.controllers").read_text().split()):
                    return f"cgroup v2 at {parent} does not offer the memory and cpu controllers"
                (parent / "cgroup.subtree_control").write_text("+memory +cpu")
                (self.bases[0] / "cgroup.subtree_control").write_text("+memory +cpu")
        except OSError as error:
            return (
                f"cannot make control groups under {self.bases[0].parent} "
                f"({error.strerror}): limits need the hub to run as root with a writable "
                "cgroup filesystem (cgroup v2: a delegated group)"
            )
        return ""

    def paths(self, name: str) -> list[Path]:
        return [base / name for base in self.bases]

    def make(self, name: str, mem: int | None, cpus: float | None) -> list[Path]:
        """The workspace's groups with its limits (made, or reset if left over)."""
        groups = self.paths(name)
        for group in groups:
            group.mkdir(exist_ok=True)
        quota = str(int(cpus * CPU_PERIOD_US)) if cpus else None
        if self.version == 2:
            (groups[0] / "memory.max").write_text(str(mem) if mem else "max")
            (groups[0] / "cpu.max").write_text(f"{quota or 'max'} {CPU_PERIOD_US}")
        else:
            memory, cpu = groups
            (memory / "memory.limit_in_bytes").write_text(str(mem) if mem else "-1")
            (cpu / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
            (cpu / "cpu.cfs_quota_us").write_text(quota or "-1")
        return groups


def join(groups: list[Path]) -> None:
    """Move the calling process into the groups (a preexec function: before exec)."""
    pid = str(os.getpid())
    for group in groups:
        (group / "cgroup.procs").write_text(pid)


def members(groups: list[Path]) -> set[int]:
    found: set[int] = set()
    for group in groups:
        try:
            found.update(int(pid) for pid in (group / "cgroup.procs").read_text().split())
        except OSError:
            continue
    return found


def kill_members(groups: list[Path]) -> None:
    """SIGKILL whatever is left in the groups, by pid."""
    for pid in members(groups):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def remove(groups: list[Path]) -> list[str]:
    """Remove the groups; what could not be removed, and why (a group whose killed
    members have not exited yet is busy: try again)."""
    problems = []
    for group in groups:
        try:
            group.rmdir()
        except FileNotFoundError:
            pass
        except OSError as error:
            problems.append(f"{group}: {error.strerror}")
    return problems
