"""Runs: each in its own worker process, at most N at once, with a time limit and cancel.

The worker runs as the flow's owner in the execution plane (isolation.py: bubblewrap in
embedded mode), with a bound on its processes and killed with the service. The record
in the store follows the run: queued → running → succeeded | failed | cancelled. Logs
are the worker's log lines plus what it wrote to stderr (trimmed). A run that did not
succeed leaves no half-written `.partial` file behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

from ..execution.confinement import ProcessLimits
from ..execution.isolation import Isolation
from ..execution.plane import Child, LocalPlane, Plane
from ..flows.disk_cache import run_spill_folder
from ..flows.paths import partial_name
from .config import ServiceConfig
from .mlflow_record import MlflowRecorder, RecordError
from .network_policy import OFFLINE, runs_python
from .run_secrets import OwnerSecrets, SecretsUnavailable, secrets_for
from .store import FINISHED, Store

log = logging.getLogger("galilean.flows")
STDERR_KEEP = 20_000
RECORD_TIMEOUT = 900  # seconds to log one training to MLflow (models up to 24 MiB)
WORKER = "galilean_services.flows_service.worker"


class RunManager:
    def __init__(
        self,
        store: Store,
        config: ServiceConfig,
        plane: Plane | None = None,
        recorder: MlflowRecorder | None = None,
        secrets: OwnerSecrets | None = None,
    ) -> None:
        self.store = store
        # Logs what training nodes did to MLflow as the owner (None: no MLflow here).
        self.recorder = recorder
        # The owners' secrets, for flows with connections (None: not under a hub).
        self.secrets = secrets
        self.plane: Plane = plane or LocalPlane(
            Isolation("none", network=True), ProcessLimits(config.max_processes)
        )
        self.timeout = config.run_timeout
        self.http_allow = config.http_allow
        self.memory_limit = config.memory_limit
        self.engine = config.engine
        self._slots = asyncio.Semaphore(config.max_parallel_runs)
        self._procs: dict[str, Child] = {}
        self._cancelled: set[str] = set()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._flows: dict[str, int] = {}  # run → flow, while queued or running

    @property
    def active(self) -> int:
        """Runs whose worker process is running now."""
        return len(self._procs)

    def start(
        self,
        run_id: str,
        content: str,
        params: dict[str, Any],
        base_dir: Path,
        flow_id: int = 0,
        owner: str = "",
        targets: list[str] | None = None,
        folder: str = "",
        origin: dict[str, str] | None = None,
    ) -> None:
        """Start run `run_id`; `targets`: the nodes it runs up to ("run up to here", the
        job's `targets`; absent: every destination); `folder`: where in `base_dir` the
        flow's relative paths are read from (service.folder_of)."""
        job: dict[str, Any] = {
            "run_id": run_id,
            "content": content,
            "params": params,
            "base_dir": str(base_dir),
            "http_allow": list(self.http_allow),
            "memory_limit": self.memory_limit,
            "engine": self.engine,
            "sql_timeout": self.timeout,  # a database statement: at most the run's time
        }
        if targets is not None:
            job["targets"] = targets
        if folder:
            job["folder"] = folder
        if origin:
            job["origin"] = origin  # what the run records (a dataset snapshot's origin)
        task = asyncio.get_running_loop().create_task(self._run(run_id, job, base_dir, owner))
        self._tasks[run_id] = task
        self._flows[run_id] = flow_id

        def done(_task: asyncio.Task[None]) -> None:
            self._tasks.pop(run_id, None)
            self._flows.pop(run_id, None)
            self._cancelled.discard(run_id)

        task.add_done_callback(done)

    async def _run(self, run_id: str, job: dict[str, Any], base_dir: Path, owner: str) -> None:
        async with self._slots:
            if run_id in self._cancelled:
                return
            started = time.time()
            self.store.update_run(run_id, status="running", started=started)
            try:
                await self._give_secrets(job, owner)
            except SecretsUnavailable as exc:
                self.store.update_run(
                    run_id,
                    ended=time.time(),
                    **_failed(f"the run could not read your secrets: {exc}"),
                )
                return
            try:
                offline = runs_python(job["content"])
                proc = await self.plane.spawn(
                    WORKER, base_dir, owner, f"run-{run_id}", network=not offline
                )
            except Exception as exc:  # OSError, or the Docker API's errors
                self.store.update_run(
                    run_id, ended=time.time(), **_failed(f"the run could not start: {exc}")
                )
                return
            self._procs[run_id] = proc
            if run_id in self._cancelled:  # cancelled while it was starting
                proc.kill()
            try:
                out, err = await asyncio.wait_for(
                    collect(proc, json.dumps(job).encode(), MAX_RESULT), self.timeout
                )
                outcome = self._outcome(run_id, proc.returncode, out, err)
                if offline and self.plane.network and self.plane.isolated:
                    outcome["logs"] = f"{OFFLINE}\n{outcome.get('logs', '')}".rstrip("\n")
            except ResultTooLarge:
                outcome = _failed(
                    f"the run's result passed {MAX_RESULT // 2**20} MB and was stopped "
                    "(display fewer or shorter values)"
                )
            except TimeoutError:
                proc.kill()
                await proc.wait()
                outcome = _failed(f"timed out after {self.timeout} s; the run was stopped")
            finally:
                self._procs.pop(run_id, None)
            # What the run spilled beyond its memory budget (gone already unless killed).
            await asyncio.to_thread(shutil.rmtree, run_spill_folder(base_dir, run_id), True)
            if outcome.get("status") != "succeeded" or run_id in self._cancelled:
                removed = await asyncio.to_thread(remove_partials, base_dir, started, run_id)
                if removed:
                    log.info("run %s: removed %d unfinished file(s)", run_id, removed)
            if run_id in self._cancelled:
                return  # cancel() wrote the record
            trainings = outcome.pop("trainings", None) or []
            if trainings:
                origin = job.get("origin") or {}
                outcome = await self._record(owner, trainings, origin, started, outcome)
                if run_id in self._cancelled:
                    return  # cancelled while recording: cancel() wrote the record
            self.store.update_run(run_id, ended=time.time(), **outcome)
            log.info("run %s: %s", run_id, outcome["status"])

    async def _give_secrets(self, job: dict[str, Any], owner: str) -> None:
        """A flow that opens named connections or sends secrets gets its owner's secrets
        (run_secrets.secrets_for), in the job it reads on its standard input only."""
        given = await secrets_for(self.secrets, owner, job["content"])
        if given is not None:
            job["secrets"] = given

    async def _record(
        self,
        owner: str,
        trainings: list[Any],
        origin: dict[str, str],
        started: float,
        outcome: dict[str, Any],
    ) -> dict[str, Any]:
        """Log the run's trainings to MLflow as `owner`; one that cannot be recorded fails
        the run at its node (the training ran, but a retrain nobody can find is lost)."""
        lines = [outcome.get("logs") or ""]
        for raw in trainings:
            node = raw.get("node") if isinstance(raw, dict) else None
            try:
                if self.recorder is None:
                    raise RecordError(
                        f"{node}: the training ran, but this hub has no MLflow to record it "
                        "(GALILEAN_MLFLOW_ENABLED)"
                    )
                recorded = await asyncio.wait_for(
                    self.recorder.record(owner, raw, origin, started), RECORD_TIMEOUT
                )
            except Exception as exc:  # the run must end, whatever went wrong
                if isinstance(exc, RecordError):
                    error = exc
                elif isinstance(exc, TimeoutError):
                    error = RecordError(f"{node}: MLflow took over {RECORD_TIMEOUT} s to record it")
                else:
                    log.exception("recording a training of %s", owner)
                    error = RecordError(f"{node}: the training could not be recorded in MLflow")
                log.warning("training of a run of %s not recorded: %s", owner, error)
                return _not_recorded(outcome, lines, node, error)
            lines.append(recorded.log_line())
        return {**outcome, "logs": "\n".join(lines).strip("\n")}

    def _outcome(self, run_id: str, code: int | None, out: bytes, err: bytes) -> dict[str, Any]:
        lines = out.decode(errors="replace").strip().splitlines()
        stderr = err.decode(errors="replace")[-STDERR_KEEP:].strip()
        if code == 0 and lines:
            try:
                result = json.loads(lines[-1])
            except ValueError:
                result = None
            if isinstance(result, dict):  # written by the worker (user code shares it)
                logs = [str(line) for line in _as(list, result.get("logs"))]
                if stderr:
                    logs.append(stderr)
                error = result.get("error")
                return {
                    "status": "succeeded" if result.get("status") == "succeeded" else "failed",
                    "nodes": _nodes(result),
                    "error": error if isinstance(error, dict) else None,
                    "outputs": _as(dict, result.get("outputs")),
                    "logs": "\n".join(logs),
                    # For MLflow, not for the store (checked by mlflow_record).
                    "trainings": _as(list, result.get("trainings")),
                }
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            why = f"the run's process was killed by signal {name}"
            if -code == signal.SIGKILL:
                why += " (out of memory?)"
        else:
            last = stderr.splitlines()[-1] if stderr else "no output"
            why = f"the run's process exited with {code}: {last}"
        return _failed(why, stderr)

    async def cancel(self, run_id: str) -> bool:
        """Stop a queued or running run; False when it had already finished."""
        if self.store.run(run_id)["status"] in FINISHED:
            return False
        await self._stop(run_id)
        self.store.update_run(
            run_id,
            status="cancelled",
            ended=time.time(),
            error={"node": None, "message": "cancelled"},
        )
        return True

    async def stop_flow(self, flow_id: int) -> int:
        """Stop the flow's queued and running runs: the flow and its records are gone."""
        runs = [r for r, f in list(self._flows.items()) if f == flow_id]
        for run_id in runs:
            await self._stop(run_id)
        return len(runs)

    async def _stop(self, run_id: str) -> None:
        """Mark the run cancelled (its task then records nothing) and kill its worker."""
        self._cancelled.add(run_id)
        proc = self._procs.pop(run_id, None)
        if proc is not None:
            proc.kill()
            await _stopped(proc)

    async def close(self) -> None:
        for proc in list(self._procs.values()):
            proc.kill()
        for task in list(self._tasks.values()):
            task.cancel()


MAX_RESULT = 64 * 2**20  # bytes of a run's result (rows of its displays, logs)


def _as(kind: type, value: Any) -> Any:
    return value if isinstance(value, kind) else kind()


def _nodes(result: dict[str, Any]) -> dict[str, Any]:
    """Rows per node, each node whose result came from the cache marked `"reused": true`
    (the worker's `reused`: RunResult.reused), so the canvas can show it."""
    nodes = _as(dict, result.get("nodes"))
    for node in _as(list, result.get("reused")):
        if isinstance(node, str):
            entry = nodes.get(node)
            nodes[node] = {**(entry if isinstance(entry, dict) else {}), "reused": True}
    return nodes


async def _stopped(proc: Child) -> None:
    """Wait (a bounded time) for a killed worker: asyncio's wait() also waits for its
    pipes, which a process it started outside its cgroup could keep open."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), 10)


class ResultTooLarge(Exception):
    """The worker wrote more than a run's result may be (it was killed)."""


async def collect(proc: Child, data: bytes, limit: int) -> tuple[bytes, bytes]:
    """Give the worker its job, read what it writes: stdout up to `limit` bytes (past it
    the worker is killed: ResultTooLarge), the end of stderr."""
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    stdin, stdout, stderr = proc.stdin, proc.stdout, proc.stderr

    async def feed() -> None:
        with contextlib.suppress(ConnectionError):
            stdin.write(data)
            await stdin.drain()
            if stdin.can_write_eof():
                stdin.write_eof()
            else:
                stdin.close()

    over = False

    async def out() -> bytes:
        nonlocal over
        chunks: list[bytes] = []
        size = 0
        while chunk := await stdout.read(2**16):
            size += len(chunk)
            if size > limit:
                over = True
                proc.kill()
                continue  # drain to the end, keeping nothing more
            chunks.append(chunk)
        return b"".join(chunks)

    async def err() -> bytes:
        kept = b""
        while chunk := await stderr.read(2**16):
            kept = (kept + chunk)[-STDERR_KEEP:]
        return kept

    _, got, errors = await asyncio.gather(feed(), out(), err())
    await proc.wait()
    if over:
        raise ResultTooLarge
    return got, errors


def remove_partials(folder: Path, since: float, run_id: str) -> int:
    """Delete the partial files run `run_id` left in `folder` (`*.run-<id>.partial`,
    written since `since`). The walk holds each folder open and never follows a link: a
    folder swapped for a symbolic link meanwhile leads nowhere (this may run as root)."""
    suffix = "." + partial_name("", f"run-{run_id}").lstrip(".")
    opened = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        stack = [os.open(folder, opened)]
    except OSError:
        return 0
    removed = 0
    while stack:
        fd = stack.pop()
        try:
            with os.scandir(fd) as entries:
                found = list(entries)
            for entry in found:
                with contextlib.suppress(OSError):
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(os.open(entry.name, opened, dir_fd=fd))
                    elif entry.name.endswith(suffix) and entry.is_file(follow_symlinks=False):
                        info = os.stat(entry.name, dir_fd=fd, follow_symlinks=False)
                        if info.st_mtime >= since - 1:
                            os.unlink(entry.name, dir_fd=fd)
                            removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _not_recorded(
    outcome: dict[str, Any], lines: list[str], node: Any, error: Exception
) -> dict[str, Any]:
    """The run failed at the training node `node`: its training is not in MLflow."""
    lines.append(f"failed at {node}: {error}")
    return {
        **outcome,
        "status": "failed",
        "error": {"node": node if isinstance(node, str) else None, "message": str(error)},
        "logs": "\n".join(lines).strip("\n"),
    }


def _failed(message: str, stderr: str = "") -> dict[str, Any]:
    return {
        "status": "failed",
        "error": {"node": None, "message": message},
        "logs": stderr,
    }
