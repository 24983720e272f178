"""The History panel's routes, under /galilean/history (the notebook in `?path=`):

- GET  /galilean/history?path=            its snapshots, newest first
- POST /galilean/history?path=            a snapshot now
- GET  /galilean/history/<id>?path=       one snapshot's notebook
- GET  /galilean/history/<id>/diff?path=  nbdime's diff of that snapshot against the
                                          notebook now ({"base", "diff"}: what nbdime's
                                          NotebookDiffModel takes)
- POST /galilean/history/<id>/restore?path=  the notebook becomes that snapshot; what it
                                          was is kept as a snapshot first

A guest of a shared workspace may use them too: they edit its notebooks already. A
notebook deleted since keeps its history, and restoring brings it back."""

from __future__ import annotations

import json
from typing import Any, cast

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import ensure_async
from tornado import web
from tornado.ioloop import IOLoop

from galilean_services.kit.errors import GalileanError, ValidationError

from .base import GalileanHandler
from .history_hooks import HOOKS, HistoryHooks
from .notebook_history import checked_notebook_path

SNAPSHOT = r"([^/]+)"  # checked by the store (400 naming `id`)
SHOWN = ("id", "time", "author", "reason", "bytes", "cells")


def shown(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry[key] for key in SHOWN if key in entry}


def parsed_notebook(data: bytes, field: str) -> Any:
    """A notebook's bytes as nbformat's node (version 4); 400 naming `field` if they are
    not a notebook."""
    import nbformat

    try:
        return nbformat.reads(data.decode(), as_version=4)  # type: ignore[no-untyped-call]
    except Exception as exc:  # nbformat raises several kinds for a file that is not one
        raise ValidationError(f"{field}: not a readable notebook", [{"field": field}]) from exc


class HistoryHandler(GalileanHandler):
    @property
    def hooks(self) -> HistoryHooks:
        hooks = self.settings.get(HOOKS)
        if hooks is None:
            raise GalileanError(
                "version history needs a contents manager that keeps files on disk",
                [{"field": "path"}],
                status=404,
            )
        return cast(HistoryHooks, hooks)

    def notebook_path(self) -> str:
        return checked_notebook_path(self.get_query_argument("path", ""))

    @property
    def who(self) -> str:
        user = self.current_user
        return str(getattr(user, "username", "")) or self.hooks.owner


class HistoryListHandler(HistoryHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        path = self.notebook_path()
        snapshots = [shown(s) for s in self.hooks.history.listing(path)]
        limits = self.hooks.history.limits
        self.finish(
            {
                "path": path,
                "snapshots": snapshots,
                "limits": {
                    "max_snapshots": limits.max_snapshots,
                    "max_age_days": limits.max_age_seconds / 86400,
                    "min_interval_seconds": limits.min_interval_seconds,
                },
            }
        )

    @web.authenticated
    @authorized
    def post(self) -> None:
        path = self.notebook_path()
        if self.hooks.on_disk(path) is None:
            raise GalileanError(f"path: no notebook {path}", [{"field": "path"}], status=404)
        made = self.hooks.snapshot_now(path, "kept by hand", self.who)
        newest = made or self.hooks.history.newest(path)
        self.finish({"snapshot": shown(newest) if newest else None, "new": made is not None})


class SnapshotHandler(HistoryHandler):
    @web.authenticated
    @authorized
    def get(self, snapshot_id: str) -> None:
        path = self.notebook_path()
        entry = self.hooks.history.entry(path, snapshot_id)
        data = self.hooks.history.read(path, snapshot_id)
        self.finish({**shown(entry), "content": parsed_notebook(data, "id")})


class SnapshotDiffHandler(HistoryHandler):
    @web.authenticated
    @authorized
    async def get(self, snapshot_id: str) -> None:
        import nbformat
        from nbdime.diffing.notebooks import diff_notebooks

        path = self.notebook_path()
        base = parsed_notebook(self.hooks.history.read(path, snapshot_id), "id")
        now = self.hooks.on_disk(path)
        empty = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
        current = empty if now is None else parsed_notebook(now, "path")
        # nbdime takes a while on a large notebook: the server answers others meanwhile.
        diff = await IOLoop.current().run_in_executor(None, diff_notebooks, base, current)
        self.finish(json.dumps({"base": base, "diff": diff, "deleted": now is None}))


class SnapshotRestoreHandler(HistoryHandler):
    @web.authenticated
    @authorized
    async def post(self, snapshot_id: str) -> None:
        path = self.notebook_path()
        hooks = self.hooks
        notebook = parsed_notebook(hooks.history.read(path, snapshot_id), "id")
        kept = hooks.snapshot_now(path, f"before restoring {snapshot_id}", self.who)
        target = hooks.os_path(path)  # inside the root (the contents manager checks)
        if target is not None:  # a deleted notebook's folder may be gone too
            target.parent.mkdir(parents=True, exist_ok=True)
        model = {"type": "notebook", "format": "json", "content": notebook}
        await ensure_async(hooks.contents_manager.save(model, path))
        self.finish({"restored": snapshot_id, "path": path, "kept": shown(kept) if kept else None})


ROUTES: list[tuple[str, type[Any]]] = [
    (r"/galilean/history", HistoryListHandler),
    (rf"/galilean/history/{SNAPSHOT}", SnapshotHandler),
    (rf"/galilean/history/{SNAPSHOT}/diff", SnapshotDiffHandler),
    (rf"/galilean/history/{SNAPSHOT}/restore", SnapshotRestoreHandler),
]
