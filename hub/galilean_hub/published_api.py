"""Read-only views of notebooks, in the hub (issue 18): for people who must not run code in
the owner's workspace.

    GET    /hub/api/galilean/published           your views (no HTML); ?for=me: those
                                                 others published for you or your groups
    PUT    /hub/api/galilean/published           publish or publish again    custom:publish:write
    DELETE /hub/api/galilean/published/<id>      withdraw one of yours       custom:publish:write
    GET    /hub/galilean/view/<id>               the view, behind the hub login

The owner's server renders the notebook with nbconvert, as its owner, and publishes it with
its hub token (galilean_server/publish.py); a shared workspace's token lacks
`custom:publish:write` (sharing.py: JupyterHub's own server scopes only), so a guest cannot
publish as the owner. A view is readable by its owner, the users and groups it names, or,
when `link` is set, anyone signed in who has its address (128 random bits); anyone else
gets 404, as if it did not exist. Its HTML is served with a Content-Security-Policy
`sandbox` and no script source: nothing in it runs, and it cannot act as the reader on the
hub's origin (an output's HTML or JavaScript included)."""

from __future__ import annotations

import html as html_text
import json
import re
from typing import Any

from jupyterhub import orm
from jupyterhub.handlers.base import BaseHandler
from jupyterhub.user import User
from tornado import web

from galilean_services.kit.auth import Scopes
from galilean_services.kit.body import flag, json_object, names, text
from galilean_services.kit.errors import GalileanError, NotFound, ValidationError

from .api_base import GalileanAPIHandler
from .published import PublishedViews, View

SCOPES = Scopes(
    "publish",
    {"write": "Publish read-only views of your notebooks, publish them again, withdraw them"},
)
WRITE = SCOPES.scope("write")
FIELDS = {
    "workspace",
    "path",
    "title",
    "code",
    "html",
    "render_seconds",
    "link",
    "users",
    "groups",
}
MAX_HTML = 9 * 1024 * 1024  # the request body is at most 10 MB (kit.body)
MAX_AUDIENCE = 200
MAX_VIEWS = 100  # per owner (each up to MAX_HTML in the hub's database)
VIEW_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Nothing in a view runs: no script, no plugin, no form, no frame; its own inline styles
# and the images nbconvert embedded; `sandbox` gives it an origin of its own.
VIEW_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "font-src data:; form-action 'none'; frame-ancestors 'self'"
)


def _no_nul(value: str, name: str) -> str:
    if "\x00" in value:  # PostgreSQL keeps no NUL in text
        raise ValidationError(f"{name}: no NUL character", [{"field": name}])
    return value


def _text(body: dict[str, Any], name: str, limit: int, required: bool = True) -> str:
    return _no_nul(text(body, name, None if required else "", limit), name)


def _names(body: dict[str, Any], name: str) -> list[str]:
    value = names(body, name, "names") or []
    null = name in body and body[name] is None  # absent is none; null is not a list
    if null or len(value) > MAX_AUDIENCE or any(len(v) > 255 for v in value):
        raise ValidationError(f"{name}: a list of at most {MAX_AUDIENCE} names", [{"field": name}])
    return [_no_nul(v, name) for v in value]


class PublishedHandler(GalileanAPIHandler):
    views: PublishedViews

    def initialize(self, views: PublishedViews) -> None:
        self.views = views

    def asking_user(self, write: bool = False) -> User:
        user = self.current_user
        if not isinstance(user, User):
            raise web.HTTPError(403, "read-only views belong to users: ask as a user")
        if write and WRITE not in getattr(self, "expanded_scopes", set()):
            raise GalileanError(
                f"publishing needs the scope {WRITE}: a shared workspace's server has none "
                "of its owner's rights (publish from one of your private workspaces)",
                [{"field": "token"}],
                403,
            )
        return user

    def answer(self, body: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def base_url(self) -> str:
        return str(self.settings.get("base_url", "/"))


class PublishedListHandler(PublishedHandler):
    def get(self) -> None:
        # With the publishing scope too: a shared workspace's token (which its guests can
        # read) must not list the owner's views, whose ids open link views.
        user = self.asking_user(write=True)
        if self.get_argument("for", "") == "me":
            groups = {g.name for g in user.orm_user.groups}
            found = self.views.readable_by(self.db, user.name, groups)
            listed = [{**v.summary(self.base_url()), "owner": v.owner} for v in found]
        else:
            listed = [v.summary(self.base_url()) for v in self.views.of_owner(self.db, user.name)]
        self.answer({"views": listed})

    def put(self) -> None:
        user = self.asking_user(write=True)
        body = json_object(self.request.body)
        unknown = sorted(set(body) - FIELDS)
        if unknown:
            raise ValidationError(f"unknown field {unknown[0]!r}", [{"field": unknown[0]}])
        workspace = _text(body, "workspace", 255, required=False)
        if workspace and workspace not in user.orm_user.orm_spawners:
            raise NotFound(
                f"workspace: you have no workspace named {workspace!r}", [{"field": "workspace"}]
            )
        path = _text(body, "path", 1024)
        if not path.endswith(".ipynb") or ".." in path.split("/"):
            raise ValidationError("path: a notebook's path (.ipynb)", [{"field": "path"}])
        title = _text(body, "title", 255)
        code = body.get("code", "shown")
        if code not in ("shown", "hidden"):
            raise ValidationError("code: 'shown' or 'hidden'", [{"field": "code"}])
        page = body.get("html")
        if isinstance(page, str):  # a NUL in an output: shown as U+FFFD, as browsers do
            body["html"] = page.replace("\x00", "\ufffd")
        page = _text(body, "html", MAX_HTML)
        seconds = body.get("render_seconds", 0.0)
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise ValidationError(
                "render_seconds: a number of seconds", [{"field": "render_seconds"}]
            )
        link = flag(body, "link", False)
        users = _names(body, "users")
        groups = _names(body, "groups")
        mine = self.views.of_owner(self.db, user.name)
        if len(mine) >= MAX_VIEWS and not any(
            v.workspace == workspace and v.path == path for v in mine
        ):
            raise ValidationError(
                f"path: you have {MAX_VIEWS} views already: withdraw one first (hub home page)",
                [{"field": "path"}],
            )
        for name in users:
            if orm.User.find(self.db, name) is None:
                raise ValidationError(f"users: no user named {name!r}", [{"field": "users"}])
        for name in groups:
            if orm.Group.find(self.db, name=name) is None:
                raise ValidationError(f"groups: no group named {name!r}", [{"field": "groups"}])
        view = self.views.publish(
            self.db,
            owner=user.name,
            workspace=workspace,
            path=path,
            title=title,
            code_shown=code == "shown",
            html=page,
            render_seconds=float(seconds),
            link=link,
            users=[u for u in users if u != user.name],
            groups=groups,
        )
        # Not the id: for a link view it is the secret.
        self.log.info("%s published a view of %s (%d bytes)", user.name, path, view.size)
        self.answer(view.summary(self.base_url()))


class PublishedOneHandler(PublishedHandler):
    def delete(self, view_id: str) -> None:
        user = self.asking_user(write=True)
        if not VIEW_ID.fullmatch(view_id) or not self.views.unpublish(self.db, user.name, view_id):
            raise NotFound(f"id: you have no view {view_id!r}", [{"field": "id"}])
        self.set_status(204)
        self.finish()


def banner(view: View) -> str:
    words = html_text.escape(
        f"Read-only view of {view.title}, published by {view.owner} on {view.when}"
    )
    return (
        '<div style="font:13px sans-serif;padding:6px 12px;background:#eef3fb;'
        'border-bottom:1px solid #c8d6ee;color:#222" id="galilean-view-banner">'
        f"{words}</div>"
    )


class ViewPageHandler(BaseHandler):
    """The view itself: 404 for anyone it is not for."""

    def initialize(self, views: PublishedViews) -> None:
        self.views = views

    @web.authenticated
    def get(self, view_id: str) -> None:
        user = self.current_user
        view = self.views.get(self.db, view_id) if VIEW_ID.fullmatch(view_id) else None
        groups = {g.name for g in user.orm_user.groups}
        if view is None or not view.readable_by(user.name, groups):
            raise web.HTTPError(404, "No such view, or it is not shared with you")
        page = self.views.html(self.db, view_id)
        head, sep, rest = page.partition("<body")
        if sep:
            tag_end = rest.find(">") + 1
            page = f"{head}<body{rest[:tag_end]}{banner(view)}{rest[tag_end:]}"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", VIEW_POLICY)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "private, no-store")
        self.finish(page)


def published_handlers(views: PublishedViews) -> list[tuple[str, Any, dict[str, Any]]]:
    given = {"views": views}
    return [
        (r"/api/galilean/published", PublishedListHandler, given),
        (r"/api/galilean/published/([^/]+)", PublishedOneHandler, given),
        (r"/galilean/view/([^/]+)", ViewPageHandler, given),
    ]
