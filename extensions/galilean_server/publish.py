"""Publishing a read-only view of a notebook (issue 18), under /galilean/publish:

- POST {"path", "code": "shown"|"hidden", "users", "groups", "link", "title"?}: this server
  reads the notebook as its owner, renders it with nbconvert (JupyterLab's look, the saved
  outputs; nothing is executed) and publishes the HTML to the hub with its hub token
  (galilean_hub/published_api.py), which keeps it and serves it behind the hub login to
  the people named. Publishing the same notebook again replaces the view (same address).
- GET ?path=: the notebook's view if it has one (its audience and address), for the dialog.
- DELETE ?path=: withdraw it.

Owner only, and never from a shared workspace (a guest would publish as the owner; the
hub refuses that server's token anyway)."""

from __future__ import annotations

import os
import time
from typing import Any, cast

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import ensure_async
from tornado import web
from tornado.ioloop import IOLoop

from galilean_services.kit.errors import NotFound, ValidationError

from .base import OwnerOnlyHandler
from .notebook_history import checked_notebook_path
from .service_upstream import Upstream

HUB_API = "galilean_publish_upstream"  # the web app setting holding the Upstream
COLLECTION = "galilean/published"
FIELDS = {"path", "code", "users", "groups", "link", "title"}
MAX_HTML = 9 * 1024 * 1024  # what the hub takes


def hub_upstream(environ: Any) -> Upstream:
    return Upstream(
        environ.get("JUPYTERHUB_API_URL", ""),
        environ.get("JUPYTERHUB_API_TOKEN", ""),
        service="hub",
        settings="JUPYTERHUB_API_URL and JUPYTERHUB_API_TOKEN",
    )


def render(notebook: Any, hide_code: bool) -> str:
    """The notebook as one HTML page, JupyterLab's look; its saved outputs only
    (nbconvert's HTML exporter runs nothing). Images the notebook's Markdown links to are
    not embedded: `embed_images` reads any file under the server's folder that a link
    names (a notebook written by someone else could name a private one), and the view's
    policy shows only images inside the page (outputs, cell attachments)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", embed_images=False)  # type: ignore[no-untyped-call]
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = hide_code
    exporter.exclude_output_prompt = hide_code
    body, _ = exporter.from_notebook_node(notebook)
    return str(body)


class PublishHandler(OwnerOnlyHandler):
    bridge = "publishing"

    @property
    def hub(self) -> Upstream:
        return cast(Upstream, self.settings[HUB_API])

    async def view_of(self, path: str) -> dict[str, Any] | None:
        workspace = os.environ.get("JUPYTERHUB_SERVER_NAME", "")
        listed = await self.hub.call("GET", COLLECTION)
        for view in (listed or {}).get("views", []):
            if view.get("path") == path and view.get("workspace") == workspace:
                return dict(view)
        return None

    @web.authenticated
    @authorized
    async def get(self) -> None:
        path = checked_notebook_path(self.get_query_argument("path", ""))
        self.finish({"view": await self.view_of(path)})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body_object()
        unknown = sorted(set(body) - FIELDS)
        if unknown:
            raise ValidationError(f"unknown field {unknown[0]!r}", [{"field": unknown[0]}])
        path = checked_notebook_path(body.get("path"))
        code = body.get("code", "shown")
        if code not in ("shown", "hidden"):
            raise ValidationError("code: 'shown' or 'hidden'", [{"field": "code"}])
        title = body.get("title") or path.rsplit("/", 1)[-1].removesuffix(".ipynb")
        if not isinstance(title, str) or len(title) > 255:
            raise ValidationError("title: text of at most 255 characters", [{"field": "title"}])
        contents: Any = self.contents_manager  # jupyter_server's: no annotations
        if not await ensure_async(contents.file_exists(path)):
            raise NotFound(f"path: no notebook {path}", [{"field": "path"}])
        model = await ensure_async(contents.get(path, content=True, type="notebook"))
        began = time.perf_counter()
        page = await IOLoop.current().run_in_executor(
            None, render, model["content"], code == "hidden"
        )
        seconds = time.perf_counter() - began
        if len(page.encode()) > MAX_HTML:
            raise ValidationError(
                f"path: the rendered view is {len(page.encode()) / 2**20:.1f} MB, more than "
                f"{MAX_HTML // 2**20} MB: clear large outputs first",
                [{"field": "path"}],
            )
        view = await self.hub.call(
            "PUT",
            COLLECTION,
            {
                "workspace": os.environ.get("JUPYTERHUB_SERVER_NAME", ""),
                "path": path,
                "title": title,
                "code": code,
                "html": page,
                "render_seconds": round(seconds, 4),
                "link": body.get("link", False),
                "users": body.get("users", []),
                "groups": body.get("groups", []),
            },
        )
        self.finish(view)

    @web.authenticated
    @authorized
    async def delete(self) -> None:
        path = checked_notebook_path(self.get_query_argument("path", ""))
        view = await self.view_of(path)
        if view is None:
            raise NotFound(f"path: {path} has no published view", [{"field": "path"}])
        await self.hub.call("DELETE", f"{COLLECTION}/{view['id']}")
        self.set_status(204)
        self.finish()


ROUTES: list[tuple[str, type[Any]]] = [(r"/galilean/publish", PublishHandler)]
