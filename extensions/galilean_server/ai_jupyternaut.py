"""Jupyternaut as Galilean runs it (the persona manager swaps it in: ai_persona.py).

The same persona (same id, name, avatar and notebook tools), with the hub's AI gateway
(GALILEAN_AI_URL) in mind:
- its model picker offers the gateway's models this user may use (`GET v1/models` with the
  server's AI token), not the thousand models litellm knows, which the gateway would refuse;
- the gateway's refusals (a model the user's groups may not use, today's budget spent, no
  model set up) are said as the gateway says them, not as litellm's exception text;
- with no model at all it says what the admin sets in stack.env
  (ai_setup.no_model_message) instead of pointing the user at settings they cannot complete.

Imported when the first chat opens: it pulls in Jupyternaut, langchain and litellm.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
from typing import Any

from jupyter_ai_jupyternaut.jupyternaut.jupyternaut import JupyternautPersona
from jupyter_ai_persona_manager import ModelConfiguration, ModelOption

from .ai_bridge import ai_upstream
from .ai_persona import JUPYTERNAUT_ID, skip_litellm_mcp
from .ai_setup import no_model_message
from .deferred_extensions import extensions_ready

# The gateway's error body sits in litellm's exception text, as JSON or as the Python repr
# of the decoded body ("litellm.RateLimitError: … Error code: 429 - {'ok': False, 'error':
# '…', 'errors': [], 'status': 429}").
_BODY = re.compile(r"\{\s*[\"']ok[\"']\s*:")
MODEL_PREFIX = "openai/"  # the gateway speaks OpenAI's API: litellm's openai provider


def gateway_refusal(text: str) -> str | None:
    """The gateway's own message inside an error Jupyternaut is about to show, if any."""
    for found in _BODY.finditer(text):
        end = text.find("}", found.end())
        while end != -1:
            body = _parsed(text[found.start() : end + 1])
            if isinstance(body, dict):
                message = body.get("error")
                return message if isinstance(message, str) and message else None
            end = text.find("}", end + 1)
    return None


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)  # literals only: never code
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


class GalileanJupyternaut(JupyternautPersona):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._gateway = ai_upstream()
        self._gateway_models: list[str] = []
        self._fetching: asyncio.Task[None] | None = None
        super().__init__(*args, **kwargs)
        if self._gateway is not None:
            self._fetching = self.event_loop.create_task(self.fetch_gateway_models())

    @property
    def id(self) -> str:
        """Jupyternaut's own id: the default persona, chat history and mentions keep working."""
        return JUPYTERNAUT_ID

    async def fetch_gateway_models(self) -> None:
        """The models this user may use, from the gateway; then the picker is redrawn."""
        assert self._gateway is not None
        await extensions_ready()  # Jupyternaut's settings (config_manager) exist then
        try:
            listing = await self._gateway.call("GET", "v1/models")
        except Exception as exc:  # the picker keeps the default; the status item says why
            self.log.warning("The AI gateway's models could not be read: %s", exc)
            return
        data = listing.get("data") if isinstance(listing, dict) else None
        self._gateway_models = [
            str(m["id"]) for m in data or [] if isinstance(m, dict) and isinstance(m.get("id"), str)
        ]
        if hasattr(self, "config_manager"):
            self.sync_model_configuration()

    def _build_model_configuration(self) -> ModelConfiguration:
        if self._gateway is None:
            return super()._build_model_configuration()
        options = [
            ModelOption(id=m.id, name=m.name, description=m.description)
            for m in self.config_manager.custom_models
        ]
        names = self._gateway_models or [
            m.removeprefix(MODEL_PREFIX) for m in [self.config_manager.chat_model] if m
        ]
        options.extend(
            ModelOption(
                id=f"{MODEL_PREFIX}{name}",
                name=name,
                description="through Galilean's AI gateway (your admin's keys)",
            )
            for name in names
        )
        return ModelConfiguration(current=None, options=options, settings=[])

    def send_message(self, body: str) -> None:
        """Jupyternaut shows a failed answer as 'Error: <exception>'; a refusal of the
        gateway is shown as the gateway words it (what happened and what to do)."""
        if self._gateway is not None and body.startswith("Error: "):
            refusal = gateway_refusal(body)
            if refusal is not None:
                body = f"**Galilean's AI gateway:** {refusal}"
        super().send_message(body)

    async def process_message(self, message: Any) -> None:
        if not hasattr(self, "config_manager"):
            await extensions_ready()  # a chat opened while they load: answer once loaded
        skip_litellm_mcp()
        if hasattr(self, "config_manager"):
            model_id, _ = self._resolve_model()
            if not model_id:
                self.send_message(no_model_message(os.environ))
                return
        await super().process_message(message)
