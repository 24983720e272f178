"""Named connections through the user's server (what the JupyterLab UI calls), against the
real hub in embedded mode with two users, and a real PostgreSQL for tests and schemas."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from conftest import admin_client, approved_user, hub_fixture
from harness.client import HubClient
from harness.hub import Hub
from harness.postgres import Postgres

# A connection the admin gives everyone (read-only in the UI).
hub = hub_fixture("connections-hub", GALILEAN_CONNECTION_SHARED="sqlite:////srv/shared.db")


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = Postgres().start()
    try:
        engine = sa.create_engine(server.url())
        pd.DataFrame({"id": range(50), "v": ["x"] * 50}).to_sql("facts", engine, index=False)
        with engine.begin() as con:
            con.execute(sa.text("CREATE SCHEMA sales"))
            con.execute(sa.text("CREATE TABLE sales.orders (id int primary key, total numeric)"))
            con.execute(sa.text("CREATE VIEW sales.big AS SELECT * FROM sales.orders"))
            con.execute(sa.text("ANALYZE"))
        engine.dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def users(hub: Hub) -> Iterator[dict[str, HubClient]]:
    admin = admin_client(hub)
    people = {name: approved_user(hub, admin, name) for name in ("dana", "eli")}
    for client in people.values():
        client.start_server()
    try:
        yield people
    finally:
        for client in people.values():
            client.stop_server()


def api(client: HubClient, method: str, path: str, body: object = None) -> tuple[int, Any]:
    reply = client.api(method, f"{client.server_url()}galilean/{path}",
                       data=None if body is None else json.dumps(body))  # fmt: skip
    return reply.status_code, (reply.json() if reply.content else None)


def test_connections_crud_test_and_schema(
    hub: Hub, users: dict[str, HubClient], postgres: Postgres
) -> None:
    dana, eli = users["dana"], users["eli"]
    fields = {
        "dialect": "postgresql", "host": "127.0.0.1", "port": postgres.port,
        "database": "jupyterhub", "user": postgres.user, "password": postgres.password,
    }  # fmt: skip
    status, tested = api(dana, "POST", "connection-test", fields)
    assert status == 200, tested
    assert tested == {"ok": True, "message": tested["message"]}
    status, saved = api(dana, "PUT", "connections/warehouse", fields)
    assert status == 200, saved
    assert postgres.password not in json.dumps(saved)
    status, listed = api(dana, "GET", "connections")
    assert [(c["name"], c["read_only"]) for c in listed["connections"]] == [
        ("shared", True), ("warehouse", False),
    ]  # fmt: skip
    assert listed["builtin"][0]["name"] == "duckdb"
    stored = hub.data_dir / "users" / "dana" / "home" / ".galilean" / "connections.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    status, schema = api(dana, "GET", "connections/warehouse/schema")
    assert status == 200, schema
    by_schema = {s["name"]: {t["name"]: t for t in s["tables"]} for s in schema["schemas"]}
    assert by_schema["public"]["facts"]["rows"] == 50
    assert [c["name"] for c in by_schema["public"]["facts"]["columns"]] == ["id", "v"]
    assert by_schema["sales"]["big"]["kind"] == "view"
    assert by_schema["sales"]["orders"]["columns"][1]["type"].startswith("NUMERIC")

    # The other user sees none of it.
    status, theirs = api(eli, "GET", "connections")
    assert [c["name"] for c in theirs["connections"]] == ["shared"]
    assert api(eli, "DELETE", "connections/shared")[0] == 403
    assert api(eli, "GET", "connections/warehouse")[0] == 404
    assert api(eli, "GET", "connections/warehouse/schema")[0] == 404

    wrong = {**fields, "password": "wrong-password-000"}
    status, result = api(dana, "POST", "connection-test", wrong)
    assert status == 200
    assert result["ok"] is False
    assert "password authentication failed" in result["message"]
    assert "wrong-password-000" not in json.dumps(result)
    status, error = api(dana, "PUT", "connections/bad", {"dialect": "oracle"})
    assert status == 400
    assert error["errors"] == [{"field": "dialect"}]
    assert api(dana, "DELETE", "connections/warehouse")[0] == 204
    assert api(dana, "GET", "connections/warehouse")[0] == 404


def test_named_workspaces_share_the_users_connections(
    hub: Hub, users: dict[str, HubClient]
) -> None:
    dana = users["dana"]
    home = hub.data_dir / "users" / "dana" / "home"
    (home / "notes.db").touch()
    status, _ = api(
        dana, "PUT", "connections/notes", {"dialect": "sqlite", "database": str(home / "notes.db")}
    )
    assert status == 200
    dana.start_server("lab2")
    try:
        reply = dana.api("GET", f"{dana.server_url('lab2')}galilean/connections")
        assert [c["name"] for c in reply.json()["connections"]] == ["notes", "shared"]
    finally:
        dana.stop_server("lab2")
    assert Path(home / ".galilean" / "connections.json").is_file()


def test_bad_connection_fields_are_400_naming_the_field_and_secrets_stay_hidden(
    hub: Hub, users: dict[str, HubClient]
) -> None:
    dana = users["dana"]
    for body, field in (
        ({"dialect": "postgresql", "host": {"a": 1}}, "host"),
        ({"dialect": "postgresql", "host": "h", "port": [1]}, "port"),
        ({"dialect": "postgresql", "host": "h", "user": 5}, "user"),
        ({"dialect": "postgresql", "host": "h", "port": 65536}, "port"),
        ({"dialect": "postgresql", "host": "h", "port": 2**70}, "port"),
        ({"url": "postgresql://u@h:abc/db"}, "url"),
    ):
        for method, path in (("PUT", "connections/typed"), ("POST", "connection-test")):
            status, error = api(dana, method, path, body)
            assert status == 400, (body, error)
            assert error["errors"] == [{"field": field}], error
    assert api(dana, "GET", "connections/typed")[0] == 404

    url = "postgresql://ann@db.example/sales?sslmode=require&Password=q-secret-9&api_key=k-8"
    status, saved = api(dana, "PUT", "connections/keyed", {"url": url})
    assert status == 200, saved
    assert saved["has_password"] is True
    assert "Password=***" in saved["url"]
    status, listed = api(dana, "GET", "connections")
    for reply in (saved, listed, api(dana, "GET", "connections/keyed")[1]):
        assert "q-secret-9" not in json.dumps(reply)
        assert "k-8" not in json.dumps(reply)
    # Sending the shown (masked) URL back keeps the stored secrets.
    assert api(dana, "PUT", "connections/keyed", {"url": saved["url"]})[0] == 200
    stored = hub.data_dir / "users" / "dana" / "home" / ".galilean" / "connections.json"
    assert "Password=q-secret-9" in stored.read_text()
    assert api(dana, "DELETE", "connections/keyed")[0] == 204
