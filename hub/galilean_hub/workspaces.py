"""Workspaces (JupyterHub named servers): which names are allowed, their display names.

A workspace's name becomes a folder (embedded mode), a Docker volume and container name
(docker mode, where DockerSpawner lower-cases it: `My` and `my` would share a volume) and a
URL segment. A name that breaks any of these used to fail *after* JupyterHub had stored the
server: a 500 and a broken entry on the home page. JupyterHub has no hook that runs before
it stores a new server, so Galilean serves its own subclasses of the two handlers that
create one (the REST API and the /hub/spawn page), which refuse a bad name first, with the
rule in the message. A name the hub already knows stays usable whatever the rule says.

The display name ("My Project!") is free text, kept in the server's `user_options` (which
JupyterHub stores and reuses when the workspace starts again) and given to the server as
GALILEAN_WORKSPACE_TITLE, with the name as GALILEAN_WORKSPACE.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from jupyterhub.apihandlers.users import UserServerAPIHandler
from jupyterhub.handlers.pages import SpawnHandler
from jupyterhub.scopes import needs_scope
from tornado import web

NAME_MAX = 32
NAME_PATTERN = rf"^[a-z0-9][a-z0-9-]{{0,{NAME_MAX - 1}}}$"
NAME_RE = re.compile(NAME_PATTERN)
NAME_RULE = (
    f"a workspace name has 1 to {NAME_MAX} characters: lowercase letters, digits and '-', "
    "starting with a letter or digit (e.g. my-project); use the display name for anything else"
)
DISPLAY_NAME_FIELD = "display_name"
DISPLAY_NAME_MAX = 80
DISPLAY_NAME_RULE = (
    f"the display name has at most {DISPLAY_NAME_MAX} characters and no control characters"
)


def name_problem(name: str) -> str:
    """Why `name` cannot name a new workspace ('' when it can)."""
    if NAME_RE.fullmatch(name):
        return ""
    return f"Workspace name {name!r} is not allowed: {NAME_RULE}."


def display_name_problem(value: object) -> str:
    """Why `value` cannot be a display name ('' when it can)."""
    if not isinstance(value, str):
        return f"{DISPLAY_NAME_FIELD} must be a string: {DISPLAY_NAME_RULE}."
    text = value.strip()
    if len(text) > DISPLAY_NAME_MAX or any(
        unicodedata.category(char).startswith("C") for char in text
    ):
        return f"{DISPLAY_NAME_FIELD} is not allowed: {DISPLAY_NAME_RULE}."
    return ""


def clean_options(options: dict[str, Any]) -> dict[str, Any]:
    """A workspace's user_options: only a valid display name (stripped), if any.
    Raises HTTPError(400) naming the field."""
    value = options.get(DISPLAY_NAME_FIELD)
    if value is None:
        return {}
    problem = display_name_problem(value)
    if problem:
        raise web.HTTPError(400, problem)
    text = str(value).strip()
    return {DISPLAY_NAME_FIELD: text} if text else {}


def options_from_form(form_data: dict[str, list[str]]) -> dict[str, Any]:
    """Spawner.options_from_form (the /hub/spawn page's query or form): the display name;
    other fields (_xsrf) are no options."""
    values = form_data.get(DISPLAY_NAME_FIELD) or []
    if len(values) > 1:
        raise web.HTTPError(400, f"give {DISPLAY_NAME_FIELD} once")
    return clean_options({DISPLAY_NAME_FIELD: values[0]} if values else {})


def display_name(spawner: Any) -> str:
    """The workspace's display name, or '' when it has none."""
    options = getattr(spawner, "user_options", None) or {}
    value = options.get(DISPLAY_NAME_FIELD) if isinstance(options, dict) else None
    return value if isinstance(value, str) else ""


def workspace_env_name(spawner: Any) -> str:
    """GALILEAN_WORKSPACE: the server name ('' for the default workspace)."""
    return str(spawner.name or "")


def workspace_env_title(spawner: Any) -> str:
    """GALILEAN_WORKSPACE_TITLE: the display name, else the name ('' for the default)."""
    return display_name(spawner) or workspace_env_name(spawner)


def check_new_server(user: Any, server_name: str) -> None:
    """Refuse to create a workspace whose name breaks the rule (HTTPError 400)."""
    if user is None or not server_name or server_name in user.orm_spawners:
        return
    problem = name_problem(server_name)
    if problem:
        raise web.HTTPError(400, problem)


class WorkspaceServerAPIHandler(UserServerAPIHandler):
    """POST /hub/api/users/:user/servers/:name: refuses a bad new name or bad options
    before JupyterHub stores anything; the body's options are only a display name."""

    @needs_scope("servers")
    async def post(self, user_name: str, server_name: str = "") -> None:
        check_new_server(self.find_user(user_name), server_name)
        self.get_json_body()  # options checked (400) before the server exists
        await super().post(user_name, server_name)

    def get_json_body(self) -> Any:
        body = super().get_json_body()
        if self.request.method != "POST" or body is None:
            return body
        if not isinstance(body, dict):
            raise web.HTTPError(400, "the request body must be a JSON object")
        unknown = sorted(set(body) - {DISPLAY_NAME_FIELD})
        if unknown:
            raise web.HTTPError(
                400,
                f"unknown workspace option {unknown[0]!r}: the only option is "
                f"{DISPLAY_NAME_FIELD!r}",
            )
        return clean_options(body)


class WorkspaceSpawnHandler(SpawnHandler):
    """/hub/spawn/:user/:name (the home page's "New workspace"): the same checks, shown on
    the hub's error page."""

    @needs_scope("servers")
    async def _get(self, user_name: str, server_name: str) -> Any:
        self._check(user_name, server_name)
        # A bad display name in the query would otherwise be dropped silently: JupyterHub
        # logs a failing options_from_query and starts with the default options.
        options_from_form(
            {
                DISPLAY_NAME_FIELD: [
                    v.decode("utf-8", "replace")
                    for v in self.request.query_arguments.get(DISPLAY_NAME_FIELD, [])
                ]
            }
        )
        return await super()._get(user_name=user_name, server_name=server_name)

    @needs_scope("servers")
    async def _post(self, user_name: str, server_name: str) -> Any:
        self._check(user_name, server_name)
        return await super()._post(user_name=user_name, server_name=server_name)

    def _check(self, user_name: str, server_name: str) -> None:
        if server_name and not self.allow_named_servers:
            return  # JupyterHub says so itself
        check_new_server(self.find_user(user_name), server_name)


# Tried before JupyterHub's own routes (the authenticator's handlers come first).
WORKSPACE_HANDLERS: list[tuple[str, Any]] = [
    (r"/api/users/([^/]+)/servers/([^/]*)", WorkspaceServerAPIHandler),
    (r"/spawn/([^/]+)/([^/]+)", WorkspaceSpawnHandler),
]
