"""Jupyternaut's notebook tools on jupyter-collaboration's rooms.

jupyter-ai-jupyternaut 0.1's tools (find the active notebook, edit a cell, add one: what
"fix this cell" needs) reach live documents through `web_app.settings["yroom_manager"]`,
the room manager of jupyter-server-documents. Galilean's real-time collaboration is
jupyter-collaboration (jupyter_server_ydoc), which has no such setting: every one of those
tools failed with `KeyError: 'yroom_manager'` and the agent could not see the notebook the
user has open. jupyter_server_ydoc keeps the same rooms under the same ids
(`JupyterLab:globalAwareness`, `json:notebook:<file id>`) in its websocket server; this
gives them the calls the tools make, and jupyter_ydoc's notebook the one method
jupyter-server-documents' adds and the tools use (`find_cell`). It is set only where no
room manager is.
"""

from __future__ import annotations

from typing import Any

ROOMS = "yroom_manager"
YDOC = "jupyter_server_ydoc"  # jupyter_server_ydoc's extension app, in the settings
# Who the server's own edits are, in a room's awareness: the tools put Jupyternaut's
# cursor there with no user, which JupyterLab showed as "Anonymous".
JUPYTERNAUT = {
    "username": "jupyternaut",
    "name": "Jupyternaut",
    "display_name": "Jupyternaut",
    "initials": "J",
    "color": "var(--jp-collaborator-color7)",
    "avatar_url": None,
}


class ToolNotebook:
    """jupyter_ydoc's YNotebook with `find_cell` (the index and the cell of an id, KeyError
    when none has it); everything else is the notebook's own."""

    def __init__(self, notebook: Any) -> None:
        self._notebook = notebook

    def __getattr__(self, name: str) -> Any:
        return getattr(self._notebook, name)

    def find_cell(self, cell_id: str) -> tuple[int, Any]:
        for index, ycell in enumerate(self._notebook.ycells):
            if ycell.get("id") == cell_id:
                return index, ycell
        raise KeyError(cell_id)


class CollaborationRoom:
    """One of jupyter_server_ydoc's rooms as the tools use a jupyter-server-documents one."""

    def __init__(self, room: Any) -> None:
        self.room = room

    def get_awareness(self) -> Any:
        return self.room.awareness

    async def get_jupyter_ydoc(self) -> ToolNotebook | None:
        document = getattr(self.room, "_document", None)  # DocumentRoom's (rooms.py)
        if document is None:
            return None
        awareness = getattr(document, "awareness", None)
        if awareness is not None and not (awareness.get_local_state() or {}).get("user"):
            awareness.set_local_state_field("user", JUPYTERNAUT)  # the cursor's name
        return ToolNotebook(document)


class CollaborationRooms:
    """The room manager the tools look up, over jupyter_server_ydoc's websocket server
    (read at each call: that extension may load after this one)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def _server(self) -> Any:
        extension = self.settings.get(YDOC)
        return getattr(extension, "ywebsocket_server", None)

    def has_room(self, room_id: str) -> bool:
        server = self._server()
        return bool(server is not None and server.room_exists(room_id))

    def get_room(self, room_id: str) -> CollaborationRoom:
        server = self._server()
        if server is None or not server.room_exists(room_id):
            raise LookupError(f"no collaboration room {room_id!r}")
        return CollaborationRoom(server.rooms[room_id])


def provide_rooms(settings: dict[str, Any]) -> None:
    """Give the tools jupyter_server_ydoc's rooms, unless a room manager is there already."""
    if ROOMS not in settings:
        settings[ROOMS] = CollaborationRooms(settings)
