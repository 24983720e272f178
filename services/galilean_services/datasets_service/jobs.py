"""Long dataset operations (an export of millions of rows, a conversion of 20k images)
run as jobs: the request answers at once with the job, the worker's progress lines update
it, and its owner polls `GET api/jobs/{id}` until it is done or failed. Jobs live in the
service's memory (a restart forgets them, not their results: those are files and
snapshots); finished ones are kept for an hour, at most `limit` in all."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..kit.errors import GalileanError, NotFound

Progress = Callable[[dict[str, Any]], None]
Work = Callable[[Progress], Awaitable[Any]]
KEEP_SECONDS = 3600.0
log = logging.getLogger("galilean.datasets")


@dataclass
class Job:
    id: str
    owner: str
    dataset_id: int
    op: str
    started: float
    state: str = "running"  # running | done | failed
    progress: dict[str, Any] = field(default_factory=dict)
    result: Any = None
    error: dict[str, Any] | None = None
    finished: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "dataset_id": self.dataset_id,
            "op": self.op,
            "state": self.state,
            "progress": dict(self.progress),
            "seconds": round((self.finished or time.monotonic()) - self.started, 3),
        }
        if self.state == "done":
            out["result"] = self.result
        if self.error is not None:
            out["error"] = self.error
        return out


class Jobs:
    def __init__(self, clock: Callable[[], float] = time.monotonic, limit: int = 500) -> None:
        self.clock = clock
        self.limit = limit
        self._jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, owner: str, dataset_id: int, op: str, work: Work) -> Job:
        self._forget_old()
        job = Job(secrets.token_hex(8), owner, dataset_id, op, self.clock())
        self._jobs[job.id] = job
        task = asyncio.get_running_loop().create_task(self._run(job, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    def get(self, owner: str, job_id: str) -> Job:
        """The caller's own job; another user's is as missing as an unknown one."""
        job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFound(f"no job {job_id!r} of yours", [{"field": "job_id"}])
        return job

    async def _run(self, job: Job, work: Work) -> None:
        def report(progress: dict[str, Any]) -> None:
            job.progress = progress

        try:
            job.result = await work(report)
            job.state = "done"
        except GalileanError as failed:
            job.state = "failed"
            job.error = {"status": failed.status, "message": failed.message}
            if failed.errors:
                job.error["errors"] = failed.errors
        except Exception:
            log.exception("dataset %s: job %s (%s) failed", job.dataset_id, job.id, job.op)
            job.state = "failed"
            job.error = {"status": 500, "message": f"the {job.op} failed (see the service log)"}
        finally:
            job.finished = self.clock()

    def _forget_old(self) -> None:
        now = self.clock()
        for job_id, job in list(self._jobs.items()):
            if job.finished is not None and now - job.finished > KEEP_SECONDS:
                del self._jobs[job_id]
        finished = sorted(
            (job for job in self._jobs.values() if job.finished is not None),
            key=lambda job: job.finished or 0.0,
        )
        while len(self._jobs) >= self.limit and finished:
            del self._jobs[finished.pop(0).id]

    async def close(self) -> None:
        """Wait for the running jobs (a test's or a shutdown's end)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
