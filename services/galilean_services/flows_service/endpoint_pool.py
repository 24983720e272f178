"""The service's side of published endpoints: worker processes, one pool per endpoint.

A worker (endpoint_worker.py) starts on an endpoint's first call, in the execution plane
(the owner's folder only), and stays warm with its compiled plans until it has been idle
for `ttl` seconds. Each endpoint has its own workers and its own bound on calls at once,
so one user's slow endpoint never holds another's call; all endpoints together keep at
most `max_workers` processes (the least recently used idle one makes room). A call past
the time limit kills its worker — Python nodes included — and answers 504.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import GalileanError
from ..execution.plane import Child, Plane
from .network_policy import runs_python
from .run_secrets import OwnerSecrets, SecretsUnavailable, secrets_for

log = logging.getLogger("galilean.flows")
Key = tuple[str, int, int]  # endpoint name, flow id, version
WORKER = "galilean_services.flows_service.endpoint_worker"
STDERR_KEEP = 4000


class WorkerGone(Exception):
    """The worker ended before answering."""


@dataclass
class Worker:
    key: Key
    proc: Child
    owner: str
    used: float = 0.0
    stderr: list[bytes] = field(default_factory=list)
    drain: asyncio.Task[None] | None = None

    async def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            await self.proc.stdin.drain()
            line = await self.proc.stdout.readline()  # ValueError past LINE_LIMIT
        except (ConnectionError, ValueError) as exc:
            raise WorkerGone(f"its answer could not be read ({type(exc).__name__})") from None
        if not line:
            raise WorkerGone(self.last_words())
        try:  # what the worker wrote (code in it may write too): a dict, or it is gone
            answer = json.loads(line)
        except ValueError:
            raise WorkerGone("it answered something that is not JSON") from None
        if not isinstance(answer, dict):
            raise WorkerGone("it answered something that is not a JSON object")
        return answer

    def last_words(self) -> str:
        text = b"".join(self.stderr).decode(errors="replace").strip().splitlines()
        return text[-1] if text else "no output"

    def kill(self) -> None:
        self.proc.kill()


class EndpointPool:
    def __init__(
        self,
        plane: Plane,
        *,
        max_workers: int,
        per_endpoint: int,
        timeout: float,
        ttl: float,
        memory_limit: str,
        http_allow: tuple[str, ...],
        clock: Callable[[], float] = time.monotonic,
        secrets: OwnerSecrets | None = None,
    ) -> None:
        self.plane = plane
        self.secrets = secrets  # the owners', for endpoints whose flow opens connections
        self.max_workers = max_workers
        self.per_endpoint = per_endpoint
        self.timeout = timeout
        self.ttl = ttl
        self.memory_limit = memory_limit
        self.http_allow = http_allow
        self.clock = clock
        self._idle: dict[Key, list[Worker]] = {}
        self._all: list[Worker] = []
        self._slots: dict[Key, asyncio.Semaphore] = {}
        self._serial = 0
        self._starting: dict[str, int] = {}  # owner → workers being started
        self._start_seconds: dict[Key, float] = {}  # how long the endpoint's last start took
        # One user's endpoints may hold at most half the workers: the rest serve the others.
        self.per_owner = max(1, max_workers // 2)

    @property
    def workers(self) -> int:
        return len(self._all)

    async def call(
        self,
        key: Key,
        content: Callable[[], str],
        base_dir: Path,
        owner: str,
        query: dict[str, str],
        body: Any,
        folder: str = "",
    ) -> dict[str, Any]:
        """The endpoint's answer body; GalileanError with its status otherwise. The worker
        runs confined to `base_dir` (the owner's folder) and reads the flow's relative paths
        in `folder` inside it (flow_folders.folder_of)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        self.expire()
        slot = self._slots.setdefault(key, asyncio.Semaphore(self.per_endpoint))
        try:
            await asyncio.wait_for(slot.acquire(), self.timeout)
        except TimeoutError:
            raise self._late("waited") from None
        try:
            worker = self._take(key)
            if worker is None:
                left = deadline - loop.time()
                # A start that cannot finish in the time left is not begun: it would
                # only leave a worker behind for a call that has already failed.
                if left <= self._start_seconds.get(key, 0.0):
                    raise self._late("waited")
                # A start is never cancelled half-way (asyncio would then wait for a
                # process half set up); past the deadline it finishes on its own and its
                # worker waits, warm, for the next call.
                starting = asyncio.ensure_future(
                    self._start(key, content(), base_dir, owner, folder)
                )
                try:
                    worker = await asyncio.wait_for(asyncio.shield(starting), left)
                except TimeoutError:
                    starting.add_done_callback(lambda done: self._park(key, done))
                    raise self._late("started") from None
            try:
                answer = await asyncio.wait_for(
                    worker.ask({"query": query, "body": body}), max(0.0, deadline - loop.time())
                )
            except TimeoutError:
                self._discard(worker)
                raise self._late("ran") from None
            except WorkerGone as gone:
                self._discard(worker)
                raise GalileanError(
                    f"endpoint {key[0]!r}: its worker stopped ({gone})", status=502
                ) from None
            worker.used = self.clock()
            self._idle.setdefault(key, []).append(worker)
        finally:
            slot.release()
        return self._answer(answer)

    def _park(self, key: Key, started: asyncio.Future[Worker]) -> None:
        """A worker whose start outlived its call: kept for the next one."""
        if started.cancelled() or started.exception() is not None:
            return
        worker = started.result()
        worker.used = self.clock()
        self._idle.setdefault(key, []).append(worker)

    def _late(self, what: str) -> GalileanError:
        """504 when the call's own work passed the time limit; 503 when it waited."""
        if what == "ran":
            message = (
                f"took more than {self.timeout:g} s (the endpoint's time limit); it was stopped"
            )
            return GalileanError(message, status=504)
        if what == "started":
            message = f"the endpoint's worker did not start within {self.timeout:g} s: try again"
        else:
            message = f"the endpoint was busy for more than {self.timeout:g} s: try again"
        return GalileanError(message, status=503)

    @staticmethod
    def _answer(answer: dict[str, Any]) -> dict[str, Any]:
        status = int(answer.get("status", 500))
        body = answer.get("body") or {}
        if status >= 300:
            message = str(body.get("error", "the endpoint failed"))
            raise GalileanError(message, body.get("errors", []), status)
        return dict(body)

    def _take(self, key: Key) -> Worker | None:
        idle = self._idle.get(key) or []
        while idle:
            worker = idle.pop()
            if worker.proc.returncode is None:
                return worker
            self._discard(worker)
        return None

    async def _start(
        self, key: Key, content: str, base_dir: Path, owner: str, folder: str = ""
    ) -> Worker:
        self._make_room(owner)
        self._serial += 1
        began = self.clock()
        self._starting[owner] = self._starting.get(owner, 0) + 1  # counted while it starts
        try:
            proc = await self.plane.spawn(
                WORKER,
                base_dir,
                owner,
                f"endpoint-{key[0]}-{self._serial}",
                network=not runs_python(content),
            )
        except Exception as exc:  # OSError, or the Docker API's errors
            why = f"endpoint {key[0]!r} could not start: {type(exc).__name__}"
            raise GalileanError(why, status=503) from None
        finally:
            self._starting[owner] -= 1
        worker = Worker(key, proc, owner, used=self.clock())
        worker.drain = asyncio.get_running_loop().create_task(_drain(worker))
        self._all.append(worker)
        spec = {
            "content": content,
            "base_dir": str(base_dir),
            "folder": folder,
            "memory_limit": self.memory_limit,
            "http_allow": list(self.http_allow),
            "sql_timeout": self.timeout,
        }
        try:
            given = await secrets_for(self.secrets, owner, content)
            if given is not None:
                spec["secrets"] = given  # on its stdin only
            ready = await worker.ask(spec)
        except SecretsUnavailable as exc:
            self._discard(worker)
            why = f"endpoint {key[0]!r} could not read its owner's secrets: {exc}"
            raise GalileanError(why, status=503) from None
        except WorkerGone as gone:
            self._discard(worker)
            why = f"endpoint {key[0]!r} could not start: {gone}"
            raise GalileanError(why, status=502) from None
        except BaseException:
            self._discard(worker)
            raise
        if int(ready.get("status", 500)) != 200:
            self._discard(worker)
            self._answer(ready)
        self._start_seconds[key] = self.clock() - began
        log.info("endpoint %s: worker started", key[0])
        return worker

    def _make_room(self, owner: str) -> None:
        """Room for one more worker of `owner`: their own least recently used idle one
        goes first when they hold their share; anyone's when all are taken."""
        idle = [w for ws in self._idle.values() for w in ws]
        while self._held(owner) >= self.per_owner:
            own = [w for w in idle if w.owner == owner]
            if not own:
                raise GalileanError(
                    f"your endpoints already keep {self.per_owner} worker(s) busy, the most "
                    "one user may: try again when one is done",
                    status=429,
                )
            oldest = min(own, key=lambda w: w.used)
            self._discard(oldest)
            idle.remove(oldest)
        while len(self._all) + sum(self._starting.values()) >= self.max_workers:
            if not idle:
                raise GalileanError(
                    f"all {self.max_workers} endpoint workers are busy: try again",
                    status=503,
                )
            oldest = min(idle, key=lambda w: w.used)
            self._discard(oldest)
            idle.remove(oldest)

    def _held(self, owner: str) -> int:
        return sum(1 for w in self._all if w.owner == owner) + self._starting.get(owner, 0)

    def _discard(self, worker: Worker) -> None:
        worker.kill()
        idle = self._idle.get(worker.key)
        if idle and worker in idle:
            idle.remove(worker)
        if worker in self._all:
            self._all.remove(worker)
        asyncio.get_running_loop().create_task(self._reap(worker))

    async def _reap(self, worker: Worker) -> None:
        with contextlib.suppress(ProcessLookupError):
            await worker.proc.wait()
        if worker.drain is not None:
            worker.drain.cancel()

    def expire(self) -> None:
        """Stop workers idle for longer than the TTL."""
        now = self.clock()
        for workers in list(self._idle.values()):
            for worker in [w for w in workers if now - w.used > self.ttl]:
                self._discard(worker)

    def drop(self, name: str) -> None:
        """Stop the workers of an endpoint (republished, unpublished, deleted)."""
        for worker in [w for w in self._all if w.key[0] == name]:
            self._discard(worker)

    async def close(self) -> None:
        workers = list(self._all)
        for worker in workers:
            self._discard(worker)
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                await worker.proc.wait()


async def _drain(worker: Worker) -> None:
    """Keep the end of what the worker writes to stderr (its last words on a crash)."""
    stream = worker.proc.stderr
    assert stream is not None
    with contextlib.suppress(asyncio.CancelledError):
        while chunk := await stream.read(4096):
            worker.stderr.append(chunk)
            while sum(len(c) for c in worker.stderr) > STDERR_KEEP and len(worker.stderr) > 1:
                worker.stderr.pop(0)
