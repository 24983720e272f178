"""Fixtures shared by every test: real hubs on free ports, users, an output folder.

The folder a test lives in says what it starts, and gives it its marker:
`unit/` (in-process: no hub, no database server, no browser), `integration/` (real
processes: hub, proxy, user servers, kernels, PostgreSQL, MariaDB, bubblewrap),
`browser/` (Chromium driving the real JupyterLab) and `compose/` (marker `docker`: a Docker
engine, the images and the compose stack; not named `docker/`, which would shadow the
docker package for mypy). `pytest -m unit` runs the fast layer alone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_openai import Script, fake_openai
from secret_scan import hits, remember

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
    """Whether this process is one of pytest-xdist's workers (`make test` runs two, each
    given whole modules in collection order: `--dist loadfile`)."""
    return "PYTEST_XDIST_WORKER" in os.environ


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its layer, taken from its folder under tests/, and run the
    layers in LAYERS' order: the fast ones first, and Chromium's session (Playwright's
    sync API keeps an event loop running in this thread, where asyncio.run() then
    refuses to start) only after every test that runs its own loop. Under xdist the
    docker layer comes first instead: the worker that takes it builds the images while
    the other runs the rest (one build, in the worker that needs it), and the run does
    not end waiting for its minutes alone. It runs no event loop of its own."""
    order = {layer: rank for rank, layer in enumerate(LAYERS)}
    if xdist_worker():
        order["compose"] = -1
    for item in items:
        if layer_of(item) in LAYERS:
            item.add_marker(getattr(pytest.mark, LAYERS[layer_of(item)]))
    items.sort(key=lambda item: order.get(layer_of(item), len(order)))


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
