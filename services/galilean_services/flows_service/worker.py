"""One run in its own process: the service starts it, feeds the job on stdin, reads the
result (one JSON line) from stdout, and kills the process group to cancel or time out.
A crash here is a failed run, never a crashed service.

The run uses its owner's result cache (the folder their CLI and previews use, so a run
after a preview or a CLI run starts from what they held) and spills beyond its memory
budget into the owner's folder, not the sandbox's small in-memory /tmp."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..flows import parse_flow, paths
from ..flows.disk_cache import folder_in, run_spill_folder, spill_root_in
from ..flows.issues import FlowInvalid
from ..flows.net import HttpPolicy
from ..flows.runner import RunResult, run
from ..flows.secret_refs import scrub_all
from ..flows.values import jsonable
from ..secrets.readers import SecretReader, given
from .flow_folders import flow_folder

PREVIEW_ROWS = 100


def table_json(table: pa.Table, limit: int = PREVIEW_ROWS) -> dict[str, Any]:
    head = table.slice(0, limit)
    return {
        "columns": [{"name": f.name, "type": str(f.type)} for f in table.schema],
        "rows": [list(row.values()) for row in head.to_pylist()],
        "total": table.num_rows,
    }


def result_json(result: RunResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "started": result.started,
        "ended": result.ended,
        "nodes": result.nodes,
        "error": result.error,
        "logs": result.logs,
        "engine": result.engine,
        "reused": result.reused,
        "outputs": {node: table_json(t) for node, t in result.outputs.items()},
        # What training nodes did, for the service to log to MLflow as the owner.
        "trainings": [training.to_json() for training in result.trainings],
    }


class OwnersConnections:
    """The owner's named connections, read (and SQLAlchemy imported: ~0.3 s) only when a
    node of the flow asks for one."""

    def __init__(self, home: Path, secrets: SecretReader) -> None:
        self.home = home
        self.secrets = secrets  # the owner's, given by the service (run_secrets)
        self.store: Any = None

    def __getattr__(self, name: str) -> Any:
        if self.store is None:
            from ..connections import ConnectionStore

            self.store = ConnectionStore(self.home, secrets=self.secrets)
        return getattr(self.store, name)


def main() -> int:
    job = json.loads(sys.stdin.read())
    if job.get("run_id"):
        paths.PARTIAL_TAG = f"run-{job['run_id']}"  # what the service removes if killed
    flow = parse_flow(job["content"])
    home = Path(job["base_dir"])  # the owner's folder: their result cache is in it
    # The owner's secrets (run_secrets.secrets_for): read by nodes, hidden in the result.
    handed = {str(k): str(v) for k, v in (job.get("secrets") or {}).items()}
    secrets = given(handed)
    try:
        result = run(
            flow,
            job.get("params"),
            base_dir=flow_folder(home, str(job.get("folder") or "")),
            http_policy=HttpPolicy(
                tuple(job.get("http_allow", ())), sql_timeout=float(job.get("sql_timeout", 900))
            ),
            memory_limit=job.get("memory_limit", ""),
            engine=job.get("engine", "auto"),
            connections=OwnersConnections(home, secrets),
            cache_folder=None if job.get("no_cache") else folder_in(home),
            spill_root=run_spill_folder(home, job["run_id"])
            if job.get("run_id")
            else spill_root_in(home),
            targets=job.get("targets"),
            home=home,
            origin={str(k): str(v) for k, v in (job.get("origin") or {}).items()},
            secrets=secrets,
        )
        out = result_json(result)
    except FlowInvalid as invalid:
        first = invalid.issues[0]
        out = {
            "status": "failed",
            "error": {
                "node": first.node,
                "message": str(invalid),
                "issues": [i.as_dict() for i in invalid.issues],
            },
            "logs": [f"invalid: {i.message}" for i in invalid.issues],
        }
    text = json.dumps(out, default=jsonable)
    if handed:  # a value the run read (an API echoing its key) leaves it hidden
        text = json.dumps(scrub_all(json.loads(text), handed.values()))
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
