"""The service's database: flows, immutable numbered versions, runs, endpoints, schedules.

SQLAlchemy Core over SQLite (embedded) or PostgreSQL (compose). Nothing here knows HTTP;
methods take plain values and return plain dicts.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import sqlalchemy as sa

from ..errors import NotFound, ValidationError
from ..kit.sql_store import open_engine
from . import tables

# The tables live in tables.py; these names are how this module (and callers) use them.
metadata, flows, versions = tables.metadata, tables.flows, tables.versions
runs, endpoints, schedules = tables.runs, tables.endpoints, tables.schedules
endpoint_calls = tables.endpoint_calls

FINISHED = ("succeeded", "failed", "cancelled")


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


class Store:
    def __init__(self, url: str) -> None:
        self.engine = open_engine(url)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- flows and versions -------------------------------------------------------------
    def create_flow(
        self,
        owner: str,
        name: str,
        content: str,
        description: str = "",
        groups: list[str] = (),  # type: ignore[assignment]
    ) -> dict[str, Any]:
        now = time.time()
        with self.engine.begin() as con:
            key = con.execute(
                flows.insert().values(
                    owner=owner,
                    name=name,
                    description=description,
                    groups=json.dumps(sorted(set(groups))),
                    latest=1,
                    created=now,
                    updated=now,
                )
            ).inserted_primary_key
            assert key is not None
            flow_id = int(key[0])
            con.execute(
                versions.insert().values(
                    flow_id=flow_id,
                    number=1,
                    content=content,
                    author=owner,
                    message="created",
                    created=now,
                )
            )
        return self.flow(flow_id)

    def flow(self, flow_id: int) -> dict[str, Any]:
        with self.engine.connect() as con:
            row = con.execute(flows.select().where(flows.c.id == flow_id)).first()
        if row is None:
            raise NotFound(f"flow {flow_id} does not exist", [{"field": "flow_id"}])
        return _flow_dict(_row(row))

    def list_flows(self) -> list[dict[str, Any]]:
        with self.engine.connect() as con:
            rows = con.execute(flows.select().order_by(flows.c.id)).all()
        return [_flow_dict(_row(r)) for r in rows]

    def update_flow(self, flow_id: int, **fields: Any) -> dict[str, Any]:
        values = {k: v for k, v in fields.items() if v is not None}
        if "groups" in values:
            values["groups"] = json.dumps(sorted(set(values["groups"])))
        values["updated"] = time.time()
        with self.engine.begin() as con:
            con.execute(flows.update().where(flows.c.id == flow_id).values(**values))
        return self.flow(flow_id)

    def delete_flow(self, flow_id: int) -> None:
        with self.engine.begin() as con:
            for table in (runs, endpoint_calls, endpoints, schedules, versions):
                con.execute(table.delete().where(table.c.flow_id == flow_id))
            con.execute(flows.delete().where(flows.c.id == flow_id))

    def add_version(self, flow_id: int, content: str, author: str, message: str = "") -> int:
        with self.engine.begin() as con:
            # Row lock on PostgreSQL; SQLite serialises writers anyway.
            latest = con.execute(
                sa.select(flows.c.latest).where(flows.c.id == flow_id).with_for_update()
            ).scalar_one()
            number = int(latest) + 1
            con.execute(
                versions.insert().values(
                    flow_id=flow_id,
                    number=number,
                    content=content,
                    author=author,
                    message=message,
                    created=time.time(),
                )
            )
            con.execute(
                flows.update()
                .where(flows.c.id == flow_id)
                .values(latest=number, updated=time.time())
            )
        return number

    def versions(self, flow_id: int) -> list[dict[str, Any]]:
        query = (
            sa.select(versions.c.number, versions.c.author, versions.c.message, versions.c.created)
            .where(versions.c.flow_id == flow_id)
            .order_by(versions.c.number)
        )
        with self.engine.connect() as con:
            return [_row(r) for r in con.execute(query).all()]

    def version(self, flow_id: int, number: int | None) -> dict[str, Any]:
        """One version with its content (None: the latest)."""
        if number is None:
            number = self.flow(flow_id)["latest"]
        query = versions.select().where(versions.c.flow_id == flow_id, versions.c.number == number)
        with self.engine.connect() as con:
            row = con.execute(query).first()
        if row is None:
            raise NotFound(f"flow {flow_id} has no version {number}", [{"field": "version"}])
        return _row(row)

    # -- runs ---------------------------------------------------------------------------
    def create_run(
        self, flow_id: int, version: int, caller: str, trigger: str, params: dict[str, Any]
    ) -> str:
        run_id = uuid.uuid4().hex
        with self.engine.begin() as con:
            con.execute(
                runs.insert().values(
                    id=run_id,
                    flow_id=flow_id,
                    version=version,
                    caller=caller,
                    trigger=trigger,
                    status="queued",
                    params=json.dumps(params),
                    created=time.time(),
                )
            )
        return run_id

    def update_run(self, run_id: str, **fields: Any) -> None:
        for key in ("nodes", "error", "outputs"):
            if key in fields and fields[key] is not None:
                fields[key] = json.dumps(fields[key])
        with self.engine.begin() as con:
            con.execute(runs.update().where(runs.c.id == run_id).values(**fields))

    def run(self, run_id: str) -> dict[str, Any]:
        with self.engine.connect() as con:
            row = con.execute(runs.select().where(runs.c.id == run_id)).first()
        if row is None:
            raise NotFound(f"run {run_id} does not exist", [{"field": "run_id"}])
        return _run_dict(_row(row))

    def list_runs(self, flow_id: int, limit: int = 50) -> list[dict[str, Any]]:
        query = (
            runs.select()
            .where(runs.c.flow_id == flow_id)
            .order_by(runs.c.created.desc())
            .limit(limit)
        )
        with self.engine.connect() as con:
            return [_run_dict(_row(r), logs=False) for r in con.execute(query).all()]

    def unfinished_runs(self) -> list[tuple[str, str, float]]:
        """(run id, the flow's owner, when it started) of runs not finished."""
        query = (
            sa.select(runs.c.id, flows.c.owner, runs.c.started, runs.c.created)
            .join(flows, flows.c.id == runs.c.flow_id)
            .where(runs.c.status.in_(("queued", "running")))
        )
        with self.engine.connect() as con:
            return [(r.id, r.owner, r.started or r.created) for r in con.execute(query)]

    def abandon_unfinished_runs(self) -> int:
        """Runs left running by a service that stopped: they did not finish."""
        with self.engine.begin() as con:
            result = con.execute(
                runs.update()
                .where(runs.c.status.in_(("queued", "running")))
                .values(
                    status="failed",
                    ended=time.time(),
                    error=json.dumps(
                        {"node": None, "message": "the service stopped during the run"}
                    ),
                )
            )
        return int(result.rowcount or 0)

    # -- endpoints ----------------------------------------------------------------------
    def set_endpoint(
        self, flow_id: int, name: str, version: int | None, public: bool
    ) -> dict[str, Any]:
        with self.engine.begin() as con:
            taken = con.execute(endpoints.select().where(endpoints.c.name == name)).first()
            if taken is not None and taken.flow_id != flow_id:
                raise ValidationError(
                    f"endpoint name {name!r} is taken by another flow", [{"field": "name"}]
                )
            con.execute(endpoints.delete().where(endpoints.c.flow_id == flow_id))
            con.execute(
                endpoints.insert().values(
                    name=name, flow_id=flow_id, version=version, public=public, created=time.time()
                )
            )
        return self.endpoint_of(flow_id) or {}

    def endpoint_of(self, flow_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as con:
            row = con.execute(endpoints.select().where(endpoints.c.flow_id == flow_id)).first()
        return None if row is None else _row(row)

    def endpoint(self, name: str) -> dict[str, Any]:
        with self.engine.connect() as con:
            row = con.execute(endpoints.select().where(endpoints.c.name == name)).first()
        if row is None:
            raise NotFound(f"no endpoint is published as {name!r}", [{"field": "endpoint"}])
        return _row(row)

    def delete_endpoint(self, flow_id: int) -> None:
        with self.engine.begin() as con:
            con.execute(endpoints.delete().where(endpoints.c.flow_id == flow_id))

    def add_calls(self, calls: list[dict[str, Any]], keep: int) -> None:
        """Record endpoint calls ({flow_id, endpoint, at, caller, status, ms}), keeping
        the newest `keep` of each flow's endpoint."""
        table = endpoint_calls
        with self.engine.begin() as con:
            con.execute(table.insert(), calls)
            for flow_id in {c["flow_id"] for c in calls}:
                oldest_kept = con.execute(
                    sa.select(table.c.id)
                    .where(table.c.flow_id == flow_id)
                    .order_by(table.c.id.desc())
                    .offset(keep - 1)
                    .limit(1)
                ).scalar()
                if oldest_kept is not None:
                    con.execute(
                        table.delete().where(table.c.flow_id == flow_id, table.c.id < oldest_kept)
                    )

    def recent_calls(self, flow_id: int, limit: int) -> list[dict[str, Any]]:
        """The newest calls of the flow's endpoint first."""
        table = endpoint_calls
        query = (
            sa.select(table.c.at, table.c.caller, table.c.status, table.c.ms, table.c.endpoint)
            .where(table.c.flow_id == flow_id)
            .order_by(table.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as con:
            return [_row(r) for r in con.execute(query).all()]

    # -- schedules ----------------------------------------------------------------------
    def set_schedule(self, flow_id: int, **fields: Any) -> dict[str, Any]:
        fields["params"] = json.dumps(fields.get("params") or {})
        with self.engine.begin() as con:
            con.execute(schedules.delete().where(schedules.c.flow_id == flow_id))
            con.execute(schedules.insert().values(flow_id=flow_id, **fields))
        return self.schedule_of(flow_id) or {}

    def update_schedule(self, flow_id: int, **fields: Any) -> None:
        with self.engine.begin() as con:
            con.execute(schedules.update().where(schedules.c.flow_id == flow_id).values(**fields))

    def schedule_of(self, flow_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as con:
            row = con.execute(schedules.select().where(schedules.c.flow_id == flow_id)).first()
        return None if row is None else _schedule_dict(_row(row))

    def schedules(self) -> list[dict[str, Any]]:
        with self.engine.connect() as con:
            rows = con.execute(schedules.select().where(schedules.c.enabled.is_(True))).all()
        return [_schedule_dict(_row(r)) for r in rows]

    def delete_schedule(self, flow_id: int) -> None:
        with self.engine.begin() as con:
            con.execute(schedules.delete().where(schedules.c.flow_id == flow_id))


def _flow_dict(row: dict[str, Any]) -> dict[str, Any]:
    row["groups"] = json.loads(row["groups"])
    return row


def _run_dict(row: dict[str, Any], logs: bool = True) -> dict[str, Any]:
    row["engine"] = engine_of(row["logs"] or "")
    row["params"] = json.loads(row["params"])
    row["nodes"] = json.loads(row["nodes"])
    row["error"] = json.loads(row["error"]) if row["error"] else None
    row["outputs"] = json.loads(row["outputs"] or "{}")
    if not logs:
        row.pop("logs")
        row.pop("outputs")
    return row


def _schedule_dict(row: dict[str, Any]) -> dict[str, Any]:
    row["params"] = json.loads(row["params"])
    return row


def engine_of(logs: str) -> str | None:
    """The engine a run used, from the runner's `engine: …` log line (None before it ran)."""
    for line in logs.splitlines():
        if line.startswith("engine: "):
            return "polars" if line.startswith("engine: Polars") else "duckdb"
    return None
