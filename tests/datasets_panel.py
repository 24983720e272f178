"""The Datasets panel in Chromium, as browser tests drive it: wait for the hub's datasets
service, open the panel, make a dataset from a folder or register a tables one, take a
snapshot, find a snapshot's row in the timeline, open a dataset's explorer."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from harness.client import wait_for_service

SERVICE_TIMEOUT = 120


def wait_ready(hub_url: str, timeout: float = SERVICE_TIMEOUT) -> None:
    """The datasets service answers its health check (the hub starts it with itself)."""
    wait_for_service(hub_url, "/services/datasets/health", "the datasets service", timeout)


def open_panel(page: Page) -> Locator:
    page.locator(".jp-SideBar .lm-TabBar-tab[data-id='galilean-datasets']").click()
    panel = page.get_by_role("region", name="Datasets", exact=True)
    expect(panel.get_by_role("button", name="New dataset")).to_be_visible(timeout=30_000)
    return panel


def new_dataset(panel: Locator, name: str, folder: str | None) -> None:
    """A files dataset of `folder`, or (None) a tables one registered by name."""
    panel.get_by_role("button", name="New dataset").click()
    form = panel.get_by_role("form", name="New dataset")
    if folder is None:
        form.get_by_label("Dataset kind").select_option("tables")
    else:
        form.get_by_label("Dataset folder").fill(folder)
    form.get_by_label("Dataset name").fill(name)
    form.get_by_role("button", name="Create dataset").click()
    expect(panel.get_by_role("heading", name=name)).to_be_visible(timeout=30_000)


def take(panel: Locator, message: str, number: int) -> None:
    panel.get_by_label("Snapshot message").fill(message)
    panel.get_by_role("button", name="Take snapshot").click()
    expect(panel.get_by_role("status")).to_have_text(f"Snapshot {number} taken", timeout=60_000)


def snapshot_row(panel: Locator, number: int) -> Locator:
    return panel.get_by_role("listitem", name=f"Snapshot {number}", exact=True)


def open_explorer(page: Page, panel: Locator, name: str) -> Locator:
    panel.get_by_role("button", name="Explore", exact=True).click()
    explorer = page.get_by_role("region", name=f"Explore {name}", exact=True)
    expect(explorer).to_be_visible(timeout=30_000)
    return explorer
