"""The execution plane as the service sees it: start one of the engine's entry points
(`worker` for a run, `endpoint_worker` for an endpoint) as a flow's owner, talk to it
through stdin/stdout, kill it.

Two planes give the same `Child`: `LocalPlane` (a process on this machine, bubblewrap or
plain, see isolation.py) and `DockerPlane` (a container from the user's image, see
docker_plane.py). The run manager and the endpoint pool know nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Protocol

from ..kit.settings import CommonSettings
from .config import PlaneConfig
from .confinement import ProcessLimits, preexec
from .isolation import Isolation, IsolationUnavailable, choose, environment

LINE_LIMIT = 64 * 1024 * 1024  # one reply line: up to 10,000 rows per output


class PlaneUnavailable(RuntimeError):
    """The plane cannot start a run now (docker mode: the engine does not answer); the
    message says why, for the run's record or the request's answer."""


class Child(Protocol):
    """What the service holds of a started worker (the shape of asyncio's Process)."""

    stdin: asyncio.StreamWriter | None
    stdout: asyncio.StreamReader | None
    stderr: asyncio.StreamReader | None

    @property
    def returncode(self) -> int | None: ...

    async def communicate(self, input: bytes | None = None) -> tuple[bytes, bytes]: ...

    async def wait(self) -> int: ...

    def kill(self) -> None: ...


class Plane(Protocol):
    @property
    def isolated(self) -> bool: ...

    @property
    def network(self) -> bool: ...

    def describe(self) -> str: ...

    async def spawn(
        self, module: str, folder: Path, owner: str, name: str, network: bool = True
    ) -> Child: ...

    async def reap(self) -> int: ...

    def tidy(self) -> None: ...

    def close(self) -> None: ...


class LocalChild:
    """A worker process; killing it kills its whole process group (and its sandbox)."""

    def __init__(
        self, proc: asyncio.subprocess.Process, limits: ProcessLimits, group: Path | None
    ) -> None:
        self.proc = proc
        self.stdin = proc.stdin
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self._limits = limits
        self._group = group

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    async def communicate(self, input: bytes | None = None) -> tuple[bytes, bytes]:
        try:
            return await self.proc.communicate(input)
        finally:
            self._release()

    async def wait(self) -> int:
        try:
            return await self.proc.wait()
        finally:
            self._release()

    def kill(self) -> None:
        # Its cgroup holds everything it started (a sandbox being set up, a Python node
        # in a session of its own): all of it goes. Without cgroups, its process group.
        self._limits.kill(self._group)
        if self.proc.returncode is not None:  # reaped: its pid may be someone else's now
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def _release(self) -> None:
        if self.proc.returncode is not None:
            self._limits.kill(self._group)  # nothing of it outlives it
            self._limits.remove(self._group)
            self._group = None


class LocalPlane:
    def __init__(self, isolation: Isolation, limits: ProcessLimits) -> None:
        self.isolation = isolation
        self.limits = limits

    @property
    def isolated(self) -> bool:
        return self.isolation.isolated

    @property
    def network(self) -> bool:
        """Whether runs may have the network at all (none: every run has it)."""
        return self.isolation.network

    def describe(self) -> str:
        return self.isolation.describe()

    async def spawn(
        self, module: str, folder: Path, owner: str, name: str, network: bool = True
    ) -> Child:
        argv = [sys.executable, "-m", module]
        group = self.limits.create(name)
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.isolation.command(argv, folder, network),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
                limit=LINE_LIMIT,
                cwd=folder,
                env=environment(folder),
                preexec_fn=preexec(group),
            )
        except BaseException:
            self.limits.kill(group)  # whatever of it had started
            self.limits.remove(group)
            raise
        return LocalChild(proc, self.limits, group)

    async def reap(self) -> int:
        """Local workers die with the service (PR_SET_PDEATHSIG): nothing to reap."""
        return 0

    def tidy(self) -> None:
        self.limits.sweep()

    def close(self) -> None:
        self.limits.close()


def make_plane(config: PlaneConfig) -> Plane:
    """The plane the settings ask for: docker (a container per run), or a local process
    isolated by bubblewrap where it works (see isolation.choose)."""
    if config.isolation == "docker":
        from .docker_plane import DockerPlane  # the Docker SDK only where it is used

        return DockerPlane(config)
    isolation = choose(
        config.isolation, config.needs_network, config.subject, config.isolation_variable
    )
    data = CommonSettings.from_environ(os.environ).data_path
    for readable in isolation.readable:  # Python's folders, shown read-only to every run
        if data.is_relative_to(readable):
            raise IsolationUnavailable(
                f"the data folder {data} lies inside {readable}, which runs must read (this "
                "Python): move GALILEAN_DATA_DIR out of it"
            )
    return LocalPlane(isolation, ProcessLimits(config.max_processes))
