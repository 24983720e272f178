"""When notebooks get snapshots (notebook_history.py keeps them):

- after a save, unless the newest snapshot is younger than the minimum interval
  (jupyter-collaboration saves about a second after every edit);
- before a save that removes much of a notebook (half its cells or half its source, or
  all of it): the state it had is kept at once, whatever the interval — a notebook
  cleared by mistake, or by an upstream collaboration bug, is recoverable;
- before a guest joins a shared notebook (jupyter-collaboration's awareness event "join"
  of anyone but the server's owner);
- before a restore, and when asked (history_handlers.py).

Saves reach the hooks through the contents manager, collaboration's autosave included
(its rooms save with `contents_manager.save`). The author of a snapshot is whoever is in
the notebook's room then (from the same awareness events), else the server's owner. A hook
never stops a save: its errors are logged."""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from .notebook_history import NotebookHistory, notebook_stats, stats_of_bytes

AWARENESS_EVENTS = "https://schema.jupyter.org/jupyter_collaboration/awareness/v1"
HISTORY = "galilean_notebook_history"  # the web app setting holding the NotebookHistory
HOOKS = "galilean_history_hooks"  # ... and the HistoryHooks

log = logging.getLogger(__name__)


def removes_much(before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Whether going from `before` to `after` (cells, source characters) loses much."""
    cells, chars = before
    new_cells, new_chars = after
    if cells == 0 and chars == 0:
        return False
    return new_cells <= cells // 2 or (chars >= 20 and new_chars <= chars // 2)


class HistoryHooks:
    """The contents manager's pre- and post-save hooks and the awareness listener."""

    def __init__(self, history: NotebookHistory, owner: str, contents_manager: Any) -> None:
        self.history = history
        self.owner = owner
        self.contents_manager = contents_manager
        self.present: defaultdict[str, set[str]] = defaultdict(set)  # path -> user names
        self.known: dict[str, tuple[int, int]] = {}  # path -> (cells, chars) as last saved
        # The web app's settings: jupyter-server-fileid's manager (a room's file) is there
        # once its extension loads, after this one.
        self.app_settings: dict[str, Any] = {}

    def author(self, path: str, leaving_out: str = "") -> str:
        names = sorted(self.present.get(path, set()) - {leaving_out})
        return ", ".join(names) or self.owner or "the owner"

    def os_path(self, path: str) -> Path | None:
        find = getattr(self.contents_manager, "_get_os_path", None)
        return Path(find(path)) if find is not None else None

    def on_disk(self, path: str) -> bytes | None:
        os_path = self.os_path(path)
        if os_path is None or not os_path.is_file():
            return None
        return os_path.read_bytes()

    def snapshot_now(self, path: str, reason: str, author: str) -> dict[str, Any] | None:
        data = self.on_disk(path)
        if data is None:
            return None
        return self.history.add(path, data, reason=reason, author=author)

    # The contents manager calls these (keyword arguments, as jupyter_server passes them).
    def pre_save(self, model: dict[str, Any], path: str, **_: Any) -> None:
        try:
            if model.get("type") != "notebook" or not path.endswith(".ipynb"):
                return
            path = path.strip("/")
            before = self.known.get(path)
            if before is None:
                data = self.on_disk(path)
                if data is None:
                    return
                before = stats_of_bytes(data)
            after = notebook_stats(model.get("content"))
            self.known[path] = after  # what the file holds once saved (no parse after)
            if removes_much(before, after):
                removed = before[0] - after[0]
                what = f"{removed} of {before[0]} cells" if removed > 0 else "much of its code"
                self.snapshot_now(path, f"before a save that removed {what}", self.author(path))
        except Exception:
            log.warning("Galilean: the snapshot before saving %s failed", path, exc_info=True)

    def post_save(self, model: dict[str, Any], os_path: str, **_: Any) -> None:
        try:
            if model.get("type") != "notebook":
                return
            path = str(model.get("path", "")).strip("/")
            if self.history.due(path):
                data = Path(os_path).read_bytes()
                cells = self.known[path][0] if path in self.known else None
                self.history.add(path, data, reason="saved", author=self.author(path), cells=cells)
        except Exception:
            log.warning("Galilean: the snapshot after saving %s failed", os_path, exc_info=True)

    async def on_awareness(self, logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        try:
            path = self.path_of_room(str(data.get("roomid", "")))
            if path is None:
                return
            user = str(data.get("username", ""))
            if data.get("action") == "leave":
                self.present[path].discard(user)
                return
            if data.get("action") != "join":
                return
            if self.owner and user != self.owner and user not in self.present[path]:
                author = self.author(path, leaving_out=user)
                self.snapshot_now(path, f"before {user} joined", author)
            self.present[path].add(user)
        except Exception:
            log.warning("Galilean: the snapshot before a guest joined failed", exc_info=True)

    def path_of_room(self, room: str) -> str | None:
        """A notebook room's file path ("json:notebook:<file id>"), else None."""
        kind, _, file_id = room.partition(":notebook:")
        file_ids = self.app_settings.get("file_id_manager")
        if kind != "json" or not file_id or file_ids is None:
            return None
        path = file_ids.get_path(file_id)
        if not path:
            return None
        return str(path).strip("/") if str(path).endswith(".ipynb") else None


def install_history(serverapp: Any, settings: dict[str, Any], owner: str) -> HistoryHooks | None:
    """Snapshots for this server's notebooks (its contents manager's root); None when the
    contents manager keeps no files on disk."""
    contents = getattr(serverapp, "contents_manager", None)
    root = getattr(contents, "root_dir", None)
    if contents is None or not root or not hasattr(contents, "_get_os_path"):
        return None
    history = NotebookHistory(Path(root))
    hooks = HistoryHooks(history, owner, contents)
    contents.register_pre_save_hook(hooks.pre_save)
    contents.register_post_save_hook(hooks.post_save)
    hooks.app_settings = serverapp.web_app.settings
    serverapp.event_logger.add_listener(schema_id=AWARENESS_EVENTS, listener=hooks.on_awareness)
    settings[HISTORY] = history
    settings[HOOKS] = hooks
    return hooks
