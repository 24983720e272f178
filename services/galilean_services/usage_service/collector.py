"""Every `every` seconds: the running workspaces' readings (measure.py), kept in the store;
their disk every `disk_every` readings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..folders import users_root, workspace_folder
from ..usage.measure import ContainerMeter, ProcessMeter, Reading, folder_size
from ..usage.store import Sample, UsageStore
from .hub_api import HubApi, Workspace

log = logging.getLogger("galilean.usage")


def docker_client() -> Any:
    import docker

    return docker.from_env()


class Collector:
    def __init__(
        self,
        store: UsageStore,
        hub: HubApi,
        mode: str,
        data: Path,
        disk_every: int = 10,
        client: Callable[[], Any] = docker_client,
    ) -> None:
        self.store = store
        self.hub = hub
        self.mode = mode
        self.data = data
        self.disk_every = disk_every
        self.processes = ProcessMeter()
        self.containers = ContainerMeter(client)
        self.ticks = 0

    def reading(self, workspace: Workspace) -> Reading | None:
        if self.mode == "docker":
            name = workspace.state.get("object_name") or workspace.state.get("object_id")
            return self.containers.read(str(name)) if name else None
        pid = workspace.state.get("pid")
        return self.processes.read(int(pid)) if pid else None

    def disks(self, workspaces: list[Workspace]) -> dict[tuple[str, str], int]:
        if self.mode == "docker":
            sizes = self.containers.volume_sizes()
            found = {}
            for w in workspaces:
                name = w.state.get("object_name") or w.state.get("object_id")
                volume = self.containers.home_volume(str(name)) if name else None
                if volume in sizes:
                    found[(w.user, w.server)] = sizes[volume]
            return found
        root = users_root(self.data)
        return {
            (w.user, w.server): folder_size(workspace_folder(root, w.user, w.server))
            for w in workspaces
        }

    def collect(self) -> list[Sample]:
        """One round (blocking: run it in a thread)."""
        workspaces = [w for w in self.hub.running() if w.ready]
        disks = self.disks(workspaces) if self.ticks % self.disk_every == 0 else {}
        self.ticks += 1
        taken = []
        for workspace in workspaces:
            try:
                reading = self.reading(workspace)
            except Exception as error:  # one workspace's failure is not the round's
                log.warning("no reading of %s/%s: %s", workspace.user, workspace.server, error)
                continue
            if reading is None:
                continue
            taken.append(
                Sample(
                    user=workspace.user,
                    server=workspace.server,
                    cpu=reading.cpu,
                    memory=reading.memory,
                    memory_limit=reading.memory_limit,
                    cpu_limit=reading.cpu_limit,
                    disk=disks.get((workspace.user, workspace.server)),
                )
            )
        if self.mode != "docker":
            self.processes.forget_except(
                {int(w.state["pid"]) for w in workspaces if w.state.get("pid")}
            )
        self.store.record(taken)
        return taken

    async def run(self, every: float, stopped: asyncio.Event) -> None:
        while not stopped.is_set():
            try:
                await asyncio.to_thread(self.collect)
            except Exception as error:
                log.warning("usage round failed: %s", error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopped.wait(), timeout=every)
