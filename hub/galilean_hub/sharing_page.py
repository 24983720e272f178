"""The hub's Share page for one workspace (`/hub/galilean/share/<ws>`; "" is the default
workspace) and what the home page lists as shared with you. The page is the owner's, with
their login: its script calls sharing_api.py with the hub's XSRF token, so no server's
token (which a guest of a shared workspace could read) ever manages shares. JupyterLab's
Share button opens it."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from jupyterhub import orm
from jupyterhub.handlers.base import BaseHandler
from jupyterhub.utils import url_path_join
from tornado import web

from .sharing_api import EXPIRES_MAX
from .workspaces import DISPLAY_NAME_FIELD


class SharePageHandler(BaseHandler):
    @web.authenticated
    async def get(self, name: str) -> None:
        user = self.current_user
        if name and name not in user.orm_user.orm_spawners:  # "" (home) is always there
            raise web.HTTPError(404, f"You have no workspace named {name!r}")
        # Its state and shares: the page's script asks sharing_api.py.
        html = await self.render_template(
            "share.html",
            user=user,
            workspace=name,
            workspace_title=title_of(user.get_spawner(name)),
            expires_max=EXPIRES_MAX,
        )
        self.finish(html)


class SharedWithMe:
    """`shared_with(user)`, read from the database only when a page lists it: JupyterHub
    runs template_vars for every hub page, and only the home page shows these."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @functools.cached_property
    def found(self) -> list[dict[str, Any]]:
        return shared_with(self.user)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.found)

    def __bool__(self) -> bool:
        return bool(self.found)


def shared_with(user: Any) -> list[dict[str, Any]]:
    """The workspaces others shared with `user` (directly or through a group): for the
    home page (JupyterHub.template_vars)."""
    if user is None:
        return []
    db = user.db
    orm_user = user.orm_user
    group_ids = [group.id for group in orm_user.groups]
    query = db.query(orm.Share).filter(
        (orm.Share.user_id == orm_user.id)
        | (orm.Share.group_id.in_(group_ids) if group_ids else False)
    )
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for share in query:
        owner, spawner = share.owner, share.spawner
        found[(owner.name, spawner.name)] = {
            "owner": owner.name,
            "workspace": spawner.name,
            "title": title_of(spawner),
            "url": server_url(user.settings.get("base_url", "/"), owner.name, spawner.name),
            "ready": bool(spawner.server is not None),
            "via": share.group.name if share.group else "",
        }
    return sorted(found.values(), key=lambda s: (s["owner"], s["workspace"]))


def title_of(spawner: Any) -> str:
    """A workspace's display name, else its name ("Home" for the default one); a Spawner
    or its orm row."""
    title = (spawner.user_options or {}).get(DISPLAY_NAME_FIELD)
    return str(title) if isinstance(title, str) and title else spawner.name or "Home"


def server_url(base: str, owner: str, workspace: str) -> str:
    """A workspace's URL, as JupyterHub makes it (User.server_url)."""
    tail = f"{quote(workspace, safe='')}/" if workspace else ""
    return url_path_join(base, "user", quote(owner, safe=""), tail)


def sharing_page_handlers() -> list[tuple[str, Any]]:
    return [(r"/galilean/share/([^/]*)", SharePageHandler)]
