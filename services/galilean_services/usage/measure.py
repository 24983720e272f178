"""How much a running workspace uses now: embedded mode from its process tree (psutil),
docker mode from its container (Docker's stats API). CPU is a percentage of one core over
the time since the previous reading (the first reading of a workspace says 0); memory is
what the processes hold (RSS; a container's usage without its reclaimable file cache);
disk is the size of the workspace's home. No web framework."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from ..sizes import files_under

HOME_IN_CONTAINER = "/home/jovyan"


@dataclass(frozen=True)
class Reading:
    cpu: float
    memory: int
    memory_limit: int | None = None
    cpu_limit: float | None = None


def folder_size(root: Path) -> int:
    """Bytes of the files under `root` (links not followed; unreadable parts skipped)."""
    return sum(size for _, _, size in files_under(root))


def limits_from_environment(env: dict[str, str]) -> tuple[int | None, float | None]:
    """A server's limits as the spawner gave them (MEM_LIMIT, CPU_LIMIT; none: no limit)."""
    memory = env.get("MEM_LIMIT")
    cpus = env.get("CPU_LIMIT")
    try:
        return (int(memory) if memory else None, float(cpus) if cpus else None)
    except ValueError:
        return None, None


class ProcessMeter:
    """Readings of process trees; keeps each process between readings, as psutil's
    cpu_percent measures since the previous call on the same object."""

    def __init__(self) -> None:
        self._known: dict[int, psutil.Process] = {}

    def _process(self, pid: int) -> psutil.Process:
        known = self._known.get(pid)
        if known is not None and known.is_running():
            return known
        self._known[pid] = psutil.Process(pid)
        return self._known[pid]

    def read(self, pid: int) -> Reading | None:
        """The tree under `pid` now; None when it is gone."""
        try:
            root = self._process(pid)
            tree = [root, *root.children(recursive=True)]
            env = root.environ()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        cpu = 0.0
        memory = 0
        alive = set()
        for child in tree:
            try:
                process = self._process(child.pid)
                cpu += process.cpu_percent(None)
                memory += process.memory_info().rss
                alive.add(child.pid)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        memory_limit, cpu_limit = limits_from_environment(env)
        return Reading(round(cpu, 1), memory, memory_limit, cpu_limit)

    def forget_except(self, roots: set[int]) -> None:
        """Drop processes no tree has any more."""
        keep: set[int] = set()
        for pid in roots:
            try:
                root = self._known.get(pid) or psutil.Process(pid)
                keep.add(pid)
                keep.update(p.pid for p in root.children(recursive=True))
            except psutil.NoSuchProcess:
                continue
        self._known = {pid: p for pid, p in self._known.items() if pid in keep}


class ContainerMeter:
    """Readings of containers through the Docker engine's API (a docker-py client, made
    on first use)."""

    def __init__(self, client: Callable[[], Any]) -> None:
        self._client = client
        self._previous: dict[str, tuple[int, int]] = {}  # container → (cpu, system) ns

    def read(self, container: str) -> Reading | None:
        import docker.errors

        api = self._client().api
        try:
            stats = api.stats(container, stream=False, one_shot=True)
            attrs = api.inspect_container(container)
        except docker.errors.NotFound:
            self._previous.pop(container, None)
            return None
        cpu_stats = stats.get("cpu_stats") or {}
        total = int((cpu_stats.get("cpu_usage") or {}).get("total_usage") or 0)
        system = int(cpu_stats.get("system_cpu_usage") or 0)
        online = int(cpu_stats.get("online_cpus") or 1)
        cpu = 0.0
        before = self._previous.get(container)
        if before and system > before[1]:
            cpu = (total - before[0]) / (system - before[1]) * online * 100
        self._previous[container] = (total, system)
        memory_stats = stats.get("memory_stats") or {}
        detail = memory_stats.get("stats") or {}
        cache = int(detail.get("inactive_file", detail.get("total_inactive_file", 0)) or 0)
        memory = max(0, int(memory_stats.get("usage") or 0) - cache)
        host = attrs.get("HostConfig") or {}
        memory_limit = int(host.get("Memory") or 0) or None
        cpu_limit = (int(host.get("NanoCpus") or 0) / 1e9) or None
        if not cpu_limit and host.get("CpuQuota") and host.get("CpuPeriod"):
            cpu_limit = int(host["CpuQuota"]) / int(host["CpuPeriod"])
        return Reading(round(max(cpu, 0.0), 1), memory, memory_limit, cpu_limit)

    def home_volume(self, container: str) -> str | None:
        """The volume mounted as the container's home."""
        mounts = self._client().api.inspect_container(container).get("Mounts") or []
        for mount in mounts:
            if mount.get("Destination") == HOME_IN_CONTAINER and mount.get("Type") == "volume":
                return str(mount.get("Name"))
        return None

    def volume_sizes(self) -> dict[str, int]:
        """Every volume's size as the engine counts it (it walks them: not every tick)."""
        usage = self._client().api.df().get("Volumes") or []
        return {
            str(volume["Name"]): int((volume.get("UsageData") or {}).get("Size") or 0)
            for volume in usage
            if (volume.get("UsageData") or {}).get("Size", -1) >= 0
        }
