"""Parts of the flows service that need no hub: the missed-run policy of schedules, the
plan cache's bounds, the HTTP policy for flows the service runs, the request-body source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flows_api import document, inline_flow

from galilean_services.errors import ValidationError
from galilean_services.flows import parse_flow
from galilean_services.flows.issues import FlowInvalid, NodeError
from galilean_services.flows.net import HttpPolicy
from galilean_services.flows.registry import default_registry
from galilean_services.flows.runner import run
from galilean_services.flows_service.endpoints import PlanCache
from galilean_services.flows_service.scheduler import Scheduler, check_cron, next_after
from galilean_services.flows_service.store import Store

MINUTE = 60.0


def flow_text(name: str = "f") -> str:
    return json.dumps(inline_flow(name=name))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'flows.sqlite'}")


def scheduled(store: Store, missed: str, next_run: float) -> int:
    flow = store.create_flow("alice", "f", flow_text())
    store.set_schedule(
        flow["id"],
        cron="0 * * * *",
        version=None,
        params={},
        missed=missed,
        enabled=True,
        next_run=next_run,
    )
    return int(flow["id"])


def test_missed_runs_once_or_skip(store: Store) -> None:
    started: list[tuple[int, str]] = []
    scheduler = Scheduler(store, lambda s, trigger: started.append((s["flow_id"], trigger)))
    now = 1_800_000_000.0  # the service was down for three hours of hourly runs
    once = scheduled(store, "once", now - 3 * 3600)
    skip = scheduled(store, "skip", now - 3 * 3600)
    on_time = scheduled(store, "skip", now - 5)  # due just now: not missed

    assert sorted(scheduler.catch_up(now)) == sorted([once, on_time])
    assert sorted(started) == sorted([(once, "schedule (missed)"), (on_time, "schedule")])
    for flow_id in (once, skip, on_time):
        schedule = store.schedule_of(flow_id)
        assert schedule is not None
        assert schedule["next_run"] == next_after("0 * * * *", now)
        assert schedule["next_run"] > now
    assert store.schedule_of(skip)["last_run"] is None
    # Nothing is due again until the next hour; then each runs once.
    assert scheduler.tick(now + MINUTE) == []
    assert sorted(scheduler.tick(now + 3600)) == sorted([once, skip, on_time])


def test_a_schedule_that_fails_to_start_does_not_stop_the_others(store: Store) -> None:
    first = scheduled(store, "once", 0.0)
    second = scheduled(store, "once", 0.0)

    def start(schedule: dict[str, Any], trigger: str) -> None:
        if schedule["flow_id"] == first:
            raise RuntimeError("broken")

    assert sorted(Scheduler(store, start).tick(10.0)) == [first, second]


def test_cron_expressions_are_checked() -> None:
    check_cron("*/5 * * * *")
    check_cron("0 3 * * mon-fri")
    check_cron("* * * * * */10")
    for bad in ("", "every day", "61 * * * *", "* * *"):
        with pytest.raises(ValidationError) as info:
            check_cron(bad)
        assert info.value.errors == [{"field": "cron"}]


def test_a_cron_date_that_never_comes_is_refused(store: Store) -> None:
    """croniter accepts `0 0 31 2 *` and only fails when asked for the next time."""
    assert check_cron("0 0 29 2 *", 0.0) == next_after("0 0 29 2 *", 0.0)
    for never in ("0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *"):
        with pytest.raises(ValidationError, match="no date that exists") as info:
            check_cron(never)
        assert info.value.errors == [{"field": "cron"}]
        assert next_after(never, 0.0) is None
    # One stored before this check neither fires nor stops the others from firing.
    broken = scheduled(store, "once", 0.0)
    store.update_schedule(broken, cron="0 0 31 2 *")
    fine = scheduled(store, "once", 0.0)
    started: list[int] = []
    assert sorted(Scheduler(store, lambda s, t: started.append(s["flow_id"])).tick(10.0)) == [
        broken,
        fine,
    ]
    assert store.schedule_of(broken)["next_run"] is None  # never again
    assert Scheduler(store, lambda s, t: None).tick(10.0 + 3600) == [fine]


def test_plan_cache_is_bounded_and_forgets_idle_plans(tmp_path: Path) -> None:
    now = [0.0]
    cache = PlanCache(size=2, ttl=600, registry=default_registry(), clock=lambda: now[0])
    reads: list[str] = []

    def content(name: str) -> Any:
        def read() -> str:
            reads.append(name)
            return flow_text(name)

        return read

    a = cache.entry(("a", 1, 1), content("a"), lambda: tmp_path)
    assert cache.program(a, {"least": 1}) is cache.program(a, {"least": 1})
    assert cache.program(a, {"least": 2}) is not cache.program(a, {"least": 1})
    cache.entry(("a", 1, 1), content("a"), lambda: tmp_path)
    assert reads == ["a"]
    assert cache.hits == 1
    cache.entry(("b", 2, 1), content("b"), lambda: tmp_path)
    cache.entry(("c", 3, 1), content("c"), lambda: tmp_path)  # over the bound: "a" goes
    assert cache.keys() == [("b", 2, 1), ("c", 3, 1)]
    now[0] = 601.0  # idle longer than the TTL: everything goes
    cache.entry(("d", 4, 1), content("d"), lambda: tmp_path)
    assert cache.keys() == [("d", 4, 1)]
    with pytest.raises(FlowInvalid) as info:
        cache.program(cache.entry(("d", 4, 1), content("d"), lambda: tmp_path), {"least": "many"})
    assert info.value.issues[0].path == "least"


def test_http_policy_refuses_private_addresses_unless_listed() -> None:
    policy = HttpPolicy()
    for url in (
        "http://127.0.0.1:8081/hub/api",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/",
        "http://localhost:5432/",
        "http://[::1]/",
    ):
        with pytest.raises(NodeError, match="private or local address"):
            policy.check(url)
    HttpPolicy(("127.0.0.1:8081",)).check("http://127.0.0.1:8081/x")
    HttpPolicy(("localhost",)).check("http://localhost:5432/")
    with pytest.raises(NodeError, match="private or local"):
        HttpPolicy(("127.0.0.1:8081",)).check("http://127.0.0.1:9999/x")


def request_flow() -> Any:
    return parse_flow(
        json.dumps(
            document(
                [
                    {
                        "id": "body",
                        "kind": "source.request",
                        "params": {
                            "columns": [
                                {"name": "day", "type": "DATE"},
                                {"name": "n", "type": "BIGINT"},
                                {"name": "ok", "type": "BOOLEAN"},
                            ],
                            "sample": [{"day": "2026-01-02", "n": 1, "ok": True}],
                        },
                    },
                    {"id": "out", "kind": "destination.display", "params": {}},
                ],
                [("body", "out")],
            )
        )
    )


def test_request_body_source_types_and_errors() -> None:
    sample = run(request_flow())
    assert sample.outputs["out"].to_pylist()[0]["n"] == 1
    body = {"records": [{"day": "2026-03-04", "n": "7", "ok": "false", "extra": 1}]}
    got = run(request_flow(), request={"body": body}).outputs["out"].to_pylist()
    assert str(got[0]["day"]) == "2026-03-04"
    assert got[0]["n"] == 7
    assert got[0]["ok"] is False
    bad = run(request_flow(), request={"body": [{"day": "yesterday"}]})
    assert bad.status == "failed"
    assert bad.error is not None
    assert bad.error["node"] == "body"
    assert "records[0].day" in bad.error["message"]


def test_the_store_on_postgresql() -> None:
    from harness.postgres import Postgres

    server = Postgres().start()
    try:
        store = Store(server.url())
        flow = store.create_flow("alice", "f", flow_text(), "d", ["team"])
        assert flow["groups"] == ["team"]
        assert flow["latest"] == 1
        assert [store.add_version(flow["id"], flow_text("v"), "alice") for _ in range(2)] == [
            2,
            3,
        ]
        assert store.version(flow["id"], None)["number"] == 3
        run_id = store.create_run(flow["id"], 3, "bob", "manual", {"least": 1})
        store.update_run(run_id, status="succeeded", nodes={"out": {"rows_out": 2}})
        assert store.run(run_id)["nodes"] == {"out": {"rows_out": 2}}
        store.set_endpoint(flow["id"], "f", None, True)
        assert store.endpoint("f")["public"] is True
        store.set_schedule(
            flow["id"],
            cron="* * * * *",
            version=None,
            params={},
            missed="skip",
            enabled=True,
            next_run=1.0,
        )
        assert [s["flow_id"] for s in store.schedules()] == [flow["id"]]
        store.delete_flow(flow["id"])
        assert store.list_flows() == []
        store.close()
    finally:
        server.stop()
