"""Galilean's persona manager for jupyter-ai's chat.

jupyter-ai lets the server choose its PersonaManager class
(`PersonaManagerExtension.persona_manager_class`, set by the hub in every user
server's arguments, galilean_hub.config.AI_CHAT_ARGS). Galilean's manager runs Jupyternaut as
`GalileanJupyternaut` (ai_jupyternaut.py: the gateway's models, its refusals said plainly,
what the admin sets when there is no model). That module imports Jupyternaut, langchain and
litellm (about 4 s): it is imported with the AI chat's deferred extensions (when the user
turns to the chat, never at the server's start, deferred_extensions.py), so this module
imports none of it; a chat opened before they are loaded gets its personas once they are.

It also marks the chat's shared document as loaded (`mark_loaded`): jupyterlab-chat routes
no message while the document is `dirty`, and jupyter-collaboration 5 leaves a chat dirty
from its loading until its first autosave, so a message sent in that second never got an
answer.
"""

from __future__ import annotations

import functools
import inspect
import logging
from typing import Any

from jupyter_ai_persona_manager.persona_manager import PersonaManager
from traitlets import List, Unicode

from .deferred_extensions import ai_chat_loaded, extensions_ready

# Jupyternaut's id (jupyter-ai-personas::<package>::<class>), written out: reading it off the
# class would import Jupyternaut at start.
JUPYTERNAUT_ID = "jupyter-ai-personas::jupyter_ai_jupyternaut::JupyternautPersona"


log = logging.getLogger(__name__)


def mark_loaded(chat: Any) -> None:
    """Mark a chat's shared document (a YChat, real-time mode) as loaded, i.e. not dirty.

    jupyterlab_chat's YChat starts `dirty` and dispatches no message event while it is
    (ychat.py `_dispatch_message_event`, to skip the messages read from the file), nor puts
    the server's time on new messages (`_on_messages_change`: the time keeps its `*`).
    jupyter_server_ydoc 3 (jupyter-collaboration 5) no longer clears the flag once the
    room's content is loaded (rooms.py `DocumentRoom.initialize`): only the first autosave
    does, `document_save_delay` (1 s) after the last change, and a message resets that
    delay. So the first message of a just-opened chat was never routed to any persona, and
    none ever was where autosave never runs (a read-only file, autosave off in every
    client). The persona manager is created once the room's content is in the document
    (jupyterlab_chat's ChatManager opens the chat on the room's `initialize` event), so the
    document is loaded by now; what is unsaved (the chat's id, the personas' users) is
    saved by the autosave already scheduled. WebSocket chat models have no `dirty`.
    """
    try:
        if getattr(chat, "dirty", None):
            chat.dirty = False
    except Exception:  # never lose the personas over this
        log.warning(
            "Could not mark the chat as loaded: its first message may get no answer", exc_info=True
        )


def skip_litellm_mcp() -> None:
    """litellm 1.106 sends every request with tools (the chat's notebook tools) through
    its proxy's MCP handler, whose import needs mcp>=2 while jupyter-ai's tools pin mcp<2:
    every answer failed with "cannot import name 'CacheableResult'". Function tools need
    none of it: litellm's calls (langchain-litellm looks them up on the module at each
    call) skip it. Done on the chat's first message, when litellm is loaded anyway."""
    import litellm

    for name in ("completion", "acompletion"):
        original = getattr(litellm, name)
        if getattr(original, "galilean_skips_mcp", False):
            continue
        if inspect.iscoroutinefunction(original):

            async def call(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                kwargs.setdefault("_skip_mcp_handler", True)
                return await _original(*args, **kwargs)

        else:

            def call(*args: Any, _original: Any = original, **kwargs: Any) -> Any:  # type: ignore[misc]
                kwargs.setdefault("_skip_mcp_handler", True)
                return _original(*args, **kwargs)

        wrapped = functools.wraps(original)(call)
        wrapped.galilean_skips_mcp = True  # type: ignore[attr-defined]
        setattr(litellm, name, wrapped)


class GalileanPersonaManager(PersonaManager):
    # Upstream's default names `jupyter_ai::JupyternautPersona`, a package that no longer
    # holds Jupyternaut: no persona answered a message that mentions nobody.
    default_persona_id = Unicode(
        default_value=JUPYTERNAUT_ID,
        allow_none=True,
        config=True,
        help="The persona that answers messages that mention no persona: Jupyternaut.",
    )

    # Upstream offers Jupyternaut the MCP server at localhost:3001 whenever the package is
    # installed: with Galilean's MCP server off (the default) whatever listens there would
    # become the model's tools; on, it is on a free port upstream does not know. None.
    builtin_mcp_servers: List[Any] = List(
        default_value=[],
        allow_none=True,
        config=True,
        help="Built-in MCP servers offered to the personas: none.",
    )

    # Set while a chat waits for the AI chat's engine (_init_persona_classes).
    _awaiting_engine = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Ready to answer: let the chat route messages from now on (see mark_loaded).
        mark_loaded(self.chat)
        if self._awaiting_engine:
            self.event_loop.create_task(self._personas_once_loaded())

    def _init_persona_classes(self) -> None:
        # A chat opened before the AI chat's engine was loaded (deferred_extensions.py):
        # the personas' classes import it (Jupyternaut, langchain, litellm: seconds), which
        # here, in the server's loop, would stop every request and every open document
        # (their clients reconnect, and a chat reconnected that way was never routed
        # again). They are made once it is loaded, in the background.
        if not ai_chat_loaded():
            self._awaiting_engine = True
            return
        super()._init_persona_classes()

    async def _personas_once_loaded(self) -> None:
        if not await extensions_ready():
            self.log.error("The AI chat's engine did not load: no persona in %s", self.chat_path)
            return
        self._awaiting_engine = False
        super()._init_persona_classes()
        self._personas = self._init_personas()
        self._publish_persona_list()
        self.log.info("Personas ready in chat '%s' once the AI chat loaded", self.chat_path)

    def _init_personas(self) -> dict[str, Any]:
        if self._awaiting_engine:
            return {}
        from jupyter_ai_jupyternaut.jupyternaut.jupyternaut import JupyternautPersona

        from .ai_jupyternaut import GalileanJupyternaut

        loaded = PersonaManager._ep_persona_classes
        if isinstance(loaded, list):
            PersonaManager._ep_persona_classes = [
                {**item, "persona_class": GalileanJupyternaut}
                if item.get("persona_class") is JupyternautPersona
                else item
                for item in loaded
            ]
        personas: dict[str, Any] = super()._init_personas()
        return personas
