"""The Galilean server extension application: it makes the managers once (configurable
with traitlets, `c.GalileanServerApp.<name>`) and registers the handlers (handlers.py).

What a server's start imports is kept small (every user server pays it): the connections'
manager (SQLAlchemy, sqlglot: ~0.2 s of imports) and the designer are made on their first
request."""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import DottedObjectName, Float, TraitError, Unicode, default, validate
from traitlets.utils.importstring import import_item

from galilean_services.folders import user_home
from galilean_services.sizes import size_problem

from .ai_rooms import provide_rooms
from .base import CONNECTIONS, OWNER, SHARED
from .datasets_bridge import UPSTREAM, datasets_upstream
from .deferred_extensions import AI_CHAT, LOADER, TOOLS, DeferredExtensions
from .examples import set_up
from .flows_bridge import LINK, PLACES, Places
from .flows_link import FlowsLink
from .git_identity import set_up_git_identity
from .handlers import DESIGNER, ROUTES
from .history_hooks import install_history
from .publish import HUB_API, hub_upstream
from .secrets_bridge import VAULT, vault_upstream

DESIGNER_CLASS = "galilean_server.flows_designer.FlowsDesigner"  # imported on first use
# Imported when the connections are first asked for.
STORE_CLASS = "galilean_services.connections.ConnectionStore"
MANAGER_CLASS = "galilean_server.manager.ConnectionsManager"


class GalileanServerApp(ExtensionApp):
    name = "galilean_server"
    load_other_extensions = True

    mode = Unicode(
        config=True,
        help="How this server was started: 'embedded' or 'docker' (GALILEAN_MODE).",
    )
    # Dotted names, imported on first use (a Type trait imports its class at start).
    connection_store_class = DottedObjectName(
        STORE_CLASS,
        config=True,
        help="The store of the user's named connections (made with the user's folder): a "
        "ConnectionStore (sub)class.",
    )
    connections_manager_class = DottedObjectName(
        MANAGER_CLASS,
        config=True,
        help="What the /galilean/connections and /galilean/dialects handlers call: a "
        "ConnectionsManager (sub)class.",
    )
    flows_designer_class = DottedObjectName(
        DESIGNER_CLASS,
        config=True,
        help="What the /galilean/flows/* handlers (the pipeline designer) call: a "
        "FlowsDesigner (sub)class, imported on the first request.",
    )
    flows_memory_limit = Unicode(
        config=True,
        help="Memory a designer preview may use (2GB, 512MiB: either engine spills beyond "
        "its share); the hub passes GALILEAN_FLOWS_MEMORY_LIMIT, the service runs' budget.",
    )
    schema_cache_seconds = Float(
        300.0,
        config=True,
        help="How long the schema browser keeps a connection's schemas before reading again.",
    )

    @default("mode")
    def _default_mode(self) -> str:
        return os.environ.get("GALILEAN_MODE", "embedded")

    @default("flows_memory_limit")
    def _default_flows_memory_limit(self) -> str:
        return _checked_size(os.environ.get("GALILEAN_FLOWS_MEMORY_LIMIT", ""))

    @validate("flows_memory_limit")
    def _valid_memory_limit(self, proposal: Any) -> str:
        return _checked_size(str(proposal["value"]))

    def initialize_settings(self) -> None:
        self.settings["galilean_mode"] = self.mode
        self.settings[CONNECTIONS] = functools.cache(self.connections_manager)
        # Flows are read only from inside the server's root (the contents manager's); the
        # designer (and the engine) is made on its first request.
        root = Path(self.flows_root())
        budget = self.flows_memory_limit
        self.settings[DESIGNER] = functools.cache(
            lambda: import_item(self.flows_designer_class)(root, memory_limit=budget)
        )
        # The designer's bridge to the flows service, as this server's owner (the hub's).
        self.settings[LINK] = FlowsLink.from_environ(os.environ)
        self.settings[OWNER] = os.environ.get("JUPYTERHUB_USER", "")
        self.settings[SHARED] = os.environ.get("GALILEAN_SHARED") == "1"  # sharing.py (hub)
        self.settings[PLACES] = Places(root, user_home())
        # The Datasets panel's bridge to the datasets service (datasets_bridge.py).
        self.settings[UPSTREAM] = datasets_upstream(os.environ)
        self.settings[VAULT] = vault_upstream(os.environ)  # the Secrets panel's
        self.settings[HUB_API] = hub_upstream(os.environ)  # publishing notebooks' views
        set_up(self.serverapp)  # the galilean CLI on PATH, the example flows
        if self.serverapp is not None:
            make_store_folder(self.serverapp.config)  # jupyter-collaboration's (the hub's)
            set_up_git_identity(self.settings[OWNER], Path.home())  # jupyterlab-git's commit
        # Jupyternaut's notebook tools on jupyter-collaboration's rooms (ai_rooms.py).
        if self.serverapp is not None:
            # Notebooks' snapshots on save, before a guest joins (history_hooks.py).
            install_history(self.serverapp, self.settings, self.settings[OWNER])
            provide_rooms(self.serverapp.web_app.settings)
            # The AI chat's heavy extensions when the user turns to the chat; the tools'
            # once the server answers (deferred_extensions.py).
            self.settings[LOADER] = [
                DeferredExtensions(self.serverapp, batch) for batch in (AI_CHAT, TOOLS)
            ]

    def connections_manager(self) -> Any:
        """The user's connections (they belong to the user, not to a workspace: the user's
        folder), made on first use."""
        from galilean_services.dialects import default_registry

        from .kernel.secrets_api import vault_secret
        from .schema_browser import SchemaCache

        dialects = default_registry()
        return import_item(self.connections_manager_class)(
            import_item(self.connection_store_class)(user_home(), secrets=vault_secret),
            SchemaCache(self.schema_cache_seconds, dialects=dialects),
            dialects,
        )

    def flows_root(self) -> str:
        """The server's root: its contents manager's (the files the user sees)."""
        contents = getattr(self.serverapp, "contents_manager", None)
        root = getattr(contents, "root_dir", None) or getattr(self.serverapp, "root_dir", None)
        return str(root or os.getcwd())

    def initialize_handlers(self) -> None:
        self.handlers.extend(ROUTES)
        for loader in self.settings.get(LOADER, []):
            loader.hold_routes()

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        """Runs once the server listens: the deferred tools' timer starts."""
        for loader in self.settings.get(LOADER, []):
            loader.start()


def make_store_folder(config: Any) -> None:
    """The folder of jupyter-collaboration's store when the hub set one (SQLiteYStore.db_path,
    relative to the server's working folder, its root): SQLite makes the file, not folders."""
    store = config.SQLiteYStore
    path = store.get("db_path") if "db_path" in store else None
    if isinstance(path, str) and path and path != ":memory:":
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # the rooms fail to open, saying so; the server still starts
            logging.getLogger("galilean").warning("collaboration store %s: %s", path, exc)


def _checked_size(value: str) -> str:
    """`value` when it is empty or a memory size; TraitError naming the setting otherwise."""
    problem = size_problem(value) if value else None
    if problem is not None:
        raise TraitError(f"flows_memory_limit (GALILEAN_FLOWS_MEMORY_LIMIT): {problem}")
    return value
