"""Jupyternaut with Galilean's answer when no chat model is chosen.

jupyter-ai lets the server choose its PersonaManager class
(`PersonaManagerExtension.persona_manager_class`, set by the hub in every user
server's arguments, galilean_hub.config.AI_CHAT_ARGS). Galilean's manager runs Jupyternaut as
`GalileanJupyternaut`: the same persona (same id, name, avatar and tools) that, with no
model, says what the admin sets in stack.env (ai_setup.no_model_message) instead of
pointing the user at settings they cannot complete.
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_ai_jupyternaut.jupyternaut.jupyternaut import JupyternautPersona
from jupyter_ai_persona_manager.persona_manager import PersonaManager
from traitlets import Unicode

from .ai_setup import no_model_message

JUPYTERNAUT_ID = (
    f"jupyter-ai-personas::{JupyternautPersona.__module__.split('.')[0]}"
    f"::{JupyternautPersona.__name__}"
)


class GalileanJupyternaut(JupyternautPersona):
    @property
    def id(self) -> str:
        """Jupyternaut's own id: the default persona, chat history and mentions keep working."""
        return JUPYTERNAUT_ID

    async def process_message(self, message: Any) -> None:
        if hasattr(self, "config_manager"):
            model_id, _ = self._resolve_model()
            if not model_id:
                self.send_message(no_model_message(os.environ))
                return
        await super().process_message(message)


class GalileanPersonaManager(PersonaManager):
    # Upstream's default names `jupyter_ai::JupyternautPersona`, a package that no longer
    # holds Jupyternaut: no persona answered a message that mentions nobody.
    default_persona_id = Unicode(
        default_value=JUPYTERNAUT_ID,
        allow_none=True,
        config=True,
        help="The persona that answers messages that mention no persona: Jupyternaut.",
    )

    def _init_personas(self) -> dict[str, Any]:
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
