"""Fixtures shared by every test: real hubs on free ports, users, an output folder.

The folder a test lives in says what it starts, and gives it its marker:
`unit/` (in-process: no hub, no database server, no browser), `integration/` (real
processes: hub, proxy, user servers, kernels, PostgreSQL, MariaDB, bubblewrap),
`browser/` (Chromium driving the real JupyterLab) and `compose/` (marker `docker`: a Docker
engine, the images and the compose stack; not named `docker/`, which would shadow the
docker package for mypy). `pytest -m unit` runs the fast layer alone."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fake_openai import Script, fake_openai
from secret_scan import hits, remember
from xdist.scheduler import LoadScopeScheduling

from harness.client import HubClient
from harness.docker_early import EarlyDocker
from harness.docker_engine import why_no_engine
from harness.hub import REPO, Hub

# The datasets service and the MLflow gateway in this process (tests/datasets_app.py,
# tests/mlflow_app.py), for the modules that ask.
pytest_plugins = ["datasets_app", "mlflow_app"]

ADMIN = "admin"
# Long and uncommon: accepted by the default password rules.
PASSWORD = "correct-horse-battery-9"
OUTPUT = Path(os.environ.get("GALILEAN_TEST_OUTPUT", REPO / "test-output"))
LAYERS = {"unit": "unit", "integration": "integration", "browser": "browser", "compose": "docker"}
TESTS = Path(__file__).parent
# The engine and the images for tests/compose, made on a thread from the session's start.
DOCKER = EarlyDocker()


def layer_of(item: pytest.Item) -> str:
    return item.path.relative_to(TESTS).parts[0]


def xdist_worker() -> bool:
    """Whether this process is one of pytest-xdist's workers (`make test` runs two:
    `--dist loadgroup`, each group whole on one worker, in collection order)."""
    return "PYTEST_XDIST_WORKER" in os.environ


# Under xdist: the tests that use the lab hub (the browser layer and the few integration
# modules that ask for it) are one group, so one worker starts that hub and one Chromium,
# not both; every other module is a group of its own (its module-scoped hub starts once).
LAB_GROUP = "lab-hub"
COMPOSE_TIMEOUT = 2400  # seconds a docker test may take, its setup included


@functools.cache
def group_of(module: str) -> str:
    """The group of a test module, by its path under the rootdir (`tests/...py`)."""
    path = REPO / module
    in_layer = path.relative_to(TESTS).parts[0]
    if in_layer == "browser" or "lab_hub" in path.read_text(encoding="utf-8"):
        return LAB_GROUP
    return module


class GroupScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with group_of's scopes: a whole group goes to one worker,
    in collection order (`--no-loadscope-reorder`). xdist's own `loadgroup` cannot be
    used: it marks groups by rewriting node ids, which pytest 9 no longer allows
    (pytest-xdist#1386), and the tests then spread as if ungrouped."""

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid.split("::", 1)[0])


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling:
    return GroupScheduling(config, log)


def module_of(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its layer, taken from its folder under tests/, and order them.
    Run alone: the fast layers first, the docker layer last. Under xdist the lab group
    first and the docker layer second, the two longest, so each worker starts with one of
    them (the docker worker builds the images while the other drives Chromium) and the
    rest fills in behind."""
    order = {layer: rank for rank, layer in enumerate(LAYERS)}
    for item in items:
        if layer_of(item) in LAYERS:
            item.add_marker(getattr(pytest.mark, LAYERS[layer_of(item)]))
        if layer_of(item) == "compose":
            # The first docker test's setup builds the images (about 5 min on an idle
            # machine, more beside a browser worker): more than the default 600 s.
            item.add_marker(pytest.mark.timeout(COMPOSE_TIMEOUT))

    def rank(item: pytest.Item) -> int:
        if xdist_worker() and group_of(module_of(item)) == LAB_GROUP:
            return -2
        if xdist_worker() and layer_of(item) == "compose":
            return -1
        return order.get(layer_of(item), len(order))

    items.sort(key=rank)


@contextmanager
def no_running_loop(item: pytest.Item) -> Iterator[None]:
    """Outside the browser layer a test runs with no event loop marked running in this
    thread: once Chromium's session has started in a process, Playwright's sync API
    keeps its loop marked running here, where asyncio.run() would refuse to start (under
    xdist a worker may run other modules after browser ones). Playwright's loop is put
    back afterwards."""
    running = asyncio._get_running_loop()
    if layer_of(item) == "browser" or running is None:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(running)
        asyncio.set_event_loop(running)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with no_running_loop(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with no_running_loop(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """The last test's teardown also ends the session's fixtures, Playwright's among
    them, which needs its loop."""
    if nextitem is None:
        yield
        return
    with no_running_loop(item):
        yield


def pytest_collection_finish(session: pytest.Session) -> None:
    """When the docker layer will run, its engine and images are made meanwhile
    (harness/docker_early.py): the other layers leave a core idle. Not under xdist, where
    both cores are busy and every worker collects the docker layer: the worker that runs
    it makes them when it starts it."""
    if session.config.option.collectonly or xdist_worker() or why_no_engine():
        return
    if any(layer_of(item) == "compose" for item in session.items):
        DOCKER.begin()


def pytest_sessionfinish(session: pytest.Session) -> None:
    DOCKER.release()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


def hub_fixture(name: str, **overrides: str) -> Any:
    """A module-scoped fixture: an embedded hub with these settings, shared by a module's
    tests (each test uses its own users), stopped after them."""

    @pytest.fixture(scope="module")
    def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
        running = Hub(tmp_path_factory.mktemp(name), **overrides).start()
        try:
            yield running
        finally:
            running.stop()

    return hub


hub = hub_fixture("hub")


# The lab hub's AI provider: a real OpenAI-compatible server on loopback (fake_openai.py)
# behind the AI gateway, with this key (the admin's, which users must never see).
LAB_MODEL_KEY = "sk-lab-admin-7c1f"


@pytest.fixture(scope="session")
def model_server() -> Iterator[tuple[str, Script]]:
    with fake_openai() as served:
        yield served


@pytest.fixture(scope="session")
def lab_hub(
    tmp_path_factory: pytest.TempPathFactory, model_server: tuple[str, Script]
) -> Iterator[Hub]:
    """One embedded hub for every browser test that needs no settings of its own: each
    module uses its own user (tests/lab.py), so their servers start once and are shared.
    It runs MLflow (tests/browser/test_browser_mlflow.py), as a homelab's hub does, and
    the AI gateway with one model (`echo`, the fake model server)."""
    remember(LAB_MODEL_KEY)
    running = Hub(
        tmp_path_factory.mktemp("lab-hub"),
        GALILEAN_MLFLOW_ENABLED="true",
        # Scheduled flows start within a second (a scheduled retrain's test).
        GALILEAN_FLOWS_SCHEDULE_CHECK_SECONDS="1",
        GALILEAN_AI_ENABLED="true",
        GALILEAN_AI_MODELS=f"echo=openai/scripted@{model_server[0]}",
        OPENAI_API_KEY=LAB_MODEL_KEY,
        # Every lab workspace starts with a profile (as root: in its own control group);
        # the hub pages' user is offered the second (test_browser_hub_pages.py).
        GALILEAN_PROFILES="standard: 2 cpu, 8G; lean: 1 cpu, 2G",
        # The usage dashboard measures every 5 s (test_browser_hub_pages.py reads it).
        GALILEAN_USAGE_EVERY_SECONDS="5",
        # Storage quotas: 1 GB each, measured afresh when asked (test_browser_lab.py).
        GALILEAN_STORAGE_QUOTA="1G",
        GALILEAN_STORAGE_EVERY_SECONDS="1",
    ).start()
    try:
        yield running
    finally:
        running.stop()
    # The secret scan: nothing the hub, its services, the servers and the runs wrote holds
    # a secret a test gave (secret_scan.py).
    leaked = hits(running.workdir)
    assert not leaked, f"secret values found in what the lab hub wrote: {leaked}"


def admin_client(hub: Hub) -> HubClient:
    """The admin, signed up (once per hub) and logged in."""
    client = HubClient(hub.url)
    client.signup(ADMIN, PASSWORD)
    logged_in, error = client.login(ADMIN, PASSWORD)
    assert logged_in, error
    client.new_token()
    return client


def approved_user(hub: Hub, admin: HubClient, name: str) -> HubClient:
    """A user who signed up, was approved by the admin, and logged in with a token."""
    client = HubClient(hub.url)
    client.signup(name, PASSWORD)
    assert admin.authorize(name) == 200
    logged_in, error = client.login(name, PASSWORD)
    assert logged_in, error
    client.new_token()
    return client


def group_with(hub: Hub, group: str, members: list[str]) -> None:
    """The hub group with these members (made once per hub; the session's hubs are shared)."""
    admin = admin_client(hub)
    made = admin.api("POST", f"/groups/{group}", json={"users": members})
    if made.status_code == 409:
        made = admin.api("POST", f"/groups/{group}/users", json={"users": members})
    assert made.status_code in (200, 201), made.text


# Server extensions every user server must load (checked in its log), both modes:
# jupyter_server_ydoc is jupyter-collaboration's server side.
# Jupyternaut loads after the server starts (deferred_extensions.py): a check of the log
# follows a request that needed it (GET galilean/status without an AI gateway waits for it).
REQUIRED_EXTENSIONS = ("galilean_server", "jupyter_server_ydoc", "jupyter_ai_jupyternaut")


def assert_extensions_loaded(server_log: str) -> None:
    for name in REQUIRED_EXTENSIONS:
        assert f"{name} | extension was successfully loaded" in server_log, name
    assert "jupyter_server_mcp | extension was successfully loaded" not in server_log


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Playwright cannot download its browsers here: use Debian's Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_FLAGS,
    }
