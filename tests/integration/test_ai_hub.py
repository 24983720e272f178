"""The AI gateway on the real hub behind the real proxy (issue 17): a user's hub token is
the key of any OpenAI client (answers and streams pass the proxy); the provider sees the
admin's key, never the user's token; a token without the gateway's scope is refused. A
user's server has no provider key: its environment points the chat and any OpenAI client
at the gateway with a token of its own (it opens the gateway only and is deleted when the
server stops), and the chat starts with the hub's default model. A user's own provider key
(the secret AI_KEY_OPENAI) reaches the provider for their requests only: the hub gives the
gateway that secret and no other."""

from __future__ import annotations

import openai
import psutil
import requests
from fake_openai import Script
from secret_scan import remember

from conftest import LAB_MODEL_KEY, PASSWORD, admin_client, approved_user
from harness.client import HubClient, wait_for_service
from harness.hub import Hub
from harness.processes import wait_until

AI = "/services/ai"


def test_the_gateway_behind_the_hub(lab_hub: Hub, model_server: tuple[str, Script]) -> None:
    _, script = model_server
    admin = admin_client(lab_hub)
    user = approved_user(lab_hub, admin, "aiuser")
    wait_for_service(lab_hub.url, f"{AI}/health", "the AI gateway", 120)
    client = openai.OpenAI(base_url=f"{lab_hub.url}{AI}/v1", api_key=user.token, max_retries=0)
    assert [m.id for m in client.models.list()] == ["echo"]
    answer = client.chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "through the proxy"}]
    )
    assert answer.choices[0].message.content == "echo: through the proxy"
    chunks = client.chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "and streamed"}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == (
        "echo: and streamed"
    )
    for seen in script.requests[-2:]:  # a server of its own: no key of the admin's
        assert seen["headers"]["authorization"] == "Bearer none"
    assert str(user.token) not in str(script.requests)
    assert LAB_MODEL_KEY not in str(script.requests)

    narrow = HubClient(lab_hub.url)
    narrow.login("aiuser", PASSWORD)
    narrow.new_token("no ai", scopes=["read:users:name!user"])
    refused = requests.get(
        f"{lab_hub.url}{AI}/v1/models",
        headers={"Authorization": f"Bearer {narrow.token}"},
        timeout=30,
    )
    assert refused.status_code in (401, 403), refused.text
    assert refused.json()["ok"] is False


OWN_KEY = "sk-own-5f2e-8d1c-key"
OTHER_VALUE = "not-for-the-ai-9c3b"
remember(OWN_KEY, OTHER_VALUE)  # the lab hub's secret scan looks for them (secret_scan.py)


def test_a_users_own_key_reaches_the_provider_for_them_alone(
    lab_hub: Hub, model_server: tuple[str, Script]
) -> None:
    _, script = model_server
    admin = admin_client(lab_hub)
    owner = approved_user(lab_hub, admin, "aiownkey")
    peer = approved_user(lab_hub, admin, "aiownpeer")
    owner.save_secret("AI_KEY_OPENAI", OWN_KEY)
    owner.save_secret("WAREHOUSE", OTHER_VALUE)
    wait_for_service(lab_hub.url, f"{AI}/health", "the AI gateway", 120)
    ask = {"model": "echo", "messages": [{"role": "user", "content": "mine"}]}
    before = len(script.requests)
    for client in (owner, peer):
        answer = client.api("POST", f"{AI}/v1/chat/completions", json=ask)
        assert answer.status_code == 200, answer.text
    seen = [r["headers"]["authorization"] for r in script.requests[before:]]
    assert seen == [f"Bearer {OWN_KEY}", "Bearer none"]
    status = owner.api("GET", f"{AI}/api/status").json()
    assert status["own_key_models"] == ["echo"]
    assert status["today"]["requests"] == 0  # outside the admin's budget
    # The hub gave the gateway her AI key only, not her other secret.
    assert "secrets of aiownkey read by the ai service (1)" in lab_hub.log()
    assert OTHER_VALUE not in str(script.requests)


def test_a_server_reaches_the_gateway_with_no_provider_key(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    user = approved_user(lab_hub, admin, "aiserver")
    user.start_server()
    try:
        server = next(
            p
            for p in psutil.Process(lab_hub.proc.pid).children(recursive=True)  # type: ignore[union-attr]
            if p.environ().get("JUPYTERHUB_USER") == "aiserver"
        )
        # The AI chat's engine loads only when the user turns to the chat
        # (deferred_extensions.py). The page's first request of Jupyternaut's is answered
        # without it; the chat's side panel shown asks for it (POST galilean/ai/prepare).
        loaded = (
            "loaded after start: jupyter_ai_acp_client, jupyter_ai_litellm, jupyter_ai_jupyternaut"
        )
        loads_before = lab_hub.log().count(loaded)
        example = user.api("GET", f"{user.server_url()}api/jupyternaut/get-example")
        assert example.status_code == 200, example.text
        assert example.json() == {"data": "This is /api/jupyternaut/get-example endpoint!"}
        unloaded = server.memory_info().rss
        prepared = user.api("POST", f"{user.server_url()}galilean/ai/prepare")
        assert prepared.status_code == 202, prepared.text
        wait_until(lambda: lab_hub.log().count(loaded) > loads_before, 120, "the AI chat loaded")
        # What a server whose user does not chat is spared (about 190 MB on this machine).
        grown = server.memory_info().rss - unloaded
        assert grown > 100 * 2**20, f"the chat's engine added only {grown / 2**20:.0f} MB"
        config = user.api("GET", f"{user.server_url()}api/jupyternaut/config")
        assert config.status_code == 200, config.text
        assert config.json()["model_provider_id"] == "openai/echo"
        environ = lab_hub.server_environment("aiserver")
        assert environ["OPENAI_BASE_URL"].endswith(f"{AI}/v1")
        key = environ["OPENAI_API_KEY"]  # a token of its own, opening the gateway only
        assert key != environ["JUPYTERHUB_API_TOKEN"]
        assert LAB_MODEL_KEY not in str(environ)
        elsewhere = requests.get(
            f"{lab_hub.url}/services/flows/api/flows",
            headers={"Authorization": f"token {key}"},
            timeout=30,
        )
        assert elsewhere.status_code in (401, 403), elsewhere.text
        assert "--JupyternautExtension.initial_language_model=openai/echo" in server.cmdline()
        # What a notebook does: openai.OpenAI() reads both variables.
        client = openai.OpenAI(
            base_url=environ["OPENAI_BASE_URL"], api_key=environ["OPENAI_API_KEY"], max_retries=0
        )
        answer = client.chat.completions.create(
            model="echo", messages=[{"role": "user", "content": "from a notebook"}]
        )
        assert answer.choices[0].message.content == "echo: from a notebook"
        # The status item's bridge: ready, with the hub's default and today's use.
        status = user.api("GET", f"{user.server_url()}galilean/ai/status")
        assert status.status_code == 200, status.text
        said = status.json()
        assert said["state"] == "ready"
        assert said["gateway"] is True
        assert said["model"] == "echo"
        assert said["today"]["requests"] >= 1
        assert LAB_MODEL_KEY not in status.text
        assert key not in status.text
        # Another user's token does not reach this server's bridge.
        other = approved_user(lab_hub, admin, "aiserverpeer")
        peek = other.api("GET", f"{user.server_url()}galilean/ai/status")
        assert peek.status_code in (403, 404), peek.text
        # Inline completion: through the gateway as the owner; bad input names the field.
        completion = f"{user.server_url()}galilean/ai/complete"
        done = user.api("POST", completion, json={"prefix": "total = ", "suffix": ""})
        assert done.status_code == 200, done.text
        assert done.json()["model"] == "echo"
        bad = user.api("POST", completion, json={"prefix": "x", "language": 7})
        assert bad.status_code == 400
        assert bad.json()["errors"] == [{"field": "language"}]
        sneaky = other.api("POST", completion, json={"prefix": "x = "})
        assert sneaky.status_code in (403, 404), sneaky.text
    finally:
        user.stop_server()
    # Stopped: the hub deleted its key (the gateway, like any hub service, may remember a
    # token's answer for HubAuth's cache time, 5 minutes).
    gone = requests.get(
        f"{lab_hub.url}/hub/api/user", headers={"Authorization": f"token {key}"}, timeout=30
    )
    assert gone.status_code == 403
