"""Hostile flows against the real hub and its flows service, embedded mode with bubblewrap:
an approved user tries to read, write or reach what is not theirs. Canary files and the
hub's own secrets are planted; none may appear in any run, output, error or log, and no
file outside the owner's folder may change.

Each probe is one attempt; the module prints a table (attempts, refused, escaped) for the
issue's report and fails on any escape.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from flows_api import Flows, document, error_of, wait_ready
from hostile_flows import assert_killed_cleanly, big_copy, processes_with, start_and_catch_writing

from conftest import admin_client, approved_user, hub_fixture
from harness.hub import Hub

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")

hub = hub_fixture(
    "hostile-hub",
    GALILEAN_FLOWS_ISOLATION="bubblewrap",
    # Room for a cold start and a first run on a busy machine (the suite runs two
    # processes on two cores), well under the slow endpoint's 30 s.
    GALILEAN_FLOWS_ENDPOINT_TIMEOUT="10",
    GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB="1024",
)
CANARY = "CANARY-" + secrets.token_hex(8)
TALLY: list[tuple[str, str]] = []  # (probe, refused | escaped)
ONE_ROW = {"columns": [{"name": "n", "type": "BIGINT"}], "rows": [[1]]}


@pytest.fixture(scope="module")
def users(hub: Hub) -> Iterator[dict[str, Any]]:
    wait_ready(hub.url)
    admin = admin_client(hub)
    people: dict[str, Any] = {"admin": admin}
    for name in ("alice", "bob"):
        people[name] = approved_user(hub, admin, name)
    homes = {n: hub.home_of(n) for n in ("alice", "bob")}
    for home in homes.values():
        home.mkdir(parents=True, exist_ok=True)
    (homes["bob"] / "secret.txt").write_text(CANARY)
    pq.write_table(pa.table({"who": [CANARY]}), homes["bob"] / "mine.parquet")
    (homes["bob"] / "victim.txt").write_text("bob's own")
    (homes["alice"] / "rows.csv").write_text("n\n1\n2\n")
    people["homes"] = homes
    yield people
    _print_tally()


def _print_tally() -> None:
    if not TALLY:
        return
    refused = sum(1 for _, r in TALLY if r == "refused")
    lines = ["", "| hostile attempts | refused | escaped |", "| ---: | ---: | ---: |"]
    lines.append(f"| {len(TALLY)} | {refused} | {len(TALLY) - refused} |")
    print("\n".join(lines))


def secrets_of(hub: Hub, homes: dict[str, Path]) -> list[str]:
    """Text that must never reach alice: bob's canary, the hub's cookie secret, shadow."""
    found = [CANARY]
    cookie = hub.data_dir / "jupyterhub_cookie_secret"
    if cookie.exists():
        found.append(cookie.read_text().strip()[:32])
    shadow = Path("/etc/shadow")
    if shadow.exists():
        root = next((ln for ln in shadow.read_text().splitlines() if ln.startswith("root:")), "")
        if len(root.split(":")[1]) > 2:
            found.append(root.split(":")[1])
    return found


def hub_pid(hub: Hub) -> int:
    assert hub.proc is not None
    return hub.proc.pid


def run_flow(alice: Flows, flow: dict[str, Any]) -> dict[str, Any]:
    created = alice.ok("POST", "/api/flows", {"flow": flow}, 201)
    run = alice.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)
    return alice.wait_run(run["id"])


def record(probe: str, escaped: bool) -> None:
    TALLY.append((probe, "escaped" if escaped else "refused"))


PYTHON_PROBES = """
import ctypes, os, socket, struct
import pandas as pd

def attempt(name, action):
    try:
        return name, "ESCAPED " + repr(action())[:200]
    except BaseException as exc:
        return name, "refused " + type(exc).__name__

def raw_connect(port):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.socket(2, 1, 0)
    address = struct.pack("!HH4s8x", 2, port, bytes([127, 0, 0, 1]))
    if libc.connect(fd, address, len(address)) != 0:
        raise OSError(ctypes.get_errno(), "connect failed")
    return "connected"

def others(folder):
    names = [u for u in os.listdir(folder) if u != "alice"]
    if not names:
        raise FileNotFoundError(folder)
    return names

def shell_out():
    ctypes.CDLL(None).system(b"cat /etc/shadow > leak.txt")
    text = open("leak.txt").read()
    if not text:
        raise PermissionError("nothing read")
    return text

def transform(df):
    data = {data!r}
    results = [
        attempt("bob's file", lambda: open({bob!r}).read()),
        attempt("hub database", lambda: open(data + "/jupyterhub.sqlite", "rb").read(64)),
        attempt("flows database", lambda: open(data + "/flows.sqlite", "rb").read(64)),
        attempt("cookie secret", lambda: open(data + "/jupyterhub_cookie_secret").read()),
        attempt("/etc/shadow", lambda: open("/etc/shadow").read()),
        attempt("other users", lambda: others(data + "/users")),
        attempt("write outside", lambda: open({bob_dir!r} + "/pwned", "w").write("x")),
        attempt("hub port via ctypes", lambda: raw_connect({port})),
        attempt("socket module", lambda: socket.create_connection(("127.0.0.1", {port}), 2)),
        attempt("hub process", lambda: open("/proc/{hub_pid}/environ", "rb").read(64)),
        attempt("libc system", shell_out),
    ]
    return pd.DataFrame({{"probe": [r[0] for r in results], "result": [r[1] for r in results]}})
"""


def test_python_node_probes_are_all_refused(hub: Hub, users: dict[str, Any]) -> None:
    homes = users["homes"]
    code = PYTHON_PROBES.format(
        data=str(hub.data_dir),
        bob=str(homes["bob"] / "secret.txt"),
        bob_dir=str(homes["bob"]),
        port=int(hub.url.rsplit(":", 1)[1].split("/")[0]),
        hub_pid=hub_pid(hub),
    )
    flow = document(
        [
            {"id": "rows", "kind": "source.file", "params": {"path": "rows.csv"}},
            {"id": "py", "kind": "transform.python", "params": {"code": code}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("rows", "py"), ("py", "out")],
    )
    run = run_flow(Flows.of(users["alice"]), flow)
    assert run["status"] == "succeeded", run
    rows = run["outputs"]["out"]["rows"]
    assert len(rows) == 11
    for probe, result in rows:
        record(f"python: {probe}", result.startswith("ESCAPED"))
        assert result.startswith("refused"), (probe, result)
    text = json.dumps(run)
    for secret in secrets_of(hub, homes):
        assert secret not in text
    assert not (homes["bob"] / "pwned").exists()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT read_text('{bob}') AS t",
        "SELECT read_text('/etc/shadow') AS t",
        "SELECT read_blob('{data}/jupyterhub.sqlite') AS t",
        "SELECT * FROM read_csv('{bob}')",
        "SELECT content FROM read_text('{data}/jupyterhub_cookie_secret')",
    ],
    ids=["bob-file", "shadow", "hub-db", "read-csv", "cookie-secret"],
)
def test_a_saved_duckdb_connection_reads_nothing_outside(
    hub: Hub, users: dict[str, Any], query: str
) -> None:
    homes = users["homes"]
    store = homes["alice"] / ".galilean"
    store.mkdir(exist_ok=True)
    (store / "connections.json").write_text(
        json.dumps({"connections": {"mem": {"url": "duckdb:///:memory:"}}})
    )
    sql = query.format(bob=homes["bob"] / "secret.txt", data=hub.data_dir)
    flow = document(
        [
            {"id": "q", "kind": "source.sql_query", "params": {"connection": "mem", "query": sql}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("q", "out")],
    )
    run = run_flow(Flows.of(users["alice"]), flow)
    text = json.dumps(run)
    escaped = run["status"] == "succeeded" or any(s in text for s in secrets_of(hub, homes))
    record(f"duckdb connection: {query.split('(')[0]}", escaped)
    assert run["status"] == "failed", run
    assert run["error"]["node"] == "q"
    for secret in secrets_of(hub, homes):
        assert secret not in text


def test_symlinks_lead_nowhere(hub: Hub, users: dict[str, Any]) -> None:
    homes = users["homes"]
    alice = Flows.of(users["alice"])
    link = homes["alice"] / "bobs1.parquet"
    link.unlink(missing_ok=True)
    link.symlink_to(homes["bob"] / "mine.parquet")
    for engine_flow in ("bobs*.parquet", "bobs1.parquet"):
        flow = document(
            [
                {"id": "f", "kind": "source.file", "params": {"path": engine_flow}},
                {"id": "out", "kind": "destination.display", "params": {}},
            ],
            [("f", "out")],
        )
        run = run_flow(alice, flow)
        escaped = CANARY in json.dumps(run)
        record(f"symlink read {engine_flow}", escaped)
        assert not escaped
        assert run["status"] == "failed", run
    partial = homes["alice"] / "copy.csv.partial"
    partial.unlink(missing_ok=True)
    partial.symlink_to(homes["bob"] / "victim.txt")
    flow = document(
        [
            {"id": "f", "kind": "source.file", "params": {"path": "rows.csv"}},
            {
                "id": "w",
                "kind": "destination.file",
                "params": {"path": "copy.csv", "format": "csv"},
            },
        ],
        [("f", "w")],
    )
    run_flow(alice, flow)
    changed = (homes["bob"] / "victim.txt").read_text() != "bob's own"
    record("planted .partial symlink", changed)
    assert not changed


@pytest.mark.parametrize(
    "path", ["../../bob/home/secret.txt", "/etc/passwd", "{bob}"], ids=["dotdot", "abs", "bob"]
)
def test_paths_given_as_parameters_stay_inside(hub: Hub, users: dict[str, Any], path: str) -> None:
    alice = Flows.of(users["alice"])
    flow = document(
        [
            {"id": "f", "kind": "source.file", "params": {"path": "$file", "format": "csv"}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("f", "out")],
        parameters=[{"name": "file", "type": "string", "default": "rows.csv"}],
    )
    created = alice.ok("POST", "/api/flows", {"flow": flow}, 201)
    value = path.format(bob=users["homes"]["bob"] / "secret.txt")
    reply = alice.call("POST", f"/api/flows/{created['id']}/runs", {"params": {"file": value}})
    if reply.status_code == 202:
        run = alice.wait_run(reply.json()["id"])
        escaped = run["status"] == "succeeded" or CANARY in json.dumps(run)
    else:
        escaped = CANARY in reply.text
    record(f"path parameter {path}", escaped)
    assert not escaped


def test_http_to_the_hub_is_refused(hub: Hub, users: dict[str, Any]) -> None:
    port = int(hub.url.rsplit(":", 1)[1].split("/")[0])
    for url in (
        f"http://127.0.0.1:{port}\\@8.8.8.8/hub/api",
        f"http://127.0.0.1:{port}/hub/api",
        f"http://2130706433:{port}/hub/api",
    ):
        flow = document(
            [
                {"id": "h", "kind": "source.http_json", "params": {"url": url}},
                {"id": "out", "kind": "destination.display", "params": {}},
            ],
            [("h", "out")],
        )
        run = run_flow(Flows.of(users["alice"]), flow)
        record(f"http {url}", run["status"] == "succeeded")
        assert run["status"] == "failed", run


def sleepy_endpoint() -> dict[str, Any]:
    """An endpoint whose Python node sleeps `?wait=` seconds (a shared parameter)."""
    code = "import time\ndef transform(df):\n    time.sleep(float(df['n'][0]))\n    return df\n"
    rows = {"columns": [{"name": "n", "type": "DOUBLE"}], "rows": [[{"$param": "wait"}]]}
    return document(
        [
            {"id": "rows", "kind": "source.inline", "params": rows},
            {"id": "py", "kind": "transform.python", "params": {"code": code}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("rows", "py"), ("py", "out")],
        parameters=[{"name": "wait", "type": "number", "default": 0, "shared": True}],
    )


def one_row_flow() -> dict[str, Any]:
    return document(
        [
            {"id": "rows", "kind": "source.inline", "params": ONE_ROW},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("rows", "out")],
    )


def endpoint_workers_of(home: Path) -> list[int]:
    """Pids of endpoint workers whose folder is `home` (bubblewrap's command line names it)."""
    return processes_with("galilean_services.flows_service.endpoint_worker", str(home))


def test_a_slow_endpoint_delays_no_one_else_and_is_stopped(hub: Hub, users: dict[str, Any]) -> None:
    alice, bob = Flows.of(users["alice"]), Flows.of(users["bob"])
    slow = alice.ok("POST", "/api/flows", {"flow": sleepy_endpoint()}, 201)
    alice.ok("PUT", f"/api/flows/{slow['id']}/endpoint", {"name": "slow"})
    quick = bob.ok("POST", "/api/flows", {"flow": one_row_flow()}, 201)
    bob.ok("PUT", f"/api/flows/{quick['id']}/endpoint", {"name": "quick"})
    assert bob.call("POST", "/execute/quick").status_code == 200  # warm
    warm = alice.call("POST", "/execute/slow?wait=0")  # its worker started: no cold start
    assert warm.status_code == 200, warm.text
    answers: list[int] = []

    def call_slow() -> None:
        answers.append(alice.call("POST", "/execute/slow?wait=30").status_code)

    threads = [threading.Thread(target=call_slow) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the slow calls are in: one running, two queued
    quick_reply = bob.call("POST", "/execute/quick")
    assert quick_reply.status_code == 200
    assert not answers, "bob's call waited for alice's endpoint"
    for thread in threads:
        thread.join(60)
    # The time limit (10 s) stops the running call — its Python too — and the queued ones.
    assert sorted(answers) in ([503, 503, 504], [503, 504, 504], [504, 504, 504]), answers
    deadline = time.monotonic() + 10
    while endpoint_workers_of(users["homes"]["alice"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert endpoint_workers_of(users["homes"]["alice"]) == []


def test_deleting_a_flow_stops_its_run(hub: Hub, users: dict[str, Any]) -> None:
    alice = Flows.of(users["alice"])
    code = "import time\ndef transform(df):\n    time.sleep(120)\n    return df\n"
    flow = document(
        [
            {"id": "rows", "kind": "source.file", "params": {"path": "rows.csv"}},
            {
                "id": "py",
                "kind": "transform.python",
                "params": {"code": code, "timeout_seconds": 200},
            },
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("rows", "py"), ("py", "out")],
    )
    created = alice.ok("POST", "/api/flows", {"flow": flow}, 201)
    run = alice.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)
    deadline = time.monotonic() + 30
    while alice.ok("GET", f"/api/runs/{run['id']}")["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    while alice.ok("GET", "/health")["runs_active"] < 1:  # its worker is starting
        assert time.monotonic() < deadline
        time.sleep(0.1)
    alice.ok("DELETE", f"/api/flows/{created['id']}", status=204)
    assert alice.ok("GET", "/health")["runs_active"] == 0
    error_of(alice.call("GET", f"/api/runs/{run['id']}"), 404)


def test_no_secret_in_the_service_log(hub: Hub, users: dict[str, Any]) -> None:
    log = hub.log()
    for secret in secrets_of(hub, users["homes"]):
        assert secret not in log
    assert "flows run isolated by bubblewrap" in log
    assert os.environ.get("JUPYTERHUB_API_TOKEN", "none") not in log


def flows_service_of(hub: Hub) -> int:
    """The pid of this hub's flows service (a child of the hub)."""
    assert hub.proc is not None
    found = [
        p.pid
        for p in psutil.Process(hub.proc.pid).children()
        if "galilean_services.flows_service" in p.cmdline()
    ]
    assert len(found) == 1, found
    return found[0]


def test_a_killed_worker_leaves_no_partial_file(hub: Hub, users: dict[str, Any]) -> None:
    home, alice = users["homes"]["alice"], Flows.of(users["alice"])
    run_id = start_and_catch_writing(alice, big_copy(home), home)
    for pid in processes_with("galilean_services.flows_service.worker", str(home)):
        os.kill(pid, 9)
    assert_killed_cleanly(alice, run_id, home, "killed by signal SIGKILL")


def test_a_killed_service_comes_back_and_tells_the_truth(hub: Hub, users: dict[str, Any]) -> None:
    home, alice = users["homes"]["alice"], Flows.of(users["alice"])
    run_id = start_and_catch_writing(alice, big_copy(home), home)
    service = flows_service_of(hub)
    os.kill(service, 9)
    wait_ready(hub.url)  # the hub restarts its managed service
    assert_killed_cleanly(alice, run_id, home, "the service stopped during the run")
    assert "flows service on port" in hub.log().rsplit("exited with status", 1)[-1]


def test_a_browser_session_runs_an_endpoint_only_from_the_hubs_pages(
    hub: Hub, users: dict[str, Any]
) -> None:
    """GET /execute with only the hub cookie, as a link on another site would send it:
    refused (401); from the hub's own pages (same-origin, or the XSRF header) it runs."""
    alice = Flows.of(users["alice"])
    created = alice.ok("POST", "/api/flows", {"flow": one_row_flow()}, 201)
    alice.ok("PUT", f"/api/flows/{created['id']}/endpoint", {"name": "mine"})
    browser = users["alice"].http
    assert browser.get(f"{hub.url}/services/flows/", timeout=30).status_code == 200  # OAuth
    cookie = next(
        c for c in browser.cookies if c.path.startswith("/services/flows") and c.name != "_xsrf"
    )
    assert str(cookie.get_nonstandard_attr("SameSite", "")).lower() == "lax", cookie.__dict__
    url = f"{hub.url}/services/flows/execute/mine"
    cross = {"Sec-Fetch-Site": "cross-site"}
    error_of(browser.get(url, headers=cross, timeout=30), 401)
    error_of(browser.post(url, headers=cross, timeout=30), 401)
    record("cookie-only cross-site GET /execute", False)
    same = browser.get(url, headers={"Sec-Fetch-Site": "same-origin"}, timeout=30)
    assert same.status_code == 200, same.text
    xsrf = browser.cookies.get("_xsrf", path="/services/flows/")
    if xsrf:
        checked = browser.post(url, headers={"X-XSRFToken": xsrf}, timeout=30)
        assert checked.status_code == 200, checked.text
    forged = browser.post(url, headers={"X-XSRFToken": "forged"}, timeout=30)
    assert forged.status_code == 403, forged.text


def test_the_hubs_secrets_and_databases_are_private(hub: Hub, users: dict[str, Any]) -> None:
    assert hub.data_dir.stat().st_mode & 0o077 == 0
    for name in ("jupyterhub.sqlite", "flows.sqlite", "jupyterhub_cookie_secret"):
        assert (hub.data_dir / name).stat().st_mode & 0o077 == 0, name


def test_a_killed_hub_takes_its_services_along(hub: Hub, users: dict[str, Any]) -> None:
    """kill -9 of the hub: its flows service stops (and frees its port), so a new hub on
    the same ports starts cleanly. Last in this module: it replaces the hub."""
    assert hub.proc is not None
    service = flows_service_of(hub)
    os.kill(hub.proc.pid, 9)
    hub.proc.wait()
    deadline = time.monotonic() + 15
    while Path(f"/proc/{service}").exists():
        assert time.monotonic() < deadline, "the flows service outlived its hub"
        time.sleep(0.1)
    hub.start()
    wait_ready(hub.url)
    assert "Address already in use" not in hub.log()
