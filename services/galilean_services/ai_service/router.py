"""Chat completions through litellm with the admin's keys: the request checked (only the
OpenAI fields that shape an answer are passed on: never a base URL, a key or headers of
the caller's), the provider's errors turned into fixed messages (litellm copies the
provider's text, which can echo a key or the base URL), token usage read back. litellm is
imported on the first request (3-4 s) and told to fetch nothing at import and log no
message. No web framework here."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from ..kit.errors import GalileanError, ValidationError
from ..secrets.names import ai_key_name
from .catalogue import Model

log = logging.getLogger("galilean.ai")

# OpenAI fields passed on to the provider (anything else is dropped, see FORBIDDEN).
PASSED = (
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "stop",
    "n",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "tools",
    "tool_choice",
    "response_format",
    "parallel_tool_calls",
)
# Fields that would point the gateway's key elsewhere or change how it calls: refused.
FORBIDDEN = (
    "api_base",
    "base_url",
    "api_key",
    "api_version",
    "custom_llm_provider",
    "extra_headers",
    "headers",
    "mock_response",
    "metadata",
    "litellm_params",
)
ROLES = ("system", "developer", "user", "assistant", "tool", "function")
MAX_MESSAGES = 1000
MAX_CHOICES = 4
TIMEOUT = 300.0

_litellm: Any = None
_importing = threading.Lock()


def litellm() -> Any:
    global _litellm
    with _importing:
        if _litellm is not None:
            return _litellm
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        os.environ.setdefault("LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "True")
        import litellm as imported

        imported.turn_off_message_logging = True
        imported.suppress_debug_info = True
        imported.log_raw_request_response = False
        imported.redact_messages_in_exceptions = True
        imported.drop_params = True  # a field a provider does not take is left out
        imported.user_url_validation = True  # image URLs: no private addresses
        _litellm = imported
        return _litellm


async def loaded() -> Any:
    """litellm, imported in a thread the first time (3-4 s the event loop must not wait)."""
    return _litellm if _litellm is not None else await asyncio.to_thread(litellm)


@dataclass(frozen=True)
class Chat:
    """A checked request: the model asked for, the messages, what else is passed on."""

    model: str
    messages: list[dict[str, Any]]
    options: dict[str, Any]
    stream: bool


def checked_chat(body: Any) -> Chat:
    if not isinstance(body, dict):
        raise ValidationError("body: give a JSON object", [{"field": "body"}])
    for name in FORBIDDEN:
        if name in body:
            raise ValidationError(
                f"{name}: the gateway chooses where a model is reached", [{"field": name}]
            )
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ValidationError("model: name one of /v1/models", [{"field": "model"}])
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or len(messages) > MAX_MESSAGES:
        raise ValidationError(
            f"messages: a list of 1 to {MAX_MESSAGES} messages", [{"field": "messages"}]
        )
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise ValidationError(
                f"messages[{index}]: each message is an object with a role of {', '.join(ROLES)}",
                [{"field": f"messages[{index}]"}],
            )
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise ValidationError("stream: true or false", [{"field": "stream"}])
    n = body.get("n", 1)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_CHOICES:
        raise ValidationError(f"n: 1 to {MAX_CHOICES} answers", [{"field": "n"}])
    tools = body.get("tools")
    if tools is not None and (
        not isinstance(tools, list)
        or not all(isinstance(t, dict) and t.get("type") == "function" for t in tools)
    ):
        raise ValidationError("tools: a list of function tools", [{"field": "tools"}])
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise ValidationError(f"{name}: a whole number of at least 1", [{"field": name}])
    options = {name: body[name] for name in PASSED if name in body}
    return Chat(model, messages, options, stream)


def within(chat: Chat, left: int | None) -> Chat:
    """The request with its answer's length capped at the tokens left today."""
    if left is None:
        return chat
    options = dict(chat.options)
    for name in ("max_tokens", "max_completion_tokens"):
        if name in options:
            options[name] = min(options[name], max(1, left))
    if "max_tokens" not in options and "max_completion_tokens" not in options:
        options["max_tokens"] = max(1, left)
    return Chat(chat.model, chat.messages, options, chat.stream)


def estimated(model: Model, chat: Chat, text: str) -> tuple[int, int]:
    """Tokens of a stream cut short (no usage came): the prompt and the text sent."""
    try:
        counter = _litellm.token_counter if _litellm is not None else None
        prompt = int(counter(model=model.target, messages=chat.messages)) if counter else 0
        answer = int(counter(model=model.target, text=text)) if counter else 0
    except Exception:  # an estimate: never fail the accounting over it
        prompt, answer = 0, 0
    return prompt or len(str(chat.messages)) // 4, answer or max(1, len(text) // 4)


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @classmethod
    def of(cls, usage: Any) -> Usage:
        if usage is None:
            return cls()
        prompt = getattr(usage, "prompt_tokens", None)
        completion = getattr(usage, "completion_tokens", None)
        if isinstance(usage, dict):
            prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        return cls(int(prompt or 0), int(completion or 0))


def _arguments(model: Model, chat: Chat, api_key: str | None) -> dict[str, Any]:
    """litellm's arguments; `api_key`: the user's own key for the model's provider or the
    hub's (service.key_for; None: the admin's, from the service's environment)."""
    arguments: dict[str, Any] = {
        "model": model.target,
        "messages": chat.messages,
        "timeout": TIMEOUT,
        **chat.options,
        # litellm 1.106 routes any request with tools through its proxy's MCP handler,
        # which needs mcp>=2 (jupyter-ai's tools pin mcp<2): function tools need none of it.
        "_skip_mcp_handler": True,
    }
    if model.api_base:
        arguments["api_base"] = model.api_base
        if model.provider == "openai":  # a server of its own: never the admin's OpenAI key
            arguments["api_key"] = "none"
    if api_key:
        arguments["api_key"] = api_key
    return arguments


async def complete(
    model: Model, chat: Chat, api_key: str | None = None, own_key: bool = False
) -> tuple[dict[str, Any], Usage]:
    """The answer (OpenAI's shape, `model` named as the user asked) and its usage."""
    try:
        answer = await (await loaded()).acompletion(**_arguments(model, chat, api_key))
    except Exception as exc:
        raise provider_error(model, exc, own_key) from None
    try:
        body = answer.model_dump(exclude_none=True)
        usage = Usage.of(getattr(answer, "usage", None))
    except (TypeError, ValueError, AttributeError) as exc:
        raise provider_error(model, exc, own_key) from None
    body["model"] = model.name
    return body, usage


async def stream(
    model: Model, chat: Chat, usage: Usage, api_key: str | None = None, own_key: bool = False
) -> AsyncGenerator[dict[str, Any], None]:
    """The answer's chunks (OpenAI's shape); `usage` is filled from the last one. Errors
    before the first chunk raise GalileanError; later ones end the stream early."""
    arguments = {**_arguments(model, chat, api_key), "stream": True}
    arguments["stream_options"] = {"include_usage": True}
    try:
        chunks = await (await loaded()).acompletion(**arguments)
    except Exception as exc:
        raise provider_error(model, exc, own_key) from None
    try:
        async for chunk in chunks:
            data = chunk.model_dump(exclude_none=True)
            data["model"] = model.name
            if data.get("usage"):
                found = Usage.of(data["usage"])
                usage.prompt_tokens, usage.completion_tokens = (
                    found.prompt_tokens,
                    found.completion_tokens,
                )
            yield data
    except Exception as exc:
        raise provider_error(model, exc, own_key) from None
    finally:  # closed early (the client went away): let the provider's stream go
        close = getattr(chunks, "aclose", None)
        if close is not None:
            try:
                await close()
            except Exception:  # closing is best effort
                log.debug("closing %s's stream", model.name)


def provider_error(model: Model, exc: Exception, own_key: bool = False) -> GalileanError:
    """A fixed message by the provider's status (never its text: it can hold a key or a
    URL); the log names the class and status only. `own_key`: the request carried the
    user's own key (a refusal is theirs to mend)."""
    status = getattr(exc, "status_code", None)
    kind = type(exc).__name__
    log.warning("model %s (%s): %s %s", model.name, model.provider, kind, status)
    if "ContextWindow" in kind:
        return GalileanError(f"the conversation is too long for {model.name}", status=400)
    if status in (401, 403) and own_key:
        return GalileanError(
            f"the provider of {model.name} refused your own key (your secret "
            f"{ai_key_name(model.provider)}): replace it in the Secrets panel, or delete it "
            "to use the hub's",
            status=502,
        )
    if status in (401, 403):
        return GalileanError(
            f"the provider of {model.name} refused the gateway's key: the admin checks "
            "the provider's key (stack.env, or the hub's secrets in the Secrets panel)",
            status=502,
        )
    if status == 404:
        return GalileanError(
            f"the provider of {model.name} does not know the model {model.target}", status=502
        )
    if status == 400:
        return GalileanError(f"{model.name} refused the request (not supported)", status=400)
    if status == 429:
        return GalileanError(
            f"{model.name} is busy (the provider's rate limit): try again in a moment",
            status=429,
        )
    if status == 408 or "Timeout" in kind:
        return GalileanError(f"{model.name} did not answer in time", status=504)
    return GalileanError(f"the provider of {model.name} is not reachable", status=502)
