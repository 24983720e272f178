"""The AI gateway in this process (its real application and litellm, the hub replaced by a
table of tokens and groups) in front of a real OpenAI-compatible model server on loopback
(tests/fake_openai.py): the `openai` client with a hub token as its key gets answers and
streams; the provider sees the admin's key, never the user's token; which models each
group may use; daily budgets (a fake clock turns the day); usage per user and model;
refused fields and provider errors never echo a key; a user's own provider key (their
vault's AI_KEY_OPENAI, which the hub gives the gateway) is used for them alone, outside the
budget, and a provider's refusal of it names the secret, never the key."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
import requests
from fake_clock import FakeClock
from fake_openai import Script, fake_openai

from galilean_services.ai_service.access import SCOPES
from galilean_services.ai_service.app import make_app
from galilean_services.ai_service.catalogue import Catalogue
from galilean_services.ai_service.config import ServiceConfig
from galilean_services.ai_service.service import AiService
from galilean_services.kit.testing import FakeHubAuth, running, service_model, user_model

ADMIN_KEY = "sk-admin-key-0123456789"
DAVE_KEY = "sk-dave-own-key-98765"
HUB_KEY = "sk-hub-secret-key-5555"
PREFIX = "/services/ai/"
USE = sorted(SCOPES.letting_in("ai"))
TOKENS = {
    "alice-token": user_model("alice", USE, ("researchers",)),
    "bob-token": user_model("bob", USE),
    "carol-token": user_model("carol", USE, ("heavy",)),
    "root-token": user_model("root", USE, admin=True),
    "dave-token": user_model("dave", USE),
    "erin-token": user_model("erin", USE, ("hubbers",)),
    "narrow-token": user_model("alice", ["read:users:name!user=alice"]),
    # The hub's usage dashboard reads everyone's usage; another service does not.
    "usage-token": service_model("usage", ["access:services!service=ai"]),
    "other-service-token": service_model("flows", ["access:services!service=ai"]),
}
GROUPS = {
    "researchers": {"galilean.ai_models": ["big"]},
    "heavy": {"galilean.ai_daily_tokens": 0, "galilean.ai_models": "oops-not-a-model"},
    "hubbers": {"galilean.ai_models": ["hubbed"], "galilean.ai_daily_tokens": 0},
}


class Gateway:
    def __init__(
        self, url: str, script: Script, service: AiService, clock: FakeClock, hub: FakeHubAuth
    ) -> None:
        self.url, self.script, self.service, self.clock = url, script, service, clock
        self.hub = hub

    def client(self, who: str) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.url}/v1", api_key=f"{who}-token", max_retries=0)

    def call(self, method: str, path: str, who: str | None = "alice", **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {who}-token"} if who else {}
        return requests.request(method, f"{self.url}/{path}", headers=headers, timeout=60, **kw)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    folder: Path = tmp_path_factory.mktemp("ai-gateway")
    with pytest.MonkeyPatch.context() as patch, fake_openai() as (base, script):
        patch.setenv("OPENAI_API_KEY", ADMIN_KEY)
        # "hubbed" has no base URL of its own: OpenAI's, which the admin moved here.
        patch.setenv("OPENAI_API_BASE", base)
        catalogue = Catalogue.from_settings(
            f"echo=openai/scripted@{base},big=openai/big-model@{base},hubbed=openai/scripted",
            default="echo",
            everyone="echo",
            daily_tokens=40,
            daily_requests=0,
        )
        config = ServiceConfig(db_url=f"sqlite:///{folder / 'ai.sqlite'}", catalogue=catalogue)
        clock = FakeClock(1_780_000_000.0)
        service = AiService(config, clock)
        # The hub gives the gateway a user's own AI keys only (vault_api: tested on the hub).
        own = {"dave": {"AI_KEY_OPENAI": DAVE_KEY}}
        hub = FakeHubAuth(TOKENS, GROUPS, own)
        app = make_app(config, service, hub)
        with running(app) as url:
            yield Gateway(url + PREFIX.rstrip("/"), script, service, clock, hub)
        service.close()


def test_any_openai_client_gets_answers_and_streams(gateway: Gateway) -> None:
    client = gateway.client("alice")
    assert [m.id for m in client.models.list()] == ["echo", "big"]
    answer = client.chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "hello there"}]
    )
    assert answer.choices[0].message.content == "echo: hello there"
    assert answer.model == "echo"
    streamed = client.chat.completions.create(
        model="big", messages=[{"role": "user", "content": "stream me please"}], stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
    assert text == "echo: stream me please"
    # With function tools (as jupyter-ai's chat sends them).
    tool: Any = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    tooled = client.chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "use a tool"}], tools=[tool]
    )
    assert tooled.choices[0].message.content == "echo: use a tool"
    # The provider saw the admin's key and its own model id, never the user's token.
    for seen in gateway.script.requests[-3:]:
        # A model on a server of its own (@base URL) never gets the admin's OpenAI key.
        assert seen["headers"]["authorization"] == "Bearer none"
        assert "alice-token" not in str(seen)
        assert ADMIN_KEY not in str(seen)
    assert [r["body"]["model"] for r in gateway.script.requests[-3:]] == [
        "scripted",
        "big-model",
        "scripted",
    ]
    # Within today's budget: the answer may be at most the tokens left (40, none used).
    assert [r["body"].get("max_tokens") for r in gateway.script.requests[-3:]] == [40, 22, 4]
    usage = gateway.call("GET", "api/usage?days=1").json()["usage"]
    assert {(u["model"], u["requests"], u["prompt_tokens"]) for u in usage} == {
        ("echo", 2, 22),
        ("big", 1, 11),
    }


def test_groups_choose_the_models(gateway: Gateway) -> None:
    assert [m.id for m in gateway.client("bob").models.list()] == ["echo"]
    # A group's unknown name is skipped, not fatal: carol still has everyone's.
    assert [m.id for m in gateway.client("carol").models.list()] == ["echo"]
    with pytest.raises(openai.PermissionDeniedError) as refused:
        gateway.client("bob").chat.completions.create(
            model="big", messages=[{"role": "user", "content": "x"}]
        )
    assert "'big' is not a model you may use (yours: echo)" in str(refused.value)
    status = gateway.call("GET", "api/status", who="bob").json()
    assert status["ready"] is True
    assert status["models"] == ["echo"]
    assert status["default"] == "echo"
    assert status["budget"] == {"requests": 0, "tokens": 40}


def test_a_daily_budget_and_the_next_day(gateway: Gateway) -> None:
    ask = {"model": "echo", "messages": [{"role": "user", "content": "count me"}]}
    # 18 tokens an answer: the third starts under 40 (36) and is answered; then no more.
    for _ in range(3):
        assert gateway.call("POST", "v1/chat/completions", who="bob", json=ask).status_code == 200
    over = gateway.call("POST", "v1/chat/completions", who="bob", json=ask)
    assert over.status_code == 429
    assert "you used your 40 AI tokens for today (54)" in over.json()["error"]
    # carol's group lifts the limit.
    for _ in range(3):
        assert gateway.call("POST", "v1/chat/completions", who="carol", json=ask).ok
    gateway.clock.advance(24 * 3600)
    assert gateway.call("POST", "v1/chat/completions", who="bob", json=ask).status_code == 200
    # An admin sees everyone's use; a user only their own.
    everyone = gateway.call("GET", "api/usage?days=2", who="root").json()["usage"]
    assert {u["user"] for u in everyone} >= {"bob", "carol"}
    assert {u["user"] for u in gateway.call("GET", "api/usage", who="bob").json()["usage"]} == {
        "bob"
    }
    # The usage dashboard's service token: everyone's, like an admin; it cannot chat.
    dashboard = gateway.call("GET", "api/usage?days=2", who="usage").json()["usage"]
    assert {u["user"] for u in dashboard} >= {"bob", "carol"}
    assert gateway.call("POST", "v1/chat/completions", who="usage", json=ask).status_code == 403
    assert gateway.call("GET", "api/usage", who="other-service").status_code == 403


def test_a_users_own_key_is_theirs_and_outside_the_budget(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    ask = {"model": "echo", "messages": [{"role": "user", "content": "on my key"}]}
    before = len(gateway.script.requests)
    for _ in range(4):  # 72 tokens: past the budget of 40, which does not apply to them
        assert gateway.call("POST", "v1/chat/completions", who="dave", json=ask).ok
    streamed = gateway.client("dave").chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "on my key"}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
    assert gateway.call("POST", "v1/chat/completions", who="alice", json=ask).ok
    seen = [r["headers"]["authorization"] for r in gateway.script.requests[before:]]
    assert seen == [f"Bearer {DAVE_KEY}"] * 5 + ["Bearer none"]  # alice: not dave's key
    status = gateway.call("GET", "api/status", who="dave").json()
    assert status["own_key_models"] == ["echo"]
    assert status["today"] == {"requests": 0, "tokens": 0}  # the budget counts the hub's
    assert gateway.call("GET", "api/status", who="alice").json()["own_key_models"] == []
    usage = gateway.call("GET", "api/usage?days=1", who="dave").json()["usage"]
    assert [(u["model"], u["requests"], u["own_key"]) for u in usage] == [("echo", 5, True)]
    # Still the admin's choice of models: big is not dave's to use, key or not.
    big = {**ask, "model": "big"}
    assert gateway.call("POST", "v1/chat/completions", who="dave", json=big).status_code == 403
    # The provider refuses his key: he is told which secret to mend, never the key.
    gateway.script.status = 401
    gateway.script.error_body = '{"error": {"message": "Incorrect API key: ' + DAVE_KEY + '"}}'
    try:
        with caplog.at_level(logging.DEBUG):
            refused = gateway.call("POST", "v1/chat/completions", who="dave", json=ask)
    finally:
        gateway.script.status = 200
    assert refused.status_code == 502
    assert "refused your own key (your secret AI_KEY_OPENAI)" in refused.json()["error"]
    for text in (refused.text, caplog.text, json.dumps(status), json.dumps(usage)):
        assert DAVE_KEY not in text


def test_the_hubs_secret_key_replaces_the_environments(gateway: Gateway) -> None:
    """An admin saved OPENAI_API_KEY as a hub secret: requests to OpenAI's own endpoint
    carry it instead of stack.env's; deleted, stack.env's again (within the cache time);
    a server of a model's own never gets it."""
    ask = {"model": "hubbed", "messages": [{"role": "user", "content": "which key"}]}
    echo = {**ask, "model": "echo"}
    gateway.hub.hub_secrets["OPENAI_API_KEY"] = HUB_KEY
    gateway.clock.advance(60)  # past what the gateway remembers of the hub's keys
    before = len(gateway.script.requests)
    assert gateway.call("POST", "v1/chat/completions", who="erin", json=ask).ok
    assert gateway.call("POST", "v1/chat/completions", who="erin", json=echo).ok
    del gateway.hub.hub_secrets["OPENAI_API_KEY"]
    assert gateway.call("POST", "v1/chat/completions", who="erin", json=ask).ok  # remembered
    gateway.clock.advance(60)
    assert gateway.call("POST", "v1/chat/completions", who="erin", json=ask).ok
    seen = [r["headers"]["authorization"] for r in gateway.script.requests[before:]]
    assert seen == [f"Bearer {HUB_KEY}", "Bearer none", f"Bearer {HUB_KEY}", f"Bearer {ADMIN_KEY}"]
    # Erin's requests on the hub's key count against her budget (not her own key).
    assert gateway.call("GET", "api/status", who="erin").json()["today"]["requests"] == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "model": "echo",
                "messages": [{"role": "user", "content": "x"}],
                "api_base": "http://evil",
            },
            "api_base",
        ),
        (
            {"model": "echo", "messages": [{"role": "user", "content": "x"}], "api_key": "mine"},
            "api_key",
        ),
        ({"model": "echo", "messages": []}, "messages"),
        ({"model": "echo", "messages": [{"role": "wizard", "content": "x"}]}, "messages[0]"),
        ({"messages": [{"role": "user", "content": "x"}]}, "model"),
        (
            {"model": "echo", "messages": [{"role": "user", "content": "x"}], "stream": "yes"},
            "stream",
        ),
        ([1, 2], "body"),
        ({"model": "echo", "messages": [{"role": "user", "content": "x"}], "n": 9}, "n"),
        (
            {
                "model": "echo",
                "messages": [{"role": "user", "content": "x"}],
                "tools": [{"type": "mcp", "server_url": "litellm_proxy/x"}],
            },
            "tools",
        ),
        (
            {"model": "echo", "messages": [{"role": "user", "content": "x"}], "max_tokens": 0},
            "max_tokens",
        ),
    ],
)
def test_bad_requests_name_the_field(gateway: Gateway, body: Any, field: str) -> None:
    reply = gateway.call("POST", "v1/chat/completions", json=body)
    assert reply.status_code == 400, reply.text
    assert reply.json()["errors"] == [{"field": field}]


def test_who_may_call(gateway: Gateway) -> None:
    ask = {"model": "echo", "messages": [{"role": "user", "content": "x"}]}
    assert gateway.call("POST", "v1/chat/completions", who=None, json=ask).status_code == 401
    assert gateway.call("GET", "v1/models", who="wrong").status_code == 401
    assert gateway.call("GET", "v1/models", who="narrow").status_code in (401, 403)
    assert gateway.call("GET", "health", who=None).json()["ok"] is True
    assert gateway.call("GET", "api/usage?days=0").status_code == 400
    assert gateway.call("GET", "api/usage?days=²").status_code == 400
    # A browser's session (no token) may not chat: nothing in a browser calls the gateway.
    cookie_only = requests.post(f"{gateway.url}/v1/chat/completions", json={}, timeout=30)
    assert cookie_only.status_code in (401, 403)


def test_a_provider_error_never_echoes_the_key(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.script.status = 401
    gateway.script.error_body = (
        '{"error": {"message": "Incorrect API key provided: ' + ADMIN_KEY + '"}}'
    )
    try:
        with caplog.at_level(logging.DEBUG):
            reply = gateway.call(
                "POST",
                "v1/chat/completions",
                json={"model": "echo", "messages": [{"role": "user", "content": "x"}]},
            )
            streamed = gateway.call(
                "POST",
                "v1/chat/completions",
                json={
                    "model": "echo",
                    "messages": [{"role": "user", "content": "x"}],
                    "stream": True,
                },
            )
    finally:
        gateway.script.status = 200
    assert reply.status_code == 502
    assert "refused the gateway's key" in reply.json()["error"]
    assert streamed.status_code == 502
    for text in (reply.text, streamed.text, caplog.text):
        assert ADMIN_KEY not in text
    for text in (reply.text, streamed.text):
        assert "127.0.0.1" not in text  # nor where the provider is
