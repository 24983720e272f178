"""Named connections through the user's server (what the JupyterLab UI calls), against the
real hub in embedded mode with two users, and a real PostgreSQL for tests and schemas."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest
import sqlalchemy as sa
from flows_api import Flows, document, wait_ready

from conftest import admin_client, approved_user, hub_fixture
from harness.client import HubClient
from harness.hub import Hub
from harness.local_http import QuietHandler, serving
from harness.postgres import Postgres

# A connection the admin gives everyone (read-only in the UI); flow runs may reach the
# test's PostgreSQL on loopback.
hub = hub_fixture(
    "connections-hub",
    GALILEAN_CONNECTION_SHARED="sqlite:////srv/shared.db",
    GALILEAN_FLOWS_HTTP_ALLOW="127.0.0.1",
)


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
    for client in people.values():  # started together
        client.begin_server()
    for client in people.values():
        client.wait_server("", ready=True, timeout=180)
    try:
        yield people
    finally:
        for client in people.values():
            client.stop_server()


def api(client: HubClient, method: str, path: str, body: object = None) -> tuple[int, Any]:
    reply = client.api(
        method,
        f"{client.server_url()}galilean/{path}",
        data=None if body is None else json.dumps(body),
    )
    return reply.status_code, (reply.json() if reply.content else None)


def pg_fields(postgres: Postgres, **password: Any) -> dict[str, Any]:
    """The connection form's fields for the test's PostgreSQL (`password` or
    `password_secret`)."""
    return {
        "dialect": "postgresql",
        "host": "127.0.0.1",
        "port": postgres.port,
        "database": "jupyterhub",
        "user": postgres.user,
        **password,
    }


def test_connections_crud_test_and_schema(
    hub: Hub, users: dict[str, HubClient], postgres: Postgres
) -> None:
    dana, eli = users["dana"], users["eli"]
    fields = pg_fields(postgres, password=postgres.password)
    status, tested = api(dana, "POST", "connection-test", fields)
    assert status == 200, tested
    assert tested == {"ok": True, "message": tested["message"]}
    status, saved = api(dana, "PUT", "connections/warehouse", fields)
    assert status == 200, saved
    assert postgres.password not in json.dumps(saved)
    status, listed = api(dana, "GET", "connections")
    assert [(c["name"], c["read_only"]) for c in listed["connections"]] == [
        ("shared", True),
        ("warehouse", False),
    ]
    assert listed["builtin"][0]["name"] == "duckdb"
    status, known = api(dana, "GET", "dialects")  # what the form offers, through the hub
    assert status == 200, known
    assert [d["name"] for d in known["dialects"]] == [
        "postgresql",
        "mariadb",
        "mysql",
        "sqlite",
        "duckdb",
    ]
    stored = hub.home_of("dana") / ".galilean" / "connections.json"
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


def test_a_connections_password_can_be_a_secret(
    hub: Hub, users: dict[str, HubClient], postgres: Postgres
) -> None:
    """The form names one of the user's secrets for the password: the file holds the name
    only; testing, the schema browser, a SQL cell's engine and a flow run in the flows
    service read the value from the vault as the owner; no answer carries it."""
    dana, eli = users["dana"], users["eli"]
    dana.save_secret("PG_PASSWORD", postgres.password)
    fields = pg_fields(postgres, password_secret="PG_PASSWORD")
    status, tested = api(dana, "POST", "connection-test", fields)
    assert status == 200, tested
    assert tested["ok"] is True, tested
    status, saved = api(dana, "PUT", "connections/vaulted", fields)
    assert status == 200, saved
    assert saved["password_secret"] == "PG_PASSWORD"
    assert saved["has_password"] is True
    stored = (hub.home_of("dana") / ".galilean" / "connections.json").read_text()
    assert postgres.password not in stored
    assert json.loads(stored)["connections"]["vaulted"]["password_secret"] == "PG_PASSWORD"
    status, schema = api(dana, "GET", "connections/vaulted/schema")
    assert status == 200, schema
    assert "facts" in json.dumps(schema)
    # A flow run (the service, the run as dana) opens it with the secret's value.
    wait_ready(hub.url)
    flows = Flows.of(dana)
    flow = document(
        [
            {
                "id": "q",
                "kind": "source.sql_query",
                "params": {"connection": "vaulted", "query": "SELECT count(*) AS n FROM facts"},
            },
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("q", "out")],
    )
    created = flows.ok("POST", "/api/flows", {"flow": flow}, 201)
    run = flows.wait_run(flows.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)["id"])
    assert run["status"] == "succeeded", (run.get("error"), run.get("logs"))
    assert run["outputs"]["out"]["rows"] == [[50]]
    # Published as an endpoint: its worker is given the secrets the same way.
    flows.ok("PUT", f"/api/flows/{created['id']}/endpoint", {"name": "vaulted-count"})
    called = flows.call("GET", "/execute/vaulted-count")
    assert called.status_code == 200, called.text
    assert called.json()["results"]["out"]["rows"] == [{"n": 50}]
    answers = json.dumps([tested, saved, schema, run, called.json()])
    assert postgres.password not in answers
    assert postgres.password not in hub.log()
    # A secret that is not there: 400 naming the field, and a run that says so.
    status, missing = api(dana, "PUT", "connections/lost", {**fields, "password_secret": "NOPE"})
    assert status == 200, missing
    status, refused = api(dana, "POST", "connections/lost/test")
    assert status == 400, refused
    assert refused["errors"] == [{"field": "password_secret"}]
    assert "NOPE" in refused["error"]
    # Eli has no such secret: the same form is refused for him, his run cannot borrow it.
    status, theirs = api(eli, "POST", "connection-test", fields)
    assert status == 400, theirs
    assert theirs["errors"] == [{"field": "password_secret"}]
    # A bad name is 400 naming the field.
    status, bad = api(dana, "POST", "connection-test", {**fields, "password_secret": "no way"})
    assert status == 400
    assert bad["errors"] == [{"field": "password_secret"}]
    for name in ("vaulted", "lost"):
        assert api(dana, "DELETE", f"connections/{name}")[0] == 204


class KeyedApi(QuietHandler):
    """An API that answers only with its key, echoing the header back (as some do)."""

    key = "Bearer api-7c1d-2e9f-secret"
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        KeyedApi.seen.append(auth)
        ok = auth == KeyedApi.key
        raw = json.dumps([{"id": 1, "echo": auth}]).encode()
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw) if ok else 0))
        self.end_headers()
        if ok:
            self.wfile.write(raw)


@pytest.fixture(scope="module")
def keyed_api() -> Iterator[str]:
    with serving(KeyedApi) as url:
        yield url


def test_a_flow_sends_its_owners_secret_to_an_api(
    hub: Hub, users: dict[str, HubClient], keyed_api: str
) -> None:
    """`{"$secret": "API_TOKEN"}` as a header of an HTTP source: the designer's preview (the
    user's server, as the user), a run and a published endpoint (the flows service hands
    the run the secret) all send it; the API's echo of it comes back hidden; another
    user's copy of the flow has no such secret and fails naming the field."""
    dana, eli = users["dana"], users["eli"]
    dana.save_secret("API_TOKEN", KeyedApi.key)
    KeyedApi.seen.clear()
    flow = document(
        [
            {
                "id": "api",
                "kind": "source.http_json",
                "params": {
                    "url": f"{keyed_api}/orders",
                    "headers": {"Authorization": {"$secret": "API_TOKEN"}},
                },
            },
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("api", "out")],
    )
    preview = dana.api(
        "POST",
        f"{dana.server_url()}galilean/flows/preview",
        data=json.dumps({"path": "keyed.flow", "content": flow, "node": "out", "limit": 5}),
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["rows"] == [[1, "[secret]"]]
    wait_ready(hub.url)
    flows = Flows.of(dana)
    created = flows.ok("POST", "/api/flows", {"flow": flow}, 201)
    run = flows.wait_run(flows.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)["id"])
    assert run["status"] == "succeeded", (run.get("error"), run.get("logs"))
    assert run["outputs"]["out"]["rows"] == [[1, "[secret]"]]
    flows.ok("PUT", f"/api/flows/{created['id']}/endpoint", {"name": "keyed-orders"})
    called = flows.call("GET", "/execute/keyed-orders")
    assert called.status_code == 200, called.text
    assert called.json()["results"]["out"]["rows"] == [{"id": 1, "echo": "[secret]"}]
    assert KeyedApi.seen == [KeyedApi.key] * 3
    # Eli's copy: he has no API_TOKEN; the run fails at the node, naming the header.
    theirs = Flows.of(eli)
    copied = theirs.ok("POST", "/api/flows", {"flow": flow}, 201)
    failed = theirs.wait_run(theirs.ok("POST", f"/api/flows/{copied['id']}/runs", {}, 202)["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["node"] == "api"
    assert (
        "headers.Authorization: you have no secret named 'API_TOKEN'" in failed["error"]["message"]
    )
    assert KeyedApi.seen == [KeyedApi.key] * 3  # nothing was sent for him
    answers = json.dumps([preview.json(), run, called.json(), failed])
    assert KeyedApi.key not in answers
    assert KeyedApi.key not in hub.log()


def test_named_workspaces_share_the_users_connections(
    hub: Hub, users: dict[str, HubClient]
) -> None:
    dana = users["dana"]
    home = hub.home_of("dana")
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
    stored = hub.home_of("dana") / ".galilean" / "connections.json"
    assert "Password=q-secret-9" in stored.read_text()
    assert api(dana, "DELETE", "connections/keyed")[0] == 204


def test_file_connections_resolve_in_the_home_and_missing_files_are_400(
    hub: Hub, users: dict[str, HubClient]
) -> None:
    dana = users["dana"]
    home = hub.home_of("dana")
    status, listed = api(dana, "GET", "connections")
    assert listed["home"] == str(home)
    fields = {"dialect": "sqlite", "database": "data/typo.db"}
    for method, path in (("POST", "connection-test"), ("PUT", "connections/typo")):
        status, answer = api(dana, method, path, fields)
        if method == "PUT":
            assert status == 200, answer
            assert answer["database"] == f"{home}/data/typo.db"
            status, answer = api(dana, "POST", "connections/typo/test")
        assert status == 400, answer
        assert answer["error"] == f"file does not exist: {home}/data/typo.db"
        assert answer["errors"] == [{"field": "database"}]
    status, answer = api(dana, "GET", "connections/typo/schema")
    assert (status, answer["errors"]) == (400, [{"field": "database"}])
    assert not (home / "data").exists()
    (home / "data").mkdir()
    sqlite3.connect(home / "data" / "typo.db").close()
    dana.start_server("lab3")  # another workspace: the same file
    try:
        reply = dana.api("POST", f"{dana.server_url('lab3')}galilean/connections/typo/test")
        assert reply.json() == {
            "ok": True,
            "message": f"connected (sqlite {sqlite3.sqlite_version}): {home}/data/typo.db",
        }
    finally:
        dana.stop_server("lab3")
    assert api(dana, "DELETE", "connections/typo")[0] == 204


def test_status_tells_true_feature_states_and_the_workspace(
    hub: Hub, users: dict[str, HubClient]
) -> None:
    eli = users["eli"]
    status, answer = api(eli, "GET", "status")
    assert status == 200, answer
    features = {f["name"]: f for f in answer["features"]}
    assert list(features) == [
        "sql",
        "connections",
        "query_builder",
        "tables",
        "flows",
        "mlflow",
        "secrets",
        "collaboration",
        "ai",
        "workspaces",
    ]
    assert features["sql"]["available"]
    assert features["secrets"]["available"]
    assert features["secrets"]["command"] == "galilean:open-secrets"
    # This test hub runs no MLflow: the entry says so, and what the admin sets.
    assert features["mlflow"]["available"] is False
    assert "GALILEAN_MLFLOW_ENABLED" in features["mlflow"]["enable"]
    assert features["sql"]["command"] == "galilean:new-sql-notebook"
    assert features["workspaces"] == {
        **features["workspaces"],
        "available": True,
        "url": "hub/home",
    }
    ai = features["ai"]  # the test hub passes no provider key
    assert features["collaboration"]["available"], features["collaboration"]
    assert ai["available"] is False
    assert ai["reason"] == "no AI provider is configured"
    for variable in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OLLAMA_API_BASE", "stack.env"):
        assert variable in ai["enable"]
    assert answer["workspace"] == {"name": "", "title": "Default"}
    eli.start_server("reports")
    try:
        reply = eli.api("GET", f"{eli.server_url('reports')}galilean/status").json()
        assert reply["workspace"]["name"] == "reports"
        assert reply["workspace"]["title"]
    finally:
        eli.stop_server("reports")


class FakeModels:
    """Jupyternaut's config manager as ai_setup reads it."""

    def __init__(self, chat_model: str | None, custom: list[str] = ()) -> None:  # type: ignore[assignment]
        self.chat_model = chat_model
        self.custom_models = [type("M", (), {"model_id": m})() for m in custom]


def test_ai_is_available_only_with_a_model_and_its_providers_key() -> None:
    from galilean_server.ai_setup import ai_setup, no_model_message

    key = {"ANTHROPIC_API_KEY": "sk-test"}
    assert ai_setup({}, FakeModels("anthropic/claude-sonnet-4-5")).available is False
    assert ai_setup(key, FakeModels(None)).available is False
    assert "model picker" in ai_setup(key, FakeModels(None)).enable
    assert ai_setup(key, FakeModels("anthropic/claude-sonnet-4-5")).available is True
    assert ai_setup(key, FakeModels("openai/gpt-4o")).available is False
    assert ai_setup(key, FakeModels(None, ["anthropic/claude-haiku"])).available is True
    assert ai_setup(key, None).reason == "jupyter-ai's Jupyternaut server extension is not loaded"
    message = no_model_message({})
    for variable in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OLLAMA_API_BASE", "stack.env"):
        assert variable in message
    assert ".env" not in message.replace("stack.env", "")
    assert "model picker" in no_model_message(key)


def test_with_the_ai_gateway_the_chat_needs_only_the_hubs_model() -> None:
    from galilean_server.ai_setup import ai_setup, no_model_message

    gateway = {"GALILEAN_AI_URL": "http://127.0.0.1:8085/services/ai/", "OPENAI_API_KEY": "t"}
    ready = ai_setup(gateway, FakeModels("openai/echo"))
    assert ready.available is True
    assert ready.model == "openai/echo"
    none = ai_setup(gateway, FakeModels(None))
    assert none.available is False
    assert none.reason == "no AI model is set up on the hub"
    assert "GALILEAN_AI_MODELS" in none.enable
    message = no_model_message(gateway)
    assert "GALILEAN_AI_MODELS" in message
    assert "as you" in message


def test_the_chats_litellm_calls_with_tools_answer() -> None:
    """litellm 1.106 + mcp 1.x: a request with tools failed on an import (ai_persona)."""
    import asyncio

    import litellm
    from fake_openai import fake_openai

    from galilean_server.ai_persona import skip_litellm_mcp

    skip_litellm_mcp()
    skip_litellm_mcp()  # once is enough; twice changes nothing
    assert litellm.acompletion.__wrapped__.__name__ == "acompletion"
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    with fake_openai() as (base, _):
        answer = asyncio.run(
            litellm.acompletion(
                model="openai/echo",
                api_base=base,
                api_key="k",
                messages=[{"role": "user", "content": "with tools"}],
                tools=[tool],
            )
        )
    assert answer.choices[0].message.content == "echo: with tools"


def test_jupyternaut_runs_as_galileans_persona() -> None:
    from jupyter_ai_jupyternaut.jupyternaut.jupyternaut import JupyternautPersona
    from jupyter_ai_persona_manager.extension import PersonaManagerExtension
    from jupyter_ai_persona_manager.persona_manager import PersonaManager
    from traitlets.config.loader import KVArgParseConfigLoader

    from galilean_hub.config import AI_CHAT_ARGS
    from galilean_server.ai_jupyternaut import GalileanJupyternaut
    from galilean_server.ai_persona import GalileanPersonaManager

    # The arguments every user server gets (the hub's spawner args) name Galilean's manager
    # and make Jupyternaut (its real id) the persona that answers.
    config = KVArgParseConfigLoader(argv=list(AI_CHAT_ARGS)).load_config()
    extension = PersonaManagerExtension(config=config)
    assert extension._default_persona_id() == GalileanJupyternaut.__new__(GalileanJupyternaut).id
    assert extension.persona_manager_class is GalileanPersonaManager
    saved = PersonaManager._ep_persona_classes
    try:
        PersonaManager._ep_persona_classes = [
            {"module": "jupyternaut", "persona_class": JupyternautPersona, "traceback": None}
        ]
        manager = GalileanPersonaManager.__new__(GalileanPersonaManager)
        manager._local_persona_classes = None
        with contextlib.suppress(Exception):  # no chat here; only the swapped class matters
            manager._init_personas()
        swapped = PersonaManager._ep_persona_classes
        assert swapped is not None
        assert swapped[0]["persona_class"] is GalileanJupyternaut
    finally:
        PersonaManager._ep_persona_classes = saved
    persona = GalileanJupyternaut.__new__(GalileanJupyternaut)
    assert persona.id == "jupyter-ai-personas::jupyter_ai_jupyternaut::JupyternautPersona"
