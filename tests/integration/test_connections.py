"""Named SQL connections (real PostgreSQL, SQLite and DuckDB files) and the flow kinds that
use them: a table, a query with bound parameters, a table writer."""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from galilean_server.kernel.sql_cell import SqlCellError, SqlRunner
from galilean_services import connection_engines
from galilean_services.connection_engines import MissingDatabaseFile, check, engine_for
from galilean_services.connections import ConnectionStore, describe_error
from galilean_services.errors import Forbidden, NotFound, ValidationError
from galilean_services.flows import parse_flow
from galilean_services.flows.net import HttpPolicy
from galilean_services.flows.runner import run
from harness.mariadb import MariaDB
from harness.postgres import Postgres
from harness.processes import closed_port


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = Postgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def mariadb() -> Iterator[MariaDB]:
    server = MariaDB().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["postgresql", "mariadb"])
def database(request: pytest.FixtureRequest) -> tuple[dict[str, Any], str, str]:
    """(connection fields, SQLAlchemy URL, password) of a real server."""
    if request.param == "postgresql":
        server: Any = request.getfixturevalue("postgres")
        return pg_fields(server), server.url(), server.password
    server = request.getfixturevalue("mariadb")
    fields = {
        "dialect": "mariadb",
        "host": "127.0.0.1",
        "port": server.port,
        "database": server.database,
        "user": server.user,
        "password": server.password,
    }
    return fields, server.url(), server.password


def pg_fields(server: Postgres, **changes: Any) -> dict[str, Any]:
    return {
        "dialect": "postgresql",
        "host": "127.0.0.1",
        "port": server.port,
        "database": "jupyterhub",
        "user": server.user,
        "password": server.password,
        **changes,
    }


def test_store_keeps_passwords_private(tmp_path: Path, postgres: Postgres) -> None:
    store = ConnectionStore(tmp_path, environ={"GALILEAN_CONNECTION_WAREHOUSE": "sqlite:///w.db"})
    saved = store.save("pg", pg_fields(postgres))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    shown = saved.public()
    assert postgres.password not in json.dumps(shown)
    assert shown["has_password"]
    assert [(c.name, c.read_only) for c in store.all()] == [("pg", False), ("warehouse", True)]
    # An edit without a password keeps the stored one.
    store.save("pg", {k: v for k, v in pg_fields(postgres).items() if k != "password"})
    assert check(store.get("pg")) == (True, check(store.get("pg"))[1])
    assert check(store.get("pg"))[1].startswith("connected (postgresql")
    with pytest.raises(Forbidden):
        store.save("warehouse", {"url": "sqlite:///x.db"})
    with pytest.raises(Forbidden):
        store.delete("warehouse")
    with pytest.raises(ValidationError) as bad:
        store.save("1st", {"url": "sqlite:///x.db"})
    assert bad.value.errors == [{"field": "name"}]
    with pytest.raises(ValidationError) as bad:
        store.save("nohost", {"dialect": "postgresql", "database": "x"})
    assert bad.value.errors == [{"field": "host"}]
    store.delete("pg")
    with pytest.raises(NotFound):
        store.get("pg")


def test_testing_a_connection_says_why_in_one_line(
    tmp_path: Path, postgres: Postgres, mariadb: MariaDB
) -> None:
    store = ConnectionStore(tmp_path, environ={})
    wrong = store.save("wrong", pg_fields(postgres, password="not-the-password-123"))
    ok, message = check(wrong)
    assert not ok
    assert "password authentication failed" in message
    assert "not-the-password-123" not in message
    assert "\n" not in message
    with closed_port() as port:
        closed = store.save("closed", pg_fields(postgres, port=port))
        ok, message = check(closed)
    assert not ok
    assert "refused" in message or "connect" in message
    missing = store.save("oracle", {"url": "oracle+cx_oracle://u:secret-pw@db.example/x"})
    ok, message = check(missing)
    assert not ok
    assert "not installed" in message
    assert "secret-pw" not in message
    fields = {
        "dialect": "mariadb",
        "host": "127.0.0.1",
        "port": mariadb.port,
        "user": mariadb.user,
        "password": "wrong-password-456",
    }
    maria = store.save("maria", fields)
    ok, message = check(maria)
    assert not ok
    assert "Access denied" in message
    assert "wrong-password-456" not in message
    sqlite3.connect(tmp_path / "a.db").close()
    lite = store.save("lite", {"dialect": "sqlite", "database": str(tmp_path / "a.db")})
    assert check(lite) == (True, f"connected (sqlite {sqlite3.sqlite_version}): {tmp_path}/a.db")
    duckdb.connect(str(tmp_path / "a.duckdb")).close()
    duck = store.save("duck", {"dialect": "duckdb", "database": str(tmp_path / "a.duckdb")})
    ok, message = check(duck)
    assert ok, message


def test_file_paths_are_in_the_users_home_and_never_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, workspace = tmp_path / "home", tmp_path / "home" / "workspaces" / "lab2"
    workspace.mkdir(parents=True)
    monkeypatch.chdir(workspace)  # a relative path is not the workspace's
    store = ConnectionStore(home, environ={"GALILEAN_CONNECTION_SHARED": "sqlite:///shared.db"})
    lite = store.save("lite", {"dialect": "sqlite", "database": "data/sales.db"})
    duck = store.save("duck", {"dialect": "duckdb", "database": "~/warehouse.duckdb"})
    assert lite.public()["database"] == f"{home}/data/sales.db"
    assert store.get("duck").public()["database"] == f"{home}/warehouse.duckdb"
    assert store.get("shared").url.database == f"{home}/shared.db"
    # Stored relative to the home: the flows service finds it where the home is mounted.
    saved = json.loads(store.path.read_text())["connections"]
    assert saved["lite"]["url"] == "sqlite:///data/sales.db"
    absolute = store.save("abs", {"dialect": "sqlite", "database": f"{home}/data/../x.db"})
    assert absolute.url.database == f"{home}/x.db"
    assert json.loads(store.path.read_text())["connections"]["abs"]["url"] == "sqlite:///x.db"

    # Test, browse and SQL cells never create a file that is not there.
    for connection in (lite, duck, store.get("shared")):
        with pytest.raises(MissingDatabaseFile) as missing:
            check(connection)
        assert missing.value.message == f"file does not exist: {connection.url.database}"
        assert missing.value.errors == [{"field": "database"}]
        for access in ("read", "write", None):
            with pytest.raises(MissingDatabaseFile):
                engine_for(connection, access=access)
    monkeypatch.setenv("GALILEAN_USER_HOME", str(home))
    monkeypatch.setenv("GALILEAN_CONNECTION_SHARED", "sqlite:///shared.db")
    runner = SqlRunner()
    with pytest.raises(SqlCellError, match=f"file does not exist: {home}/data/sales.db"):
        runner.run("lite", "CREATE TABLE t (a int)", {})
    assert sorted(p.name for p in home.rglob("*") if p.is_file()) == ["connections.json"]

    # An existing file: a user's own connection writes, Test and an admin's only read.
    (home / "data").mkdir()
    with sqlite3.connect(home / "data" / "sales.db") as db:
        db.execute("CREATE TABLE t (a int)")
    shutil.copy(home / "data" / "sales.db", home / "shared.db")
    assert check(lite)[0]
    runner.run("lite", "INSERT INTO t VALUES (1)", {})
    with pytest.raises(SqlCellError, match="readonly database"):
        runner.run("shared", "INSERT INTO t VALUES (1)", {})
    with engine_for(lite, access="read").connect() as con, pytest.raises(sa.exc.OperationalError):
        con.execute(sa.text("INSERT INTO t VALUES (2)"))
    assert sqlite3.connect(home / "data" / "sales.db").execute("SELECT * FROM t").fetchall() == [
        (1,)
    ]
    # A kept engine (the notebook's) does not recreate a file deleted meanwhile.
    duckdb.connect(str(home / "warehouse.duckdb")).close()
    engine = engine_for(duck)
    with engine.begin() as con:
        con.execute(sa.text("CREATE TABLE w (a int)"))
    (home / "warehouse.duckdb").unlink()
    with pytest.raises(MissingDatabaseFile):
        engine.connect()
    assert not (home / "warehouse.duckdb").exists()


def sql_flow(*nodes: dict[str, Any], **doc: Any) -> Any:
    edges = [
        {"id": f"e{i}", "from": {"node": a["id"]}, "to": {"node": b["id"]}}
        for i, (a, b) in enumerate(itertools.pairwise(nodes))
    ]
    return parse_flow(
        json.dumps({"galilean_flow": 1, "name": "sql", "nodes": list(nodes), "edges": edges, **doc})
    )


def test_flow_reads_and_writes_tables(
    tmp_path: Path, database: tuple[dict[str, Any], str, str]
) -> None:
    fields, url, password = database
    store = ConnectionStore(tmp_path, environ={})
    ok, message = check(store.save("pg", fields))
    assert ok, message
    engine = sa.create_engine(url)
    people = pd.DataFrame({"id": [1, 2, 3], "name": ["Ann", "Bo", "O'Neil"], "score": [9, 4, 7]})
    people.to_sql("people", engine, if_exists="replace", index=False)

    select = "SELECT * FROM people WHERE score >= :least OR name = :who"
    query = {"id": "q", "kind": "source.sql_query", "params": {"connection": "pg", "query": select}}
    flow = sql_flow(
        query,
        {"id": "out", "kind": "destination.display", "params": {}},
        parameters=[
            {"name": "least", "type": "integer", "default": 5},
            {"name": "who", "type": "string", "default": ""},
        ],
    )
    got = run(flow, {"least": 8}, connections=store)
    assert got.status == "succeeded", got.error
    assert got.outputs["out"].column("name").to_pylist() == ["Ann"]
    # An injection attempt is a value, not SQL.
    sneaky = run(flow, {"least": 99, "who": "x' OR '1'='1"}, connections=store)
    assert sneaky.outputs["out"].num_rows == 0
    quoted = run(flow, {"least": 99, "who": "O'Neil"}, connections=store)
    assert quoted.outputs["out"].column("id").to_pylist() == [3]

    copy = sql_flow(
        {"id": "t", "kind": "source.sql_table", "params": {"connection": "pg", "table": "people"}},
        {"id": "big", "kind": "transform.filter", "params": {"condition": "score > 5"}},
        {
            "id": "save",
            "kind": "destination.table",
            "params": {"connection": "pg", "table": "top_people", "mode": "replace"},
        },
    )
    for _ in range(2):  # replace: the second run does not double the rows
        outcome = run(copy, connections=store)
        assert outcome.status == "succeeded", outcome.error
    written = pd.read_sql("SELECT * FROM top_people ORDER BY id", engine)
    assert written["name"].tolist() == ["Ann", "O'Neil"]
    engine.dispose()

    broken = sql_flow(
        {"id": "t", "kind": "source.sql_table", "params": {"connection": "pg", "table": "nope"}},
        {"id": "out", "kind": "destination.display", "params": {}},
    )
    failed = run(broken, connections=store)
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error["node"] == "t"
    assert "nope" in failed.error["message"]
    assert password not in json.dumps(failed.error)
    unknown = run(
        sql_flow(
            {
                "id": "t",
                "kind": "source.sql_table",
                "params": {"connection": "elsewhere", "table": "x"},
            },
            {"id": "out", "kind": "destination.display", "params": {}},
        ),
        connections=store,
    )
    assert unknown.error == {"node": "t", "message": "no connection named 'elsewhere'"}


def test_query_must_be_one_select(tmp_path: Path) -> None:
    from galilean_services.flows import validate

    flow = sql_flow(
        {
            "id": "q",
            "kind": "source.sql_query",
            "params": {"connection": "x", "query": "DELETE FROM people; SELECT 1"},
        },
        {"id": "out", "kind": "destination.display", "params": {}},
    )
    assert [(i.node, i.path) for i in validate(flow)] == [("q", "query")]


def test_service_runs_keep_file_databases_in_the_owners_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside.db"
    with sqlite3.connect(outside) as db:
        db.execute("CREATE TABLE secrets (v TEXT)")
        db.execute("INSERT INTO secrets VALUES ('hub data')")
    home = tmp_path / "alice"
    home.mkdir()
    store = ConnectionStore(home, environ={})
    store.save("hub", {"dialect": "sqlite", "database": str(outside)})
    flow = sql_flow(
        {
            "id": "t",
            "kind": "source.sql_table",
            "params": {"connection": "hub", "table": "secrets"},
        },
        {"id": "out", "kind": "destination.display", "params": {}},
    )
    mine = run(flow, base_dir=home, connections=store)  # the user's own run: their rights
    assert mine.status == "succeeded"
    served = run(flow, base_dir=home, connections=store, http_policy=HttpPolicy())
    assert served.status == "failed"
    assert served.error is not None
    assert "outside your folder" in served.error["message"]


def test_service_runs_reach_real_servers_at_the_checked_address_with_timeouts(
    tmp_path: Path, database: tuple[dict[str, Any], str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fields, _, password = database
    # Shorter than the 3 s query: the handshake's limit must not apply to queries.
    monkeypatch.setattr(connection_engines, "CONNECT_TIMEOUT", 2)
    store = ConnectionStore(tmp_path, environ={})
    store.save("db", fields)
    port = fields["port"]
    postgres = fields["dialect"] == "postgresql"
    sleep = "SELECT pg_sleep(3) AS slept" if postgres else "SELECT SLEEP(3) AS slept"
    slow = sql_flow(
        {"id": "q", "kind": "source.sql_query", "params": {"connection": "db", "query": sleep}},
        {"id": "out", "kind": "destination.display", "params": {}},
    )
    refused = run(slow, base_dir=tmp_path, connections=store, http_policy=HttpPolicy())
    assert refused.error is not None
    assert "private or local address" in refused.error["message"]
    policy = HttpPolicy((f"127.0.0.1:{port}",), sql_timeout=1)
    began = time.monotonic()
    timed_out = run(slow, base_dir=tmp_path, connections=store, http_policy=policy)
    assert time.monotonic() - began < 3
    assert timed_out.error is not None
    assert timed_out.error["node"] == "q"
    reason = "statement timeout" if postgres else "timed out"
    assert reason in timed_out.error["message"]
    assert password not in json.dumps(timed_out.error)
    quick = sql_flow(
        {
            "id": "q",
            "kind": "source.sql_query",
            "params": {"connection": "db", "query": "SELECT 1 AS one"},
        },
        {"id": "out", "kind": "destination.display", "params": {}},
    )
    served = run(quick, base_dir=tmp_path, connections=store, http_policy=policy)
    assert served.status == "succeeded", served.error
    # A user's own run keeps no statement limit (only the connect/handshake timeout).
    own = run(slow, base_dir=tmp_path, connections=store)
    assert own.status == "succeeded", own.error


def test_passwords_in_query_parameters_are_secrets(tmp_path: Path, postgres: Postgres) -> None:
    store = ConnectionStore(tmp_path, environ={})
    secrets = ["pg-Pass-1", "pwd&2", "tok-3", "key-4"]
    url = (
        f"postgresql://{postgres.user}@127.0.0.1:{postgres.port}/jupyterhub"
        f"?Password={secrets[0]}&PWD=pwd%262&access_token={secrets[2]}"
        f"&API_KEY={secrets[3]}&sslmode=disable"
    )
    saved = store.save("q", {"url": url})
    shown = saved.public()
    listed = json.dumps([c.public() for c in store.all()])
    for secret in secrets:
        assert secret not in json.dumps(shown)
        assert secret not in listed
    assert shown["has_password"] is True
    assert "Password=***" in shown["url"]
    assert "sslmode=disable" in shown["url"]
    ok, message = check(store.get("q"))  # nothing listens there: the driver's message
    assert not ok
    assert all(secret not in message for secret in secrets)
    assert "pwd%262" not in message
    # The driver never echoes them, so try the scrubber on a message that would.
    echoed = Exception(f"could not connect: {url} password={secrets[0]} token='x y'")
    scrubbed = describe_error(echoed, store.get("q").url)
    assert all(secret not in scrubbed for secret in secrets)
    assert "token=***" in scrubbed
    # The form sends back the masked URL: the stored secrets stay.
    store.save("q", {"url": shown["url"]})
    assert store.get("q").url.query["Password"] == secrets[0]
    assert store.get("q").url.query["PWD"] == "pwd&2"
    only_query = f"postgresql://{postgres.user}@127.0.0.1:{postgres.port}/jupyterhub"
    real = store.save("real", {"url": f"{only_query}?password={postgres.password}"})
    assert check(real)[0], check(real)[1]
    assert real.public()["has_password"] is True
