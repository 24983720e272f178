"""Chromium, in the pipeline designer (issue 14): a node's Preview shows its first rows in
the grid under the canvas (columns with types, the row count and time, the engine); Run
sends the flow to the flows service through the server's bridge, and every node then shows
its row count on the canvas, and the node whose held result the run reused (the preview
held per_region's) is marked so; the run is in the run history, and choosing it shows its
logs and its displayed output. Screenshots in the test output folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lab import lab_user, log_in, open_in_lab
from playwright.sync_api import Locator, Page, expect

from harness.hub import REPO, Hub

USER = "flowrunner"
EXAMPLES = REPO / "extensions" / "galilean_server" / "examples" / "flows"
FLOW = "sales_by_region.flow"
FOLDER = "reports"
NODES = ("orders", "big_orders", "per_region", "biggest_first", "show")
COUNT = re.compile(r"^\d[\d,]* rows?$")
RUN_TIMEOUT_MS = 90_000


def node(page: Page, node_id: str) -> Locator:
    return page.get_by_test_id(f"rf__node-{node_id}")


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"flow-runs-{name}.png"))


def open_flow(page: Page, hub: Hub) -> None:
    open_in_lab(page, hub, USER, f"{FOLDER}/{FLOW}")
    for node_id in NODES:
        expect(node(page, node_id)).to_be_visible(timeout=30_000)


def preview(page: Page) -> None:
    """Select per_region, press Preview: its rows, with its columns' types."""
    node(page, "per_region").locator(".jp-GalileanFlow-nodeTitle").click()
    page.get_by_role("button", name="Preview per_region").click()
    grid = page.get_by_role("table", name="Preview of per_region")
    expect(grid).to_be_visible(timeout=30_000)
    expect(grid.get_by_role("columnheader", name=re.compile("^revenue"))).to_be_visible()
    expect(grid.locator("tbody tr").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"per_region: \d+ rows? in \d+ ms"))).to_be_visible()


def preview_with_the_key(page: Page) -> None:
    """Shift+P previews the node selected."""
    node(page, "orders").locator(".jp-GalileanFlow-nodeTitle").click()
    # As a user does: press the key once the side panel shows the node chosen (under
    # load the selection reaches the editor a moment after the click).
    expect(page.get_by_role("heading", name=re.compile("^orders"))).to_be_visible()
    page.keyboard.press("Shift+P")
    grid = page.get_by_role("table", name="Preview of orders")
    expect(grid).to_be_visible(timeout=30_000)
    expect(grid.get_by_role("columnheader", name=re.compile("^order_id"))).to_be_visible()


def run_and_count(page: Page) -> None:
    """Run: every node ends with its row count."""
    page.get_by_role("button", name="Run the flow").click()
    for node_id in NODES:
        badge = node(page, node_id).locator(".jp-GalileanFlow-badge")
        expect(badge).to_have_text(COUNT, timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"Run of v\d+.*: succeeded"))).to_be_visible()
    reused = node(page, "per_region").locator(".jp-GalileanFlow-node")
    expect(reused).to_have_class(re.compile("jp-mod-flow-reused"))
    expect(node(page, "show").locator(".jp-GalileanFlow-node")).to_have_class(
        re.compile("jp-mod-flow-done")
    )
    expect(page.get_by_role("button", name="Cancel the run")).to_have_count(0)


def history_and_logs(page: Page) -> None:
    """Run opened the run history: it lists the run; choosing it shows its logs and
    its output."""
    tab = page.get_by_role("tab", name="Run history")
    expect(tab).to_have_attribute("aria-selected", "true")
    history = page.get_by_role("table", name="Run history")
    expect(history).to_be_visible(timeout=30_000)
    first = history.locator("tbody tr").first
    expect(first).to_contain_text(USER)
    expect(first).to_contain_text("succeeded")
    first.click()
    expect(page.get_by_label("Run logs")).to_be_visible(timeout=30_000)
    output = page.get_by_role("table", name="Output show")
    expect(output).to_be_visible()
    expect(output.locator("tbody tr").first).to_be_visible()


def test_preview_run_and_history(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    page.set_viewport_size({"width": 1600, "height": 1000})
    home = lab_user(lab_hub, USER)
    # In a folder of its own, next to its data: a service run reads the files there too.
    (home / FOLDER).mkdir(exist_ok=True)
    shutil.copy(EXAMPLES / FLOW, home / FOLDER / FLOW)
    shutil.copy(EXAMPLES / "sales.csv", home / FOLDER / "sales.csv")
    log_in(page, lab_hub, USER)
    open_flow(page, lab_hub)

    preview(page)
    shot(page, output_dir, "01-preview")
    preview_with_the_key(page)

    run_and_count(page)
    shot(page, output_dir, "02-run-counts")
    page.get_by_test_id("rf__wrapper").screenshot(path=str(output_dir / "flow-runs-02b-canvas.png"))
    history_and_logs(page)
    shot(page, output_dir, "03-history-logs")
