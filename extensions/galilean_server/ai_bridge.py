"""The AI bridges of the user's server, as its owner (a guest of a shared server gets 403):

- /galilean/ai/complete: inline completion through the gateway (ai_complete.py);
- /galilean/ai/prepare: the chat's side panel was shown: its engine starts loading
  (deferred_extensions.py; any user of this server, a guest of a shared one included, since
  it loads code the server already has and changes nothing);
- /galilean/ai/status: the status item's (the seed's green/red dot): is the chat ready,
  with which model, how much of today's budget is used, and if not, what the admin must
  set. With the hub's AI gateway (GALILEAN_AI_URL) it asks the gateway's `api/status` with
  the server's AI token; without one it reads the server's own setup (ai_setup.py)."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .ai_complete import Completion, answer_text
from .ai_setup import ai_setup
from .base import GalileanHandler, OwnerOnlyHandler
from .deferred_extensions import extensions_ready, prepare_ai_chat
from .service_upstream import Unreachable, Upstream

UNREACHABLE_HINT = (
    "The hub's AI gateway does not answer: the administrator checks that Galilean's "
    "services are running (GALILEAN_AI_ENABLED)."
)


def ai_upstream() -> Upstream | None:
    url = os.environ.get("GALILEAN_AI_URL", "")
    if not url:
        return None
    return Upstream(
        url,
        os.environ.get("OPENAI_API_KEY", ""),
        service="AI gateway",
        timeout=10.0,
        settings="GALILEAN_AI_URL and OPENAI_API_KEY",
    )


async def ai_status(config_manager: Any | None) -> dict[str, Any]:
    """{state: ready | unavailable | unreachable, model, models, message, today, budget}."""
    upstream = ai_upstream()
    if upstream is None:
        setup = ai_setup(os.environ, config_manager)
        return {
            "state": "ready" if setup.available else "unavailable",
            "gateway": False,
            "model": setup.model or "",
            "models": [setup.model] if setup.model else [],
            "message": " ".join(part for part in (setup.reason, setup.enable) if part),
        }
    try:
        found = await upstream.call("GET", "api/status")
    except Unreachable:
        return {
            "state": "unreachable",
            "gateway": True,
            "model": "",
            "models": [],
            "message": UNREACHABLE_HINT,
        }
    status = found if isinstance(found, dict) else {}
    ready = bool(status.get("ready"))
    return {
        "state": "ready" if ready else "unavailable",
        "gateway": True,
        "model": str(status.get("default") or ""),
        "models": [str(m) for m in status.get("models") or []],
        "message": str(status.get("message") or ""),
        "today": status.get("today"),
        "budget": status.get("budget"),
        "own_key_models": [str(m) for m in status.get("own_key_models") or []],
    }


async def jupyternaut_config(settings: dict[str, Any], serverapp: Any) -> Any | None:
    """Jupyternaut's config manager (what ai_setup reads), or what it will hold while its
    extension is still to be loaded (deferred_extensions.py): with the gateway that is the
    hub's default model, which the page can be told at once; without it, the user's own
    settings, worth waiting for."""
    found = settings.get("jupyternaut.config_manager")
    if found is not None:
        return found
    if os.environ.get("GALILEAN_AI_URL"):
        planned = serverapp.config.get("JupyternautExtension", {}).get("initial_language_model")
        return SimpleNamespace(chat_model=planned or None, custom_models=[])
    await extensions_ready(15.0)
    return settings.get("jupyternaut.config_manager")


class AiStatusHandler(OwnerOnlyHandler):
    bridge = "AI"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(await ai_status(await jupyternaut_config(self.settings, self.serverapp)))


class AiCompleteHandler(OwnerOnlyHandler):
    """Inline completion (ai_complete.py): {prefix, suffix, language} → {text}."""

    bridge = "AI"

    @web.authenticated
    @authorized
    async def post(self) -> None:
        completion = Completion.from_body(self.body_object())
        upstream = ai_upstream()
        if upstream is None:
            raise Unreachable(
                "Inline completion needs the hub's AI gateway: the administrator sets "
                "GALILEAN_AI_MODELS in stack.env"
            )
        config = await jupyternaut_config(self.settings, self.serverapp)
        model = str(getattr(config, "chat_model", "") or "").removeprefix("openai/")
        if not model:
            found = await upstream.call("GET", "api/status")
            model = str(found.get("default") or "") if isinstance(found, dict) else ""
        if not model:
            raise Unreachable("no AI model is set up for you on this hub: ask your admin")
        reply = await upstream.call("POST", "v1/chat/completions", completion.request(model))
        self.finish({"text": completion.cleaned(answer_text(reply)), "model": model})


class AiPrepareHandler(GalileanHandler):
    """The chat's engine starts loading in the background; 202 at once."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        prepare_ai_chat()
        self.set_status(202)
        self.finish({"loading": True})


ROUTES: list[tuple[str, type[Any]]] = [
    (r"/galilean/ai/prepare", AiPrepareHandler),
    (r"/galilean/ai/status", AiStatusHandler),
    (r"/galilean/ai/complete", AiCompleteHandler),
]
