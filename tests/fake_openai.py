"""A small real OpenAI-compatible model server on loopback for tests (providers cannot
be reached from here): POST /v1/chat/completions answers "echo: <the last user message>"
(as JSON, or as server-sent events when asked to stream, with usage), or the status and
body a test scripts, or what a test's `reply` makes of the request: an assistant message,
text or tool calls (an agent's turn). Every request is recorded (path, headers, JSON body)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from harness.local_http import QuietHandler, serving


@dataclass
class Script:
    status: int = 200
    error_body: str = ""  # sent as-is with a status that is not 200
    prefix: str = "echo: "
    # The assistant's message for a request's body: {"content": …} or {"tool_calls":
    # [{"id", "type": "function", "function": {"name", "arguments"}}]}; None: the echo.
    reply: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)


class FakeOpenAI(QuietHandler):
    script: Script

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        self.script.requests.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        if self.script.status != 200:
            self.answer(self.script.status, self.script.error_body.encode(), "application/json")
            return
        message = self.script.reply(body) if self.script.reply else self.echo(body)
        usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        finish = "tool_calls" if message.get("tool_calls") else "stop"
        if not body.get("stream"):
            answer = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": None, **message},
                        "finish_reason": finish,
                    }
                ],
                "usage": usage,
            }
            self.answer(200, json.dumps(answer).encode(), "application/json")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        deltas: list[dict[str, Any]] = []
        words = (message.get("content") or "").split(" ") if message.get("content") else []
        for index, word in enumerate(words):
            deltas.append({"content": word if index == 0 else f" {word}"})
        for index, call in enumerate(message.get("tool_calls") or []):
            deltas.append({"tool_calls": [{"index": index, **call}]})
        for delta in deltas:
            self.event({"role": "assistant", **delta}, body, None, None)
        self.event({}, body, finish, usage)
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    @staticmethod
    def echo_text(body: dict[str, Any], prefix: str) -> str:
        question = next(
            (
                m.get("content")
                for m in reversed(body.get("messages", []))
                if m.get("role") == "user"
            ),
            "",
        )
        return f"{prefix}{question}"

    def echo(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"content": self.echo_text(body, self.script.prefix)}

    def event(
        self,
        delta: dict[str, Any],
        body: dict[str, Any],
        finish: str | None,
        usage: dict[str, int] | None,
    ) -> None:
        chunk: dict[str, Any] = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": body.get("model"),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if usage:
            chunk["usage"] = usage
        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())

    def answer(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def fake_openai() -> Iterator[tuple[str, Script]]:
    """Yields the server's base URL (…/v1) and its script; stopped on exit."""
    script = Script()
    handler = type("ScriptedOpenAI", (FakeOpenAI,), {"script": script})
    with serving(handler) as url:
        yield f"{url}/v1", script
