"""Docker mode's execution plane: every run, and every endpoint worker, is a container
started through the Docker API from the user's notebook image (it carries the engine and
the user's libraries).

The container gets only the owner's shared folder (at the same path as in the hub, so
paths in flows and connections mean the same), runs as uid 1000 (the notebook user: files
it writes are the user's), with the user containers' memory and CPU limits, a bound on
processes, no capabilities, a read-only root with a private /tmp, no Docker socket, no
hub volume, none of the hub's secrets, and no network unless the admin allows it (then
the stack's network, with the engine's allow-list checks). The service talks to it over
the attach stream (stdin in, stdout/stderr out, multiplexed by Docker).

Containers cannot die with the service, so they carry a label naming this service; a
service that starts removes those an earlier one left (its runs are marked failed).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import docker
import requests
from docker.errors import DockerException

from ..limits import group_limits
from .config import PlaneConfig
from .isolation import environment
from .plane import LINE_LIMIT, PlaneUnavailable

log = logging.getLogger("galilean.execution")
NOTEBOOK_UID = 1000
HEADER = 8  # Docker's multiplexed stream: [kind, 0, 0, 0, size (4 bytes, big-endian)]
LIMITS_TTL = 60.0  # seconds an owner's group limits are remembered


def _instance(config: PlaneConfig) -> str:
    """A name for this service (its users' folders), the same after a restart."""
    return hashlib.sha256(config.files_root.encode()).hexdigest()[:16]


class ContainerChild:
    """A running container, shaped like asyncio's Process for the run manager and the pool."""

    def __init__(
        self, container: Any, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.container = container
        self.stdin: asyncio.StreamWriter | None = writer
        self.stdout: asyncio.StreamReader | None = asyncio.StreamReader(limit=LINE_LIMIT)
        self.stderr: asyncio.StreamReader | None = asyncio.StreamReader(limit=LINE_LIMIT)
        self._code: int | None = None
        self._demux = asyncio.get_running_loop().create_task(self._split(reader))
        self._waited: asyncio.Task[int] | None = None

    @property
    def returncode(self) -> int | None:
        return self._code

    async def _split(self, reader: asyncio.StreamReader) -> None:
        assert self.stdout is not None
        assert self.stderr is not None
        try:
            while True:
                header = await reader.readexactly(HEADER)
                payload = await reader.readexactly(int.from_bytes(header[4:8], "big"))
                target = self.stderr if header[0] == 2 else self.stdout
                # Backpressure: a reader that is not keeping up holds the container back.
                while len(getattr(target, "_buffer", b"")) > LINE_LIMIT:
                    await asyncio.sleep(0.01)
                target.feed_data(payload)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.stdout.feed_eof()
            self.stderr.feed_eof()

    async def communicate(self, input: bytes | None = None) -> tuple[bytes, bytes]:
        assert self.stdin is not None
        assert self.stdout is not None
        assert self.stderr is not None
        with contextlib.suppress(ConnectionError):
            if input:
                self.stdin.write(input)
                await self.stdin.drain()
            if self.stdin.can_write_eof():
                self.stdin.write_eof()  # the container's stdin ends
        out, err = await asyncio.gather(self.stdout.read(), self.stderr.read())
        await self.wait()
        return out, err

    async def wait(self) -> int:
        if self._waited is None:
            self._waited = asyncio.get_running_loop().create_task(self._wait())
        return await asyncio.shield(self._waited)

    async def _wait(self) -> int:
        try:
            status = await asyncio.to_thread(self.container.wait)
            code = int(status.get("StatusCode", 1))
        except DockerException:
            code = 1
        # 128 + n: killed by signal n (what a process's negative code says)
        self._code = -(code - 128) if 128 < code < 160 else code
        await self._demux
        if self.stdin is not None:
            self.stdin.close()
        await asyncio.to_thread(_remove, self.container)
        return self._code

    def kill(self) -> None:
        asyncio.get_running_loop().run_in_executor(None, _kill, self.container)


def _kill(container: Any) -> None:
    with contextlib.suppress(DockerException):
        container.kill(signal="SIGKILL")


def _remove(container: Any) -> None:
    with contextlib.suppress(DockerException):
        container.remove(force=True)


def hub_groups(owner: str) -> list[SimpleNamespace]:
    """The owner's groups with their properties, from the hub's API (this service's token
    has read:users:groups and read:groups)."""
    api = os.environ["JUPYTERHUB_API_URL"].rstrip("/")
    headers = {"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"}
    user = requests.get(f"{api}/users/{quote(owner)}", headers=headers, timeout=5)
    user.raise_for_status()
    groups = []
    for name in user.json().get("groups") or []:
        group = requests.get(f"{api}/groups/{quote(name)}", headers=headers, timeout=5)
        group.raise_for_status()
        groups.append(SimpleNamespace(name=name, properties=group.json().get("properties")))
    return groups


class DockerPlane:
    def __init__(
        self,
        config: PlaneConfig,
        client: Any = None,
        groups: Callable[[str], list[Any]] = hub_groups,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._client = client  # reached on first use: a service starts without an engine
        self.instance = _instance(config)
        self.network = config.needs_network
        self.groups = groups
        self.clock = clock
        self._limits: dict[str, tuple[float, tuple[int | str, float]]] = {}

    @property
    def client(self) -> Any:
        """The Docker client, made when a run first needs it. A service whose engine does
        not answer still starts (its health, its runs' records); each run fails saying why."""
        if self._client is None:
            try:
                self._client = docker.from_env()
            except DockerException as exc:
                raise PlaneUnavailable(
                    f"the Docker engine does not answer ({exc}): in docker mode each run is a "
                    "container, so the hub needs the engine's socket (/var/run/docker.sock)"
                ) from None
        return self._client

    def limits_of(self, owner: str) -> tuple[int | str, float]:
        """Memory and CPUs of the owner's runs: what their groups give their containers
        (galilean.mem_limit / galilean.cpu_limit), else the stack's defaults. Asked of the
        hub at most once a minute per owner."""
        now = self.clock()
        cached = self._limits.get(owner)
        if cached is not None and now - cached[0] < LIMITS_TTL:
            return cached[1]
        mem: int | str = self.config.docker_mem_limit
        cpu = self.config.docker_cpu_limit
        try:
            group_mem, group_cpu = group_limits(self.groups(owner))
        except (requests.RequestException, KeyError, ValueError) as exc:
            log.warning("limits of %s: the hub's groups could not be read (%s)", owner, exc)
            group_mem = group_cpu = None
        found = (mem if group_mem is None else group_mem, cpu if group_cpu is None else group_cpu)
        self._limits[owner] = (now, found)
        return found

    @property
    def isolated(self) -> bool:
        return True

    def describe(self) -> str:
        net = f"network {self.config.docker_network}" if self.network else "no network"
        return (
            f"{self.config.subject} run in containers from {self.config.docker_image} "
            f"as uid {NOTEBOOK_UID}, "
            f"with only the owner's folder, {net}"
        )

    def environment(self, folder: Path) -> dict[str, str]:
        """A local run's environment, but the image's own PATH (its Python)."""
        env = environment(folder)
        del env["PATH"]
        return env

    def _create(self, module: str, folder: Path, owner: str, name: str, network: bool) -> Any:
        if folder.stat().st_uid != NOTEBOOK_UID:  # made by this service (root) before a spawn
            os.chown(folder, NOTEBOOK_UID, NOTEBOOK_UID)
        mem, cpu = self.limits_of(owner)
        net: dict[str, Any] = {"network_mode": "none"}
        if network and self.network and self.config.docker_network:
            net = {"network": self.config.docker_network}
        return self.client.containers.create(
            self.config.docker_image,
            command=["python", "-m", module],
            stdin_open=True,
            tty=False,
            user=f"{NOTEBOOK_UID}:{NOTEBOOK_UID}",
            working_dir=str(folder),
            environment=self.environment(folder),
            volumes={str(folder): {"bind": str(folder), "mode": "rw"}},
            mem_limit=mem,
            nano_cpus=int(cpu * 1e9),
            pids_limit=self.config.max_processes,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            read_only=True,
            tmpfs={"/tmp": "rw,nosuid,nodev,size=1g"},  # noqa: S108
            labels={
                f"galilean.{self.config.service}.service": self.instance,
                f"galilean.{self.config.service}.owner": owner,
                f"galilean.{self.config.service}.job": name,
            },
            **net,
        )

    @staticmethod
    def _attach_and_start(container: Any) -> Any:
        stream = container.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        container.start()
        sock = getattr(stream, "_sock", stream)
        sock.setblocking(False)
        return sock

    async def spawn(
        self, module: str, folder: Path, owner: str, name: str, network: bool = True
    ) -> ContainerChild:
        container = await asyncio.to_thread(self._create, module, folder, owner, name, network)
        try:
            sock = await asyncio.to_thread(self._attach_and_start, container)
            reader, writer = await asyncio.open_connection(sock=sock, limit=LINE_LIMIT)
        except BaseException:
            await asyncio.to_thread(_remove, container)
            raise
        return ContainerChild(container, reader, writer)

    def tidy(self) -> None:
        """Containers are removed as their runs end: nothing to tidy."""

    def close(self) -> None:
        """Containers are removed as their runs end (and by the next service)."""

    async def reap(self) -> int:
        """Remove the containers an earlier instance of this service left."""

        def remove_all() -> int:
            found = self.client.containers.list(
                all=True,
                filters={"label": f"galilean.{self.config.service}.service={self.instance}"},
            )
            for container in found:
                _remove(container)
            return len(found)

        try:
            return await asyncio.to_thread(remove_all)
        except (DockerException, PlaneUnavailable) as exc:
            log.warning("could not list earlier flow containers: %s", exc)
            return 0
