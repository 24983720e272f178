"""The gateway's routes. OpenAI's API for any OpenAI client (jupyter-ai, `openai` in a
notebook) with the user's hub token as the key:

    GET  v1/models              the models you may use
    POST v1/chat/completions    an answer, or a stream of chunks (server-sent events)

and Galilean's: `api/status` (what the chat shows: your models and default, or what the
admin must set), `api/usage` (yours; an admin's: everyone's), `health`."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from tornado.iostream import StreamClosedError

from ..kit.body import json_body
from ..kit.errors import GalileanError, ValidationError
from ..kit.handlers import BaseHandler as KitHandler
from . import router
from .access import SCOPES
from .catalogue import Model
from .service import NO_MODELS, AiService

MAX_BODY = 4 * 2**20


class BaseHandler(KitHandler):
    scopes = SCOPES
    service: AiService

    def check_xsrf_cookie(self) -> None:
        """OpenAI clients send a token; a browser's session may read (its XSRF check
        as any service's) but never chat: nothing in a browser calls the gateway itself."""
        if getattr(self, "_token_authenticated", False):
            return
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            raise GalileanError("send a hub API token (Authorization: Bearer …)", status=403)
        super().check_xsrf_cookie()


class HealthHandler(BaseHandler):
    public = True
    docs: ClassVar[dict[str, str]] = {"get": "Liveness: the gateway answers"}

    def get(self) -> None:
        self.service.usage.today("")  # the database answers
        self.send({"ok": True, "models": len(self.service.catalogue.models)})


class ModelsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {"get": "The models you may use (OpenAI's list)"}

    async def get(self) -> None:
        self.caller.need("use")
        allowance = await self.service.allowance(self.hub_auth, self.caller)
        data = [
            {"id": m.name, "object": "model", "owned_by": m.provider}
            for m in self.service.catalogue.models
            if m.name in allowance.models
        ]
        self.send({"object": "list", "data": data})


class StatusHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "What the chat shows: your models (those using your own key), the default, "
        "today's use and budget"
    }

    async def get(self) -> None:
        self.caller.need("use")
        catalogue = self.service.catalogue
        allowance = await self.service.allowance(self.hub_auth, self.caller)
        today = self.service.usage.today(self.caller.name)
        mine = [m.name for m in catalogue.models if m.name in allowance.models]
        own = await self.service.keys.own(self.hub_auth, self.caller.name)
        # The models that take the user's own key (their provider's): outside the budget.
        keyed = [m.name for m in catalogue.models if m.name in mine and m.provider in own]
        default = catalogue.default if catalogue.default in mine else (mine[0] if mine else "")
        message = ""
        if not catalogue.models:
            message = NO_MODELS
        elif not mine:
            message = "your groups may use no AI model: ask your admin"
        self.send(
            {
                "ready": bool(mine),
                "models": mine,
                "default": default,
                "message": message,
                "own_key_models": keyed,
                "today": {"requests": today.requests, "tokens": today.tokens},
                "budget": {
                    "requests": allowance.daily_requests,
                    "tokens": allowance.daily_tokens,
                },
            }
        )


class UsageHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Usage per day and model (?days=, at most 366): yours; an admin's: everyone's"
    }

    def get(self) -> None:
        dashboard = self.from_usage_dashboard  # everyone's usage; it cannot chat
        if not dashboard:
            self.caller.need("use")
        raw = self.get_argument("days", "30")
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 366:
            raise ValidationError("days: a whole number from 1 to 366", [{"field": "days"}])
        who = None if self.caller.admin or dashboard else self.caller.name
        self.send({"usage": self.service.usage.report(int(raw), who)})


class ChatHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "OpenAI's chat completions: {model, messages, stream?, temperature?, …}"
    }

    async def post(self) -> None:
        self.caller.need("use")
        if len(self.request.body or b"") > MAX_BODY:
            raise ValidationError("body: at most 4 MiB", [{"field": "body"}])
        chat = router.checked_chat(json_body(self.request.body))
        allowance = await self.service.allowance(self.hub_auth, self.caller)
        model = self.service.model_for(chat.model, allowance)
        # The user's own key for this provider: used for them, outside the admin's budget.
        key, own = await self.service.key_for(self.hub_auth, self.caller.name, model)
        if not own:
            chat = router.within(chat, self.service.check_budget(self.caller.name, allowance))
        with self.service.running(self.caller.name):
            if chat.stream:
                await self.streamed(model, chat, key, own)
                return
            answer, usage = await router.complete(model, chat, key, own)
            self.service.usage.add(
                self.caller.name,
                model.name,
                usage.prompt_tokens,
                usage.completion_tokens,
                own_key=own,
            )
            self.send(answer)

    async def streamed(self, model: Model, chat: router.Chat, key: str | None, own: bool) -> None:
        usage = router.Usage()
        sent: list[str] = []
        chunks = router.stream(model, chat, usage, key, own)
        try:
            try:
                first = await anext(chunks)  # the provider's refusal is still an HTTP error
            except StopAsyncIteration:
                first = None
            self.set_header("Content-Type", "text/event-stream")
            self.set_header("Cache-Control", "no-cache")
            self.set_header("X-Accel-Buffering", "no")
            try:
                if first is not None:
                    await self.event(first, sent)
                    async for chunk in chunks:
                        await self.event(chunk, sent)
                self.write("data: [DONE]\n\n")
                await self.flush()
            except GalileanError as error:  # after the first chunk: say so in the stream
                await self.event({"error": {"message": error.message, "code": error.status}}, [])
            except StreamClosedError:
                pass  # the client went away
        finally:
            await chunks.aclose()  # the provider stops generating for nobody
            if not usage.completion_tokens and sent:  # cut short: what was sent, estimated
                estimate = router.estimated(model, chat, "".join(sent))
                usage.prompt_tokens, usage.completion_tokens = estimate
            self.service.usage.add(
                self.caller.name,
                model.name,
                usage.prompt_tokens,
                usage.completion_tokens,
                own_key=own,
            )
        self.finish()

    async def event(self, data: dict[str, Any], sent: list[str]) -> None:
        for choice in data.get("choices") or []:
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                sent.append(delta["content"])
        self.write(f"data: {json.dumps(data, default=str)}\n\n")
        await self.flush()
