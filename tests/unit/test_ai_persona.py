"""The AI chat answers the first message of a chat just opened (ai_persona.mark_loaded).

A chat's room loads its file as jupyter-collaboration 5 does (rooms.py: a source document
applied onto the room's), which leaves the YChat `dirty`; jupyterlab-chat routes no message
while it is. No hub, no browser: the real YChat, router and persona manager."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from jupyter_ai_router.router import MessageRouter
from jupyter_ydoc import ydocs
from jupyterlab_chat.models import ChatMessageAction
from pycrdt import Doc, Map

from galilean_server.ai_jupyternaut import GalileanJupyternaut
from galilean_server.ai_persona import JUPYTERNAUT_ID, GalileanPersonaManager, mark_loaded

CHAT = ydocs["chat"]


async def opened_chat(content: str = "") -> Any:
    """A YChat as jupyter_server_ydoc's DocumentRoom loads it from a file."""
    source = CHAT(Doc(client_id=0))
    await source.aset(content)
    chat = CHAT(Doc())
    chat.ydoc.apply_update(source.ydoc.get_update())
    chat.initial_path = "ask.chat"
    return chat


def send(chat: Any, body: str) -> None:
    """What the chat input does: append a message with the browser's time."""
    chat.ymessages.append(
        Map(
            {
                "type": "msg",
                "id": f"m-{body}",
                "body": body,
                "sender": "alice",
                "time": time.time(),
                "raw_time": True,
                "metadata": {"to_persona": JUPYTERNAUT_ID},
            }
        )
    )


def test_a_loaded_chat_routes_its_first_message() -> None:
    async def scenario() -> tuple[list[Any], list[Any]]:
        chat = await opened_chat(json.dumps({"messages": [], "users": {}}))
        assert chat.dirty  # what jupyter-collaboration 5 leaves until the first autosave
        before: list[Any] = []
        observer = chat.observe_messages(before.append)
        send(chat, "lost")
        await asyncio.sleep(0)
        chat.unobserve_messages(observer)

        mark_loaded(chat)
        assert chat.dirty is False
        after: list[Any] = []
        chat.observe_messages(after.append)
        send(chat, "routed")
        await asyncio.sleep(0.05)  # the server's time is put on the message
        assert chat.get_message("m-routed").raw_time is False
        return before, after

    before, after = asyncio.run(scenario())
    assert before == []  # upstream drops it: the reason for mark_loaded
    assert [(e.action, e.message.body) for e in after] == [
        (ChatMessageAction.CLIENT_MSG_RECEIVED, "routed")
    ]


def test_mark_loaded_leaves_other_chat_models_alone() -> None:
    class WebSocketChat:  # jupyterlab_chat's WsChatModel has no `dirty`
        pass

    mark_loaded(WebSocketChat())
    mark_loaded(None)


def test_galilean_persona_manager_answers_a_message_sent_right_after_opening(
    tmp_path: Path,
) -> None:
    async def scenario() -> list[str]:
        chat = await opened_chat()
        router = MessageRouter()
        router.connect_chat("c", chat)  # what the router does on the chat's `opened` event
        manager = GalileanPersonaManager(
            chat=chat, root_dir=str(tmp_path), event_loop=asyncio.get_running_loop()
        )
        router.observe_chat_msg("c", manager.on_chat_message)
        assert chat.dirty is False
        assert isinstance(manager.default_persona, GalileanJupyternaut)
        answered: list[str] = []

        async def on_message(message: Any) -> None:
            answered.append(message.body)

        manager.default_persona.on_message = on_message
        send(chat, "Summarise my data, please")
        await asyncio.sleep(0.05)
        return answered

    assert asyncio.run(scenario()) == ["Summarise my data, please"]
