"""Published endpoints (issue 14): a call reads the files next to the flow's `.flow` file,
as a run does (confined to the owner's folder still), and the service keeps each
endpoint's last 100 calls (when, who or "public", status, ms; never a body or a token)
in a table of its own, which `GET api/flows/{id}/endpoint` shows, newest first (20)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flows_api import document, inline_flow
from flows_app import Service, app_fixture

from galilean_services.flows_service import endpoint_calls
from galilean_services.flows_service.endpoint_calls import CallLog
from galilean_services.flows_service.endpoint_worker import Endpoint
from galilean_services.flows_service.store import Store
from galilean_services.kit.errors import GalileanError

app = app_fixture("endpoint_calls")
CALL_FIELDS = {"at", "caller", "status", "ms", "endpoint"}


def csv_flow() -> dict[str, Any]:
    return document(
        [
            {"id": "sales", "kind": "source.file", "params": {"path": "sales.csv"}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("sales", "out")],
    )


def spec(home: Path, **extra: Any) -> dict[str, Any]:
    return {"content": json.dumps(csv_flow()), "base_dir": str(home), "memory_limit": ""} | extra


def test_an_endpoint_reads_the_files_next_to_its_flow(tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "sales.csv").write_text("region,amount\nnorth,3\nsouth,4\n")
    (tmp_path / "sales.csv").write_text("region,amount\nhome,1\n")
    answer = Endpoint(spec(tmp_path, folder="work")).call({}, None)
    assert answer["status"] == 200, answer
    assert [r["region"] for r in answer["body"]["results"]["out"]["rows"]] == ["north", "south"]
    # No folder (a flow not named by a .flow path): the owner's folder, as before.
    home = Endpoint(spec(tmp_path)).call({}, None)
    assert [r["region"] for r in home["body"]["results"]["out"]["rows"]] == ["home"]
    # A folder outside the owner's is not one: the owner's folder is read.
    outside = Endpoint(spec(tmp_path, folder="../x")).call({}, None)
    assert [r["region"] for r in outside["body"]["results"]["out"]["rows"]] == ["home"]


def publish(app: Service, name: str, flow_name: str, public: bool = False) -> int:
    body = {"flow": inline_flow(), "name": flow_name}
    made = app.ok("POST", "/api/flows", body, status=201)
    app.ok("PUT", f"/api/flows/{made['id']}/endpoint", {"name": name, "public": public})
    return int(made["id"])


@pytest.fixture
def answers(app: Service, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The endpoint pool's calls, faked: what each was asked; a body `{"fail": N}` fails N."""
    asked: list[dict[str, Any]] = []

    async def call(*args: Any) -> dict[str, Any]:
        key, _content, home, owner, query, body, folder = args
        asked.append({"key": key, "home": home, "owner": owner, "folder": folder})
        if isinstance(body, dict) and "fail" in body:
            raise GalileanError("no", [], int(body["fail"]))
        return {"ok": True, "results": {}, "query": query}

    monkeypatch.setattr(app.service.endpoints, "call", call)
    return asked


def test_the_service_gives_the_worker_the_flows_folder(
    app: Service, answers: list[dict[str, Any]]
) -> None:
    publish(app, "in-work", "work/sales.flow")
    publish(app, "named", "Monthly sales")
    app.ok("GET", "/execute/in-work")
    app.ok("GET", "/execute/named")
    assert [a["folder"] for a in answers] == ["work", ""]
    assert answers[0]["home"] == app.folder_of("alice")  # confined to the owner's folder


def test_calls_are_listed_newest_first_without_bodies(
    app: Service, answers: list[dict[str, Any]]
) -> None:
    flow_id = publish(app, "listed", "listed.flow", public=True)
    assert app.ok("GET", f"/api/flows/{flow_id}/endpoint")["recent_calls"] == []
    app.ok("GET", "/execute/listed?least=1")
    app.ok("POST", "/execute/listed", {"fail": 422}, status=422, who=None)
    app.ok("POST", "/execute/listed", {"secret": "s3cr3t"}, who="bob")
    endpoint = app.ok("GET", f"/api/flows/{flow_id}/endpoint")
    calls = endpoint["recent_calls"]
    assert [(c["caller"], c["status"]) for c in calls] == [
        ("bob", 200),
        ("public", 422),
        ("alice", 200),
    ]
    assert all(set(c) == CALL_FIELDS for c in calls)
    assert all(c["ms"] >= 0 and c["endpoint"] == "listed" for c in calls)
    assert calls[0]["at"] >= calls[2]["at"] > time.time() - 60
    assert "s3cr3t" not in json.dumps(endpoint)
    assert "token" not in json.dumps(endpoint)
    # The flow's own JSON (what the designer's bridge reads) has them too.
    assert app.ok("GET", f"/api/flows/{flow_id}")["endpoint"]["recent_calls"] == calls


def test_a_refused_call_is_recorded_with_its_status(
    app: Service, answers: list[dict[str, Any]]
) -> None:
    flow_id = publish(app, "private", "private.flow")
    app.ok("GET", "/execute/private", status=401, who=None)
    app.ok("GET", "/execute/nobody-here", status=404)  # no endpoint: nothing to record
    calls = app.ok("GET", f"/api/flows/{flow_id}/endpoint")["recent_calls"]
    assert [(c["caller"], c["status"]) for c in calls] == [("public", 401)]
    assert answers == []


def test_each_endpoint_keeps_its_last_hundred_calls(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'flows.sqlite'}")
    one = store.create_flow("alice", "one", json.dumps(inline_flow()))["id"]
    two = store.create_flow("alice", "two", json.dumps(inline_flow()))["id"]
    log = CallLog(store)
    for n in range(130):
        log.record(one, "one", "alice", 200, float(n))
    log.record(two, "two", None, 503, 1.0)
    shown = log.recent(one)
    assert len(shown) == endpoint_calls.SHOWN == 20
    assert [c["ms"] for c in shown] == [float(n) for n in range(129, 109, -1)]
    with store.engine.connect() as con:
        table = sa.table("galilean_flow_endpoint_calls", sa.column("flow_id"), sa.column("ms"))
        kept = con.execute(sa.select(table.c.ms).where(table.c.flow_id == one)).scalars().all()
    assert sorted(kept) == [float(n) for n in range(30, 130)]
    assert [(c["caller"], c["status"]) for c in log.recent(two)] == [("public", 503)]
    store.delete_flow(one)  # its calls go with it
    assert log.recent(one) == []
    store.close()


def test_calls_reach_the_database_a_moment_later(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'flows.sqlite'}")
    flow_id = store.create_flow("alice", "one", json.dumps(inline_flow()))["id"]
    log = CallLog(store, delay=0.05)

    async def call_then_wait() -> None:
        log.record(flow_id, "one", "alice", 200, 1.0)
        assert store.recent_calls(flow_id, 5) == []  # not written on the call's way
        await asyncio.sleep(0.2)

    asyncio.run(call_then_wait())
    assert [c["status"] for c in store.recent_calls(flow_id, 5)] == [200]
    store.close()


def test_an_older_database_gets_the_calls_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'flows.sqlite'}"
    Store(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as con:
        con.execute(sa.text("DROP TABLE galilean_flow_endpoint_calls"))
    engine.dispose()
    store = Store(url)
    assert "galilean_flow_endpoint_calls" in sa.inspect(store.engine).get_table_names()
    store.close()


def test_the_openapi_document_tells_of_the_recent_calls(app: Service) -> None:
    document = app.ok("GET", "/api/openapi.json")
    endpoint = document["paths"]["/api/flows/{flow_id}/endpoint"]
    assert "recent_calls" in endpoint["get"]["summary"]
    assert set(endpoint) == {"get", "put", "delete"}
