"""Runs: each in its own worker process, at most N at once, with a time limit and cancel.

The record in the store follows the run: queued → running → succeeded | failed |
cancelled. Logs are the worker's log lines plus what it wrote to stderr (trimmed).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from .config import ServiceConfig
from .store import FINISHED, Store

log = logging.getLogger("galilean.flows")
STDERR_KEEP = 20_000


class RunManager:
    def __init__(self, store: Store, config: ServiceConfig) -> None:
        self.store = store
        self.timeout = config.run_timeout
        self.http_allow = config.http_allow
        self.memory_limit = config.memory_limit
        self.engine = config.engine
        self._slots = asyncio.Semaphore(config.max_parallel_runs)
        self._procs: dict[str, asyncio.subprocess.Process] = {}
        self._cancelled: set[str] = set()
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def active(self) -> int:
        """Runs whose worker process is running now."""
        return len(self._procs)

    def start(self, run_id: str, content: str, params: dict[str, Any], base_dir: Path) -> None:
        job = {
            "content": content,
            "params": params,
            "base_dir": str(base_dir),
            "http_allow": list(self.http_allow),
            "memory_limit": self.memory_limit,
            "engine": self.engine,
        }
        task = asyncio.get_running_loop().create_task(self._run(run_id, job))
        self._tasks[run_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(run_id, None))

    async def _run(self, run_id: str, job: dict[str, Any]) -> None:
        async with self._slots:
            if run_id in self._cancelled:
                return
            started = time.time()
            self.store.update_run(run_id, status="running", started=started)
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "galilean_services.flows_service.worker",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, start_new_session=True,
            )  # fmt: skip
            self._procs[run_id] = proc
            try:
                out, err = await asyncio.wait_for(
                    proc.communicate(json.dumps(job).encode()), self.timeout
                )
                outcome = self._outcome(run_id, proc.returncode, out, err)
            except TimeoutError:
                _kill(proc)
                await proc.wait()
                outcome = _failed(f"timed out after {self.timeout} s; the run was stopped")
            finally:
                self._procs.pop(run_id, None)
            if run_id in self._cancelled:
                return  # cancel() wrote the record
            self.store.update_run(run_id, ended=time.time(), **outcome)
            log.info("run %s: %s", run_id, outcome["status"])

    def _outcome(self, run_id: str, code: int | None, out: bytes, err: bytes) -> dict[str, Any]:
        lines = out.decode(errors="replace").strip().splitlines()
        stderr = err.decode(errors="replace")[-STDERR_KEEP:].strip()
        if code == 0 and lines:
            try:
                result = json.loads(lines[-1])
            except ValueError:
                result = None
            if isinstance(result, dict):
                logs = list(result.get("logs", []))
                if stderr:
                    logs.append(stderr)
                return {
                    "status": result.get("status", "failed"),
                    "nodes": result.get("nodes") or {},
                    "error": result.get("error"),
                    "outputs": result.get("outputs") or {},
                    "logs": "\n".join(logs),
                }
        if code is not None and code < 0:
            why = f"the run's process was killed by signal {signal.Signals(-code).name}"
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
        self._cancelled.add(run_id)
        proc = self._procs.get(run_id)
        if proc is not None:
            _kill(proc)
            await proc.wait()
        self.store.update_run(
            run_id, status="cancelled", ended=time.time(),
            error={"node": None, "message": "cancelled"},
        )  # fmt: skip
        return True

    async def close(self) -> None:
        for proc in list(self._procs.values()):
            _kill(proc)
        for task in list(self._tasks.values()):
            task.cancel()


def _kill(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _failed(message: str, stderr: str = "") -> dict[str, Any]:
    return {
        "status": "failed",
        "error": {"node": None, "message": message},
        "logs": stderr,
    }
