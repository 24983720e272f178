"""Jupyternaut with the hub's AI gateway (ai_jupyternaut.py): the gateway's refusals said in
its words (read out of the exception litellm really raises for them), the model picker
offering the gateway's models, and Jupyternaut's notebook tools finding cells in
jupyter-collaboration's notebooks (ai_rooms.py)."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest
from fake_openai import fake_openai
from jupyter_ydoc import YNotebook
from pycrdt import Awareness, Doc

from galilean_server.ai_jupyternaut import MODEL_PREFIX, GalileanJupyternaut, gateway_refusal
from galilean_server.ai_persona import skip_litellm_mcp
from galilean_server.ai_rooms import ROOMS, CollaborationRooms, provide_rooms
from galilean_server.service_upstream import Upstream


def litellm_error(status: int, error: str) -> str:
    """What Jupyternaut would show: 'Error: ' and litellm's exception for the gateway's answer."""
    import litellm

    skip_litellm_mcp()
    body = {"ok": False, "error": error, "errors": [{"field": "model"}], "status": status}
    with fake_openai() as (base, script):
        script.status, script.error_body = status, json.dumps(body)
        try:
            asyncio.run(
                litellm.acompletion(
                    model="openai/echo",
                    api_base=base,
                    api_key="k",
                    max_retries=0,
                    messages=[{"role": "user", "content": "hi"}],
                )
            )
        except Exception as exc:
            return f"Error: {exc}"
    raise AssertionError("the gateway's refusal raised nothing")


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, "you used your 200000 AI tokens for today; the budget starts again at midnight"),
        (403, "model: 'team' is not a model you may use (yours: echo)"),
        (503, "no AI model is set up on this hub: the admin sets GALILEAN_AI_MODELS {x}"),
    ],
)
def test_the_gateways_refusal_is_read_out_of_litellms_error(status: int, error: str) -> None:
    assert gateway_refusal(litellm_error(status, error)) == error


def test_other_errors_are_left_as_they_are() -> None:
    assert gateway_refusal("Error: Connection refused") is None
    assert gateway_refusal("Error: {'ok': True}") is None
    assert gateway_refusal("Error: {'ok': False, 'error': __import__('os')}") is None


def persona(models: list[str], default: str | None) -> Any:
    made = GalileanJupyternaut.__new__(GalileanJupyternaut)
    made._gateway = Upstream("http://127.0.0.1:1/services/ai/", "t", service="AI gateway")
    made._gateway_models = models
    made.config_manager = SimpleNamespace(custom_models=[], chat_model=default)
    return made


def test_the_picker_offers_the_gateways_models() -> None:
    configured = persona(["echo", "team"], "openai/echo")._build_model_configuration()
    assert [o.id for o in configured.options] == [f"{MODEL_PREFIX}echo", f"{MODEL_PREFIX}team"]
    assert [o.name for o in configured.options] == ["echo", "team"]
    # Before the gateway answered: the hub's default only, never litellm's thousand models.
    early = persona([], "openai/echo")._build_model_configuration()
    assert [o.id for o in early.options] == ["openai/echo"]


def test_the_notebook_tools_find_cells_in_collaborations_rooms() -> None:
    document: Doc[Any] = Doc()
    notebook = YNotebook(document, Awareness(document))
    notebook.set(
        {
            "cells": [
                {"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [], "source": "a"},
                {"cell_type": "code", "id": "c2", "metadata": {}, "outputs": [], "source": "b"},
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )
    room = SimpleNamespace(_document=notebook, awareness="the room's awareness")
    server = SimpleNamespace(
        rooms={"json:notebook:f1": room},
        room_exists=lambda room_id: room_id == "json:notebook:f1",
    )
    settings: dict[str, Any] = {"jupyter_server_ydoc": SimpleNamespace(ywebsocket_server=server)}
    provide_rooms(settings)
    rooms = settings[ROOMS]
    assert isinstance(rooms, CollaborationRooms)
    assert rooms.has_room("json:notebook:f1")
    assert not rooms.has_room("json:notebook:f2")
    found = rooms.get_room("json:notebook:f1")
    assert found.get_awareness() == "the room's awareness"
    tools_view = asyncio.run(found.get_jupyter_ydoc())
    assert tools_view is not None
    # The tools' cursor is Jupyternaut's (it had no user: "Anonymous" in JupyterLab).
    assert notebook.awareness is not None
    user = (notebook.awareness.get_local_state() or {})["user"]
    assert user["display_name"] == "Jupyternaut"
    index, ycell = tools_view.find_cell("c2")
    assert index == 1
    assert str(ycell["source"]) == "b"
    assert tools_view.cell_number == 2  # the rest is the notebook's own
    with pytest.raises(KeyError):
        tools_view.find_cell("c9")
    # A room manager already there (jupyter-server-documents) is kept.
    kept: dict[str, Any] = {ROOMS: "theirs"}
    provide_rooms(kept)
    assert kept[ROOMS] == "theirs"


def test_the_status_says_when_the_gateway_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from galilean_server.ai_bridge import UNREACHABLE_HINT, ai_status

    monkeypatch.setenv("GALILEAN_AI_URL", "http://127.0.0.1:9/services/ai/")
    monkeypatch.setenv("OPENAI_API_KEY", "server-ai-token")
    down = asyncio.run(ai_status(None))
    assert down["state"] == "unreachable"
    assert down["message"] == UNREACHABLE_HINT
    assert "server-ai-token" not in json.dumps(down)
    # No gateway and no provider: what the admin sets.
    monkeypatch.delenv("GALILEAN_AI_URL")
    monkeypatch.delenv("OPENAI_API_KEY")
    for variable in ("ANTHROPIC_API_KEY", "OLLAMA_API_BASE"):
        monkeypatch.delenv(variable, raising=False)
    none = asyncio.run(ai_status(SimpleNamespace(chat_model=None, custom_models=[])))
    assert none["state"] == "unavailable"
    assert "stack.env" in none["message"]


def test_an_inline_completion_request_is_bounded_and_checked() -> None:
    from galilean_server.ai_complete import MAX_PREFIX, MAX_SUFFIX, Completion
    from galilean_services.kit.errors import ValidationError

    made = Completion.from_body({"prefix": "x" * 9000 + "mean = ", "suffix": "y" * 5000})
    assert len(made.prefix) == MAX_PREFIX
    assert made.prefix.endswith("mean = ")
    assert len(made.suffix) == MAX_SUFFIX
    asked = made.request("echo")
    assert asked["model"] == "echo"
    assert asked["max_tokens"] <= 128
    assert "mean = <CURSOR>y" in asked["messages"][1]["content"]
    for body, field in (
        ({"prefix": 3}, "prefix"),
        ({"prefix": "a", "suffix": None}, "suffix"),
        ({"prefix": "a", "language": "py;rm -rf"}, "language"),
        ({"prefix": "a", "model": "other"}, "model"),
    ):
        with pytest.raises(ValidationError) as refused:
            Completion.from_body(body)
        assert refused.value.errors == [{"field": field}]


def test_what_chat_models_add_to_a_completion_is_taken_off() -> None:
    from galilean_server.ai_complete import Completion, answer_text

    at_end = Completion("values = [1]\nmean = ", "", "python")
    assert at_end.cleaned("```python\nmean = sum(values)\n```") == "sum(values)"
    assert at_end.cleaned("sum(values) / len(values)\n") == "sum(values) / len(values)"
    inside = Completion("f(", ")", "python")
    assert inside.cleaned("x, y") == "x, y"
    assert answer_text({"choices": [{"message": {"content": "a"}}]}) == "a"
    assert answer_text({"choices": []}) == ""
    assert answer_text(None) == ""
