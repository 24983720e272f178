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
GALILEAN_WORKSPACE_TITLE, with the name as GALILEAN_WORKSPACE. The other option is the
workspace's resource profile (`profile`, profiles.py), checked against what the user may
pick.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from jupyterhub.apihandlers.users import UserServerAPIHandler
from jupyterhub.handlers.pages import SpawnHandler
from jupyterhub.scopes import needs_scope
from tornado import web

from .profiles import PROFILE_FIELD, Profiles

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
    """A workspace's user_options: a valid display name (stripped) and a profile name, if
    any (which profile a user may pick is checked where the user is known:
    `check_profile`). Raises HTTPError(400) naming the field."""
    cleaned: dict[str, Any] = {}
    value = options.get(DISPLAY_NAME_FIELD)
    if value is not None:
        problem = display_name_problem(value)
        if problem:
            raise web.HTTPError(400, problem)
        text = str(value).strip()
        if text:
            cleaned[DISPLAY_NAME_FIELD] = text
    profile = options.get(PROFILE_FIELD)
    if profile is not None:
        if not isinstance(profile, str) or not profile.strip():
            raise web.HTTPError(400, f"{PROFILE_FIELD} must be a profile's name")
        cleaned[PROFILE_FIELD] = profile.strip()
    return cleaned


def single_values(form_data: dict[str, list[str]]) -> dict[str, str]:
    """The form's option fields, each given at most once (other fields, _xsrf, are no
    options)."""
    values: dict[str, str] = {}
    for field in (DISPLAY_NAME_FIELD, PROFILE_FIELD):
        given = form_data.get(field) or []
        if len(given) > 1:
            raise web.HTTPError(400, f"give {field} once")
        if given:
            values[field] = given[0]
    return values


class WorkspaceOptions:
    """Spawner.options_from_form (the /hub/spawn page's form or query): the display name
    and the profile, which the spawner's user must be allowed (JupyterHub passes no
    spawner for a query: WorkspaceSpawnHandler checks it first)."""

    def __init__(self, profiles: Profiles) -> None:
        self.profiles = profiles

    def __call__(self, form_data: dict[str, list[str]], spawner: Any = None) -> dict[str, Any]:
        options = checked_options(self.profiles, getattr(spawner, "user", None), form_data)
        # The spawn page's form chooses a size: the workspace keeps its display name.
        kept = display_name(spawner) if spawner is not None else ""
        if kept and DISPLAY_NAME_FIELD not in options:
            options[DISPLAY_NAME_FIELD] = kept
        return options


def checked_options(
    profiles: Profiles, user: Any, form_data: dict[str, list[str]]
) -> dict[str, Any]:
    """A form's or a query's options, each field checked (400), the profile against `user`
    (403; None: not known here)."""
    options = clean_options(single_values(form_data))
    check_profile(profiles, user, options)
    return options


def check_profile(profiles: Profiles, user: Any, options: dict[str, Any]) -> None:
    """400 for a profile where none are offered or one that does not exist; 403 for one
    `user` may not pick (when the user is known: the start falls back to one they may)."""
    if PROFILE_FIELD not in options:
        return
    if not profiles:
        raise web.HTTPError(400, f"{PROFILE_FIELD}: this hub offers no profiles")
    profiles.check_choice(user, options[PROFILE_FIELD])


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
    before JupyterHub stores anything; the body's options are a display name and a
    profile."""

    def initialize(self, profiles: Profiles) -> None:
        self.profiles = profiles

    @needs_scope("servers")
    async def post(self, user_name: str, server_name: str = "") -> None:
        user = self.find_user(user_name)
        check_new_server(user, server_name)
        options = self.get_json_body()  # checked (400) before the server exists
        if user is not None and options:
            check_profile(self.profiles, user, options)
        await super().post(user_name, server_name)

    def get_json_body(self) -> Any:
        body = super().get_json_body()
        if self.request.method != "POST" or body is None:
            return body
        if not isinstance(body, dict):
            raise web.HTTPError(400, "the request body must be a JSON object")
        unknown = sorted(set(body) - {DISPLAY_NAME_FIELD, PROFILE_FIELD})
        if unknown:
            raise web.HTTPError(
                400,
                f"unknown workspace option {unknown[0]!r}: the options are "
                f"{DISPLAY_NAME_FIELD!r} and {PROFILE_FIELD!r}",
            )
        return clean_options(body)


class WorkspaceSpawnHandler(SpawnHandler):
    """/hub/spawn/:user[/:name] (the home page's "New workspace", a workspace's "Start"):
    the same checks, shown on the hub's error page."""

    def initialize(self, profiles: Profiles) -> None:
        self.profiles = profiles

    @needs_scope("servers")
    async def _get(self, user_name: str, server_name: str) -> Any:
        self._check(user_name, server_name)
        # Bad options in the query would otherwise be dropped silently: JupyterHub logs a
        # failing options_from_query and starts with the default options.
        query = {
            field: [value.decode("utf-8", "replace") for value in values]
            for field, values in self.request.query_arguments.items()
        }
        checked_options(self.profiles, self.find_user(user_name), query)
        return await super()._get(user_name=user_name, server_name=server_name)

    @needs_scope("servers")
    async def _post(self, user_name: str, server_name: str) -> Any:
        self._check(user_name, server_name)
        return await super()._post(user_name=user_name, server_name=server_name)

    def _check(self, user_name: str, server_name: str) -> None:
        if server_name and not self.allow_named_servers:
            return  # JupyterHub says so itself
        check_new_server(self.find_user(user_name), server_name)


def workspace_handlers(profiles: Profiles) -> list[tuple[str, Any, dict[str, Any]]]:
    """Tried before JupyterHub's own routes (the authenticator's handlers come first)."""
    given = {"profiles": profiles}
    return [
        (r"/api/users/([^/]+)/servers/([^/]*)", WorkspaceServerAPIHandler, given),
        (r"/spawn/([^/]+)/([^/]+)", WorkspaceSpawnHandler, given),
        (r"/spawn/([^/]+)", WorkspaceSpawnHandler, given),
    ]
