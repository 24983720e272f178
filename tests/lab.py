"""Browser tests share one hub and one server per user (issue 11: keep the suite's time in
check). `lab_hub` is a session fixture (conftest.py); these helpers sign a user up, log in
through the hub's pages in Chromium, open a notebook and run its cells as a user does.

Each test module uses its own user name, so tests never see each other's files."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from conftest import PASSWORD, admin_client, approved_user
from harness.hub import Hub

SPAWN_TIMEOUT_MS = 180_000
KERNEL_TIMEOUT_MS = 90_000
_ready: set[tuple[str, str]] = set()


def lab_user(hub: Hub, name: str) -> Path:
    """`name` signed up and approved (once per hub); returns the user's home folder."""
    if (hub.url, name) not in _ready:
        approved_user(hub, admin_client(hub), name)
        _ready.add((hub.url, name))
    home = hub.home_of(name)
    home.mkdir(parents=True, exist_ok=True)
    return home


def code_cell(cell_id: str, source: str) -> dict[str, Any]:
    """A code cell with no outputs; each has its own metadata (tests set it per cell)."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": {},
        "outputs": [],
        "source": source,
    }


def notebook(sources: list[str]) -> dict[str, Any]:
    """A notebook with one code cell per source (no outputs)."""
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return {
        "cells": [code_cell(f"c{i}", source) for i, source in enumerate(sources, 1)],
        "metadata": {"kernelspec": kernel},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_notebook(home: Path, name: str, sources: list[str]) -> Path:
    path = home / name
    path.write_text(json.dumps(notebook(sources)))
    return path


def dismiss_stale_directory_error(page: Page) -> None:
    """JupyterLab sometimes restores its file browser to a path the server then calls
    missing and shows a modal "Directory not found" (upstream jupyterlab#11855, #12111,
    seen here on a second page load of the same user: 'Directory not found: ""'), which
    blocks every click behind it. It comes while the page starts; once the page is ready,
    a user dismisses it and goes on, and so do the tests (checked once, not waited for:
    a Playwright locator handler would add a check before every action and slow the
    designer's tests past what they time). Nothing else is dismissed."""
    stale = page.get_by_role("dialog", name=re.compile(r"^Directory not found"))
    if stale.count():
        stale.get_by_role("button").last.click()
        expect(stale).to_have_count(0)


def wait_for_lab(page: Page) -> None:
    """Wait until JupyterLab is usable: its shell attached (the splash is shown before
    that) and the splash gone, which happens once the layout is restored. Waiting for the
    splash alone returns at once when the page has not yet run the code that shows it."""
    page.wait_for_selector("#jp-main-dock-panel", state="attached", timeout=120_000)
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=120_000)


def log_in(page: Page, hub: Hub, user: str) -> float:
    """Log in through the hub's login page and wait for a usable JupyterLab (splash gone,
    launcher or a document shown); returns the seconds it took."""
    started = time.monotonic()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"{hub.url}/user/{user}/**", timeout=SPAWN_TIMEOUT_MS)
    wait_for_lab(page)
    return time.monotonic() - started


def hub_login(page: Page, hub: Hub, user: str) -> None:
    """Log in and stay on the hub's home page (no server of the user's own started)."""
    page.goto(f"{hub.url}/hub/login?next=/hub/home")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"{hub.url}/hub/home", timeout=60_000)


def open_in_lab(page: Page, hub: Hub, user: str, path: str) -> None:
    """Open `path` (relative to the user's home) in the user's JupyterLab; for a notebook,
    wait until its kernel is idle."""
    page.goto(f"{hub.url}/user/{user}/lab/tree/{path}")
    wait_for_lab(page)
    if path.endswith(".ipynb"):
        expect(page.locator(".jp-Notebook .jp-Cell").first).to_be_visible(timeout=60_000)
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(
            1, timeout=KERNEL_TIMEOUT_MS
        )
        dismiss_stale_directory_error(page)  # by now the page has started


def cells(page: Page) -> Locator:
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")


def run_cell(page: Page, cell: Locator) -> None:
    """Click into the cell's editor and run it with Shift+Enter, as a user does, and wait
    until the run is scheduled (the prompt shows [*] or a number). JupyterLab drops a run
    silently (the prompt stays [ ]) when the notebook's session is between kernel
    connections just after opening, though the indicator already says idle; a user
    presses Shift+Enter again, and so does this helper, once."""
    prompt = cell.locator(".jp-InputPrompt")
    for attempt in range(2):
        cell.locator(".cm-content").click()
        page.keyboard.press("Shift+Enter")
        try:
            expect(prompt).not_to_have_text("[ ]:", timeout=10_000)
            return
        except AssertionError:
            if attempt:
                raise


def _settled(path: Path, page: Page) -> dict[str, Any]:
    """The notebook on disk once it has not changed for 2 s and parses: the server writes
    a notebook in place (jupyter_server's atomic writing keeps a backup copy, not a
    rename), so a read during a save can see a truncated file."""
    deadline = time.monotonic() + 30
    stable_since, last = time.monotonic(), path.stat().st_mtime_ns
    while True:
        page.wait_for_timeout(200)
        mtime = path.stat().st_mtime_ns
        if mtime != last:
            stable_since, last = time.monotonic(), mtime
            continue
        if time.monotonic() - stable_since >= 2.0 or time.monotonic() > deadline:
            try:
                return dict(json.loads(path.read_text()))
            except json.JSONDecodeError:
                if time.monotonic() > deadline:
                    raise


def save_notebook(page: Page, path: Path) -> dict[str, Any]:
    """Press Ctrl+S once the collaboration's own autosave (1 s after the last change) has
    settled, and return the notebook as saved. jupyter-collaboration races a Ctrl+S pressed
    while its autosave is writing and then shows a spurious "File Changed" dialog
    (jupyterlab/jupyter-collaboration#260, #312); a user who waits a second never sees it,
    and neither does this test. Waits on the file's modification time, which only the
    server controls."""
    _settled(path, page)
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=10_000)
    saved = _settled(path, page)
    expect(page.locator(".jp-Dialog")).to_have_count(0)
    return saved
