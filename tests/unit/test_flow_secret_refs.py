"""`{"$secret": NAME}` in a flow (issue 17): an HTTP node sends one of the owner's secrets
as a header or a query value (a real local API checks it), on both engines; a secret the
owner does not have, or a run with no vault, fails the node naming the field; a secret
anywhere else (a filter, an expression, a Python node's parameters, a file path) or with a
bad name is a validation issue naming the field; what a run gives back hides the values;
a run or an endpoint is given only the secrets its flow names (all of them only when it
opens named connections, whose password may be any of them)."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from galilean_services.flows import parse_flow, validate
from galilean_services.flows.runner import run
from galilean_services.flows.secret_refs import Remembering, scrub, scrub_all
from galilean_services.flows_service.run_secrets import named_secrets, secrets_for
from galilean_services.secrets.readers import given
from harness.local_http import QuietHandler, serving

KEY = "tok-9f8e7d6c5b4a"
OWNER = {"API_KEY": KEY, "REGION_CODE": "emea-west", "OTHER": "unrelated-value"}


class Api(QuietHandler):
    """Answers only with the right key, and echoes the header (as some APIs do)."""

    seen: ClassVar[list[tuple[str, str]]] = []  # (path with query, authorization)

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        Api.seen.append((self.path, auth))
        if auth != f"Bearer {KEY}":
            self.send_response(401)
            self.end_headers()
            return
        raw = json.dumps([{"id": 1, "echo": auth, "path": self.path}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        Api.seen.append((self.path, self.headers.get("X-Api-Key", "")))
        self.send_response(204)
        self.end_headers()


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with serving(Api) as url:
        yield url


def chain(*nodes: dict[str, Any]) -> dict[str, Any]:
    edges = [
        {"id": f"e{i}", "from": {"node": a["id"]}, "to": {"node": b["id"]}}
        for i, (a, b) in enumerate(itertools.pairwise(nodes))
    ]
    return {"galilean_flow": 1, "name": "keyed", "nodes": list(nodes), "edges": edges}


def keyed_api(api: str, name: str = "API_KEY") -> dict[str, Any]:
    """A JSON API source whose Authorization header is the secret `name` (the whole
    header's value: `Bearer …`) and whose `region` query value is a secret too."""
    return {
        "id": "orders",
        "kind": "source.http_json",
        "params": {
            "url": f"{api}/orders",
            "headers": {"Authorization": {"$secret": name}, "Accept": "application/json"},
            "query": {"region": {"$secret": "REGION_CODE"}, "limit": 5},
        },
    }


SHOW = {"id": "show", "kind": "destination.display", "params": {}}


@pytest.mark.parametrize("engine", ["auto", "duckdb"])
def test_an_http_source_sends_the_owners_secrets(api: str, engine: str) -> None:
    Api.seen.clear()
    owner = {**OWNER, "API_KEY": f"Bearer {KEY}"}
    flow = parse_flow(json.dumps(chain(keyed_api(api), SHOW)))
    assert validate(flow) == []
    outcome = run(flow, engine=engine, secrets=given(owner))
    assert outcome.status == "succeeded", outcome.error
    assert Api.seen == [("/orders?region=emea-west&limit=5", f"Bearer {KEY}")]
    # The API echoed the key: the run's rows hold it (the worker hides it on the way out).
    rows = outcome.outputs["show"].to_pylist()
    assert rows[0]["echo"] == f"Bearer {KEY}"
    assert scrub_all(rows, owner.values())[0]["echo"] == "[secret]"
    assert KEY not in json.dumps(outcome.logs)


def test_http_destinations_send_a_secret_header(api: str) -> None:
    Api.seen.clear()
    source = {
        "id": "rows",
        "kind": "source.inline",
        "params": {"columns": [{"name": "id", "type": "BIGINT"}], "rows": [[1], [2]]},
    }
    send = {
        "id": "send",
        "kind": "destination.http",
        "params": {"url": f"{api}/ingest", "headers": {"X-Api-Key": {"$secret": "API_KEY"}}},
    }
    hook = {
        "id": "hook",
        "kind": "destination.webhook",
        "params": {"url": f"{api}/hook", "headers": {"X-Api-Key": {"$secret": "API_KEY"}}},
    }
    doc = chain(source, send)
    doc["nodes"].append(hook)
    doc["edges"].append({"id": "e9", "from": {"node": "rows"}, "to": {"node": "hook"}})
    outcome = run(parse_flow(json.dumps(doc)), secrets=given(OWNER))
    assert outcome.status == "succeeded", outcome.error
    assert sorted(Api.seen) == [("/hook", KEY), ("/ingest", KEY)]


def test_a_secret_that_cannot_be_read_fails_its_node_naming_the_field(api: str) -> None:
    flow = parse_flow(json.dumps(chain(keyed_api(api, "NOT_SAVED"), SHOW)))
    missing = run(flow, secrets=given(OWNER))
    assert missing.status == "failed"
    assert missing.error == {
        "node": "orders",
        "message": "headers.Authorization: you have no secret named 'NOT_SAVED': "
        "add it in the Secrets panel",
    }
    no_vault = run(flow)  # a run outside the hub: no owner's vault to read
    assert no_vault.status == "failed"
    assert no_vault.error is not None
    assert "only when the flow runs on the hub" in no_vault.error["message"]

    def unreachable(name: str) -> str:
        raise RuntimeError("the vault is not reachable (ConnectionRefusedError)")

    down = run(flow, secrets=unreachable)
    assert down.error is not None
    assert down.error["message"] == (
        "query.region: the secret 'REGION_CODE' could not be read: "
        "the vault is not reachable (ConnectionRefusedError)"
    )


def test_a_secret_goes_only_where_an_http_node_sends_it() -> None:
    rows = {
        "id": "rows",
        "kind": "source.inline",
        "params": {"columns": [{"name": "a"}], "rows": [["x"]]},
    }
    misplaced = [
        (
            {"id": "f", "kind": "transform.filter", "params": {"condition": {"$secret": "K"}}},
            "condition",
        ),
        (
            {
                "id": "f",
                "kind": "transform.add_column",
                "params": {"name": "k", "expression": {"$secret": "K"}},
            },
            "expression",
        ),
        (
            {
                "id": "f",
                "kind": "transform.python",
                "params": {
                    "code": "def transform(df, params):\n    return df\n",
                    "params": {"key": {"$secret": "K"}},
                },
            },
            "params.key",
        ),
        ({"id": "f", "kind": "destination.file", "params": {"path": {"$secret": "K"}}}, "path"),
    ]
    for node, path in misplaced:
        issues = validate(parse_flow(json.dumps(chain(rows, node))))
        assert [(i.node, i.path) for i in issues] == [("f", path)], issues
        assert "secrets go only in the values an HTTP node sends" in issues[0].message
    bad_names = {"bad name": "query.region", "": "query.region"}
    for name, path in bad_names.items():
        node = {
            "id": "f",
            "kind": "source.http_json",
            "params": {"url": "http://x.test/", "query": {"region": {"$secret": name}}},
        }
        issues = validate(parse_flow(json.dumps(chain(node, SHOW))))
        assert [(i.node, i.path) for i in issues] == [("f", path)], issues
        assert "a secret's name is a letter or _" in issues[0].message


def test_what_leaves_a_run_hides_every_value_it_read() -> None:
    assert scrub("Bearer tok123 and tok123-long", ["tok123", "tok123-long"]) == (
        "Bearer [secret] and [secret]"
    )
    assert scrub("ok: fine", ["ok"]) == "ok: fine"  # too short to hide, garbles all
    reader = Remembering(given(OWNER))
    assert reader("API_KEY") == KEY
    with pytest.raises(LookupError):
        reader("NONE")
    assert reader.given == [KEY]
    nested = {"logs": [f"sent {KEY}"], "rows": [[1, {"k": KEY}]], "n": 3}
    assert scrub_all(nested, reader.given) == {
        "logs": ["sent [secret]"],
        "rows": [[1, {"k": "[secret]"}]],
        "n": 3,
    }


class Hub:
    """The hub's answer for an owner's secrets (run_secrets.OwnerSecrets' one method)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def of(self, owner: str) -> dict[str, str]:
        self.asked.append(owner)
        return dict(OWNER)


def test_a_run_is_given_only_the_secrets_its_flow_names() -> None:
    keyed = json.dumps(chain(keyed_api("http://api.test"), SHOW))
    assert named_secrets(keyed) == {"API_KEY", "REGION_CODE"}
    hub = Hub()
    given = asyncio.run(secrets_for(hub, "ann", keyed))
    assert given == {"API_KEY": KEY, "REGION_CODE": "emea-west"}
    plain = json.dumps(chain({"id": "r", "kind": "source.inline", "params": {}}, SHOW))
    assert asyncio.run(secrets_for(hub, "ann", plain)) is None
    assert hub.asked == ["ann"]  # a flow that needs none does not ask the hub
    connected = json.dumps(
        chain(
            {
                "id": "q",
                "kind": "source.sql_query",
                "params": {"connection": "warehouse", "query": "SELECT 1"},
            },
            SHOW,
        )
    )
    assert asyncio.run(secrets_for(hub, "ann", connected)) == OWNER
    assert asyncio.run(secrets_for(None, "ann", keyed)) is None
    assert named_secrets("not json") == frozenset()
