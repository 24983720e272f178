"""Server extensions loaded after the server answers: JupyterLab first, the AI chat's engine a
few seconds later.

Measured (issue 17): importing jupyter-ai's `jupyter_ai_jupyternaut` (Jupyternaut,
langchain, litellm) and `jupyter_ai_litellm` (litellm's model list) is ~4 s of a user
server's start, most of the difference between a bare JupyterLab and Galilean's;
`jupyter_ai_acp_client` (the Agent Client Protocol personas, pydantic models of the
protocol) another 0.2 s; nbdime's (its diff tool's routes, which the History panel does
not use: it imports nbdime's diff when asked) 0.1 s. The hub starts servers with all three disabled
(`--ServerApp.jpserver_extensions=<name>=False`, galilean_hub.config); this imports them in
a background thread (at a lower CPU priority) and then links, loads and starts them through
the server's own extension manager, as it would have at start: `delay` seconds after the
server listens, or at once when something needs them: the JupyterLab page as it loads
(Jupyternaut's plugin asks one of their routes), a chat message, a chat opened (its personas
are made then: `load_here`, in that thread). The delay is for the Monday morning: ten
servers starting together on two cores finish their starts before any of them spends 4 s of
CPU on the AI chat's imports; a server is usable (its page answers) before that.

Nothing the page needs is missing meanwhile: collaboration, the chat documents and the
persona manager load at start (they are cheap). The deferred extensions' routes
(`api/jupyternaut/…`, `api/ai/models/chat`, `ai/acp/…`) are held until they exist, then
redirected to themselves (307 keeps the method and body), so a settings panel opened in
those seconds waits instead of seeing a 404. Code that needs them awaits `ready` (the chat's
first answer, the About panel's AI entry).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import threading
from collections.abc import Iterable
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

# Extensions loaded late when the hub disabled them at start, in this order.
DEFERRED = (
    "jupyter_ai_acp_client",
    "jupyter_ai_litellm",
    "jupyter_ai_jupyternaut",
    "nbdime",
    # marimo notebooks: jupyter-server-proxy (which starts marimo when one opens) and
    # marimo's own routes, whose load runs `marimo --version` (bench/spawn_tools.py: +1.2 s
    # of a start when loaded at start).
    "jupyter_server_proxy",
    "marimo_jupyter_extension.handlers",
)
# Imported in the background thread first (the expensive part); the rest is quick.
HEAVY_MODULES = (
    "jupyter_ai_acp_client",
    "litellm",
    "jupyter_ai_litellm",
    "jupyter_ai_jupyternaut",
    "jupyter_ai_jupyternaut.jupyternaut.jupyternaut",
    "galilean_server.ai_jupyternaut",
    "nbdime.webapp.nb_server_extension",
    "jupyter_server_proxy",
    "marimo_jupyter_extension.handlers",
)
# Their routes, held until they exist.
HELD_ROUTES = (
    r"api/jupyternaut/.*",
    r"api/ai/models/chat.*",
    r"ai/acp/.*",
    r"nbdime/.*",
    r"marimo/.*",
    r"marimo-tools/.*",
    r"server-proxy/.*",
    r"proxy/.*",
)
LOADER = "galilean_deferred_extensions"  # the web app setting holding the DeferredExtensions
WAIT_SECONDS = 90.0  # longest a held request or a caller waits
DELAY_SECONDS = 20.0  # after the server listens, unless needed sooner
NICENESS = 10  # the import thread's, above the server's
_current: DeferredExtensions | None = None  # this server's (one server per process)


def load_extensions_here() -> None:
    """This server's deferred extensions, loaded now in the calling thread if they are not
    yet (see DeferredExtensions.load_here)."""
    if _current is not None:
        _current.load_here()


async def extensions_ready(timeout: float = WAIT_SECONDS) -> bool:
    """Whether this server's deferred extensions are loaded, loading them now if they are
    not yet (True when none are deferred)."""
    return True if _current is None else await _current.wait(timeout)


class DeferredExtensions:
    """The extensions of `names` the server was told not to load at start (present in its
    extension manager, disabled), loaded by `load()` once it runs."""

    def __init__(
        self, serverapp: Any, names: Iterable[str] = DEFERRED, delay: float = DELAY_SECONDS
    ) -> None:
        self.serverapp = serverapp
        self.delay = delay
        extensions = serverapp.extension_manager.extensions
        self.names = [n for n in names if n in extensions and not extensions[n].enabled]
        self.ready = asyncio.Event()
        self._rule: Any = None
        self._task: asyncio.Task[None] | None = None
        self._linked = False
        if not self.names:
            self.ready.set()
        global _current
        _current = self

    async def wait(self, timeout: float = WAIT_SECONDS) -> bool:
        """Whether the deferred extensions are loaded, loading them now if they are not
        loading yet (waiting up to `timeout` seconds)."""
        self.load_now()
        try:
            await asyncio.wait_for(self.ready.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def hold_routes(self) -> None:
        if not self.names:
            return
        web_app = self.serverapp.web_app
        base = web_app.settings["base_url"]
        before = list(web_app.default_router.rules)
        web_app.add_handlers(
            ".*$", [(url_path_join(base, route), HeldRouteHandler) for route in HELD_ROUTES]
        )
        added = [rule for rule in web_app.default_router.rules if rule not in before]
        self._rule = added[0] if added else None

    def start(self) -> None:
        """Load them `delay` seconds from now (called once the server's loop runs)."""
        if self.names:
            asyncio.get_running_loop().call_later(self.delay, self.load_now)

    def load_now(self) -> None:
        if self.names and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.load())

    def link_and_load(self) -> None:
        """Link and load the deferred extensions (their settings, handlers and Jupyternaut's
        config manager exist then), once; starting them is `load()`'s."""
        if self._linked:
            return
        self._linked = True
        manager = self.serverapp.extension_manager
        for name in self.names:
            manager.add_extension(name, enabled=True)
            manager.link_extension(name)
            manager.load_extension(name)

    def load_here(self) -> None:
        """Load them now, in this thread (code that cannot wait needs them: the chat's
        personas are made while a chat opens). The imports wait for the background
        thread's if it is importing them; `load()` finishes the start."""
        if not self.names or self.ready.is_set():
            return
        for name in HEAVY_MODULES:
            importlib.import_module(name)
        self.link_and_load()
        self.load_now()

    async def load(self) -> None:
        log = self.serverapp.log
        try:
            await imported_in_background(HEAVY_MODULES)
        except Exception:  # each extension then says what failed as it loads
            log.warning("Galilean: importing the AI chat's extensions failed", exc_info=True)
        manager = self.serverapp.extension_manager
        try:
            self.link_and_load()
            for name in self.names:
                await manager.start_extension(name)
            log.info("Galilean: loaded after start: %s", ", ".join(self.names))
        finally:
            rules = self.serverapp.web_app.default_router.rules
            if self._rule is not None and self._rule in rules:
                rules.remove(self._rule)
            self.ready.set()


async def imported_in_background(modules: Iterable[str]) -> None:
    """Import `modules` in a daemon thread (an executor's threads would hold up the server's
    exit), the event loop free meanwhile."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def run() -> None:
        # This thread only (a Linux thread is a task of its own): the server keeps its
        # priority. Not Linux, or not allowed: the same priority.
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
        try:
            for name in modules:
                importlib.import_module(name)
        except BaseException as exc:  # handed to the loop, raised there
            loop.call_soon_threadsafe(_settle, done, exc)
        else:
            loop.call_soon_threadsafe(_settle, done, None)

    threading.Thread(target=run, name="galilean-deferred-imports", daemon=True).start()
    await done


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


class HeldRouteHandler(APIHandler):
    """A request for a deferred extension's route: held until it is loaded, then sent to
    the same URL again (307: same method and body), which the real handler now answers.
    A request loads them now: Jupyternaut's page plugin asks `get-example` as JupyterLab's
    page loads, so they are ready before the user opens the chat."""

    @web.authenticated
    async def get(self, *args: Any) -> None:
        loader: DeferredExtensions | None = self.settings.get(LOADER)
        if loader is None or not await loader.wait():
            raise web.HTTPError(503, "the AI chat's server extensions are still loading")
        self.redirect(self.request.uri or "/", status=307)

    post = put = patch = delete = get
