"""Jobs of the datasets service (long operations answered at once, polled for progress)
and the worker exchange that feeds them progress lines as a real child process prints
them."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from galilean_services.datasets_service.jobs import KEEP_SECONDS, Jobs, Progress
from galilean_services.execution.streaming import exchange
from galilean_services.kit.errors import GalileanError, NotFound

CHILD = """
import json, sys
request = json.loads(sys.stdin.readline())
for done in range(1, request["steps"] + 1):
    print(json.dumps({"progress": {"done": done, "total": request["steps"]}}), flush=True)
    assert sys.stdin.readline() == ""  # end of input was sent: nothing more to read
print("a warning", file=sys.stderr)
print(json.dumps({"ok": True, "result": request["steps"] * 2}))
"""


async def _talk(steps: int) -> tuple[list[bytes], bytes, bytes, int | None]:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    seen: list[bytes] = []
    out, err = await exchange(child, b'{"steps": %d}\n' % steps, seen.append)
    return seen, out, err, child.returncode


def test_exchange_hands_over_each_line_as_it_comes_and_keeps_stderr() -> None:
    seen, out, err, code = asyncio.run(_talk(3))
    assert code == 0
    assert [line.startswith(b'{"progress"') for line in seen] == [True, True, True, False]
    assert seen[-1].strip() == b'{"ok": true, "result": 6}'
    assert out == b"".join(seen)
    assert err.strip() == b"a warning"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _job_lifecycle() -> None:
    jobs = Jobs(Clock())
    go = asyncio.Event()

    async def work(report: Progress) -> Any:
        report({"done": 1, "total": 4})
        await go.wait()
        report({"done": 4, "total": 4})
        return {"rows": 4}

    job = jobs.start("alice", 7, "export", work)
    await asyncio.sleep(0)  # the job's task takes its first step
    running = jobs.get("alice", job.id).to_json()
    assert running["state"] == "running"
    assert running["progress"] == {"done": 1, "total": 4}
    assert "result" not in running
    with pytest.raises(NotFound):
        jobs.get("bob", job.id)  # another user's job is as missing as an unknown one
    with pytest.raises(NotFound):
        jobs.get("alice", "nope")
    go.set()
    await jobs.close()
    done = jobs.get("alice", job.id).to_json()
    assert (done["state"], done["result"], done["progress"]["done"]) == ("done", {"rows": 4}, 4)


def test_a_job_runs_reports_progress_and_is_seen_by_its_owner_only() -> None:
    asyncio.run(_job_lifecycle())


async def _failures() -> None:
    jobs = Jobs(Clock())

    async def refused(report: Progress) -> Any:
        raise GalileanError("path: exists", [{"field": "path"}], status=409)

    async def broken(report: Progress) -> Any:
        raise RuntimeError("secret detail")

    first = jobs.start("alice", 1, "export", refused)
    second = jobs.start("alice", 1, "export", broken)
    await jobs.close()
    assert jobs.get("alice", first.id).to_json()["error"] == {
        "status": 409,
        "message": "path: exists",
        "errors": [{"field": "path"}],
    }
    crashed = jobs.get("alice", second.id).to_json()
    assert crashed["state"] == "failed"
    assert crashed["error"]["status"] == 500
    assert "secret detail" not in crashed["error"]["message"]


def test_a_failed_job_says_why_in_the_one_error_shape_without_internals() -> None:
    asyncio.run(_failures())


async def _forgetting() -> None:
    clock = Clock()
    jobs = Jobs(clock, limit=3)

    async def quick(report: Progress) -> Any:
        return 1

    old = jobs.start("alice", 1, "export", quick)
    await jobs.close()
    clock.now += KEEP_SECONDS + 1
    kept = [jobs.start("alice", 1, "export", quick) for _ in range(3)]
    await jobs.close()
    with pytest.raises(NotFound):
        jobs.get("alice", old.id)  # finished more than an hour ago
    newest = jobs.start("alice", 1, "export", quick)  # over the limit: the oldest goes
    await jobs.close()
    with pytest.raises(NotFound):
        jobs.get("alice", kept[0].id)
    assert jobs.get("alice", newest.id).state == "done"


def test_finished_jobs_are_forgotten_after_an_hour_or_past_the_limit() -> None:
    asyncio.run(_forgetting())


def test_a_database_from_before_writers_gains_the_column(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from galilean_services.datasets_service.store import Store

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as con:  # the table as the first release made it, with a row
        con.execute(
            sa.text(
                "CREATE TABLE galilean_datasets (id INTEGER PRIMARY KEY, owner VARCHAR(255) "
                "NOT NULL, name VARCHAR(64) NOT NULL, driver VARCHAR(16) NOT NULL, folder TEXT,"
                " description TEXT NOT NULL, groups TEXT NOT NULL, created FLOAT NOT NULL, "
                "updated FLOAT NOT NULL)"
            )
        )
        con.execute(
            sa.text(
                "INSERT INTO galilean_datasets VALUES (1, 'alice', 'old', 'files', 'x', '', "
                "'[\"lab\"]', 0, 0)"
            )
        )
    engine.dispose()
    store = Store(url)
    try:
        assert store.get(1)["writers"] == []
        assert store.update(1, writers=["lab"])["writers"] == ["lab"]
    finally:
        store.close()


def _until_finished(app: Any, job_id: str, who: str = "alice") -> dict[str, Any]:
    """Poll the job as the panel does; a real worker does the export meanwhile."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job: dict[str, Any] = app.ok("GET", f"/api/jobs/{job_id}", who=who)
        if job["state"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after 60 s")


def test_a_background_export_is_a_job_with_progress_seen_by_its_owner(datasets_app: Any) -> None:
    from labelled_images import ITEMS, make_labelled

    app = datasets_app
    make_labelled(app.folder_of("alice") / "jobs-pets", "yolo")
    body = {"name": "jobs-pets", "folder": "jobs-pets"}
    dataset = app.ok("POST", "/api/datasets", body, status=201)
    base = f"/api/datasets/{dataset['id']}"
    app.ok("POST", f"{base}/snapshots", {"message": "first"}, status=201)

    started = app.ok(
        "POST", f"{base}/export", {"format": "voc", "path": "jobs-out", "background": True}, 202
    )
    assert (started["op"], started["dataset_id"]) == ("export", dataset["id"])
    # another user cannot see it, even knowing its id
    assert app.call("GET", f"/api/jobs/{started['id']}", who="bob").status_code == 404
    done = _until_finished(app, started["id"])
    assert done["state"] == "done", done
    assert done["result"]["items"] == len(ITEMS)
    progress = done["progress"]  # from the worker: files written (images and label files)
    assert progress["done"] == progress["total"] == done["result"]["files"] > len(ITEMS)
    assert (app.folder_of("alice") / "jobs-out" / "Annotations").is_dir()

    # a refusal found by the worker ends the job failed, in the one error shape
    again = {"format": "voc", "path": "jobs-out", "background": True}
    failed = _until_finished(app, app.ok("POST", f"{base}/export", again, 202)["id"])
    assert failed["state"] == "failed"
    assert (failed["error"]["status"], failed["error"]["errors"][0]["field"]) == (409, "path")
    # one found by the service is refused at once, as without background
    refused = app.call("POST", f"{base}/export", {"format": "xyz", "path": "x", "background": 1})
    assert refused.status_code == 400
    assert app.call("GET", "/api/jobs/0123456789abcdef").status_code == 404
