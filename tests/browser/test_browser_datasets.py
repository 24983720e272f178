"""Chromium, as a new user, in the Datasets panel (issue 15, "In JupyterLab"): a folder
of a few files in the home becomes a dataset from the panel (a bad name is refused next
to the field; "Make a dataset of this folder" on the folder fills the form), a snapshot is
taken, a file changes on disk and one is added, another is taken; ticking the two lists the
added file and the changed one with both sizes; restoring the first (confirmed: the
dialog says the current head stays) brings the file's content back on disk and removes
the added one, as snapshot 3 (the head, which has no Restore); a bad tag is refused next to its
field, a good one shows on the snapshot. Screenshots in the test output folder."""

from __future__ import annotations

import time
from pathlib import Path

import requests
from lab import lab_user, log_in
from playwright.sync_api import Locator, Page, expect

from harness.hub import Hub

USER = "datasetkeeper"
FIRST = "one,two\n1,2\n"
SECOND = "one,two\n1,2\n3,4\n5,6\n"


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"datasets-{name}.png"))


def wait_ready(hub_url: str, timeout: float = 120) -> None:
    """The datasets service answers its health check (the hub starts it with itself)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{hub_url}/services/datasets/health", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the datasets service did not answer in {timeout} s")


def make_folder(home: Path) -> Path:
    folder = home / "photos"
    (folder / "val").mkdir(parents=True, exist_ok=True)
    (folder / "table.csv").write_text(FIRST)
    (folder / "readme.txt").write_text("three pictures\n")
    (folder / "val" / "1.txt").write_text("label 1\n")
    return folder


def open_panel(page: Page) -> Locator:
    page.locator(".jp-SideBar .lm-TabBar-tab[data-id='galilean-datasets']").click()
    panel = page.get_by_role("region", name="Datasets", exact=True)
    expect(panel.get_by_role("button", name="New dataset")).to_be_visible(timeout=30_000)
    return panel


def create_dataset(page: Page, panel: Locator, output_dir: Path) -> None:
    """A bad name is refused next to the name; the folder's context menu fills the form."""
    panel.get_by_role("button", name="New dataset").click()
    form = panel.get_by_role("form", name="New dataset")
    form.get_by_label("Dataset name").fill("Photos!")
    form.get_by_label("Dataset folder").fill("photos")
    form.get_by_role("button", name="Create dataset").click()
    name_error = form.locator("#galilean-datasets-name-error")
    expect(name_error).to_contain_text("name:", timeout=30_000)
    expect(form.get_by_label("Dataset name")).to_have_attribute("aria-invalid", "true")
    shot(page, output_dir, "01-bad-name")

    page.locator(".jp-SideBar .lm-TabBar-tab[data-id='filebrowser']").click()
    page.locator("#filebrowser").get_by_text("photos", exact=True).click(button="right")
    page.locator(".lm-Menu-item", has_text="Make a dataset of this folder").click()
    expect(form.get_by_label("Dataset folder")).to_have_value("photos")
    expect(form.get_by_label("Dataset name")).to_have_value("photos")
    expect(name_error).to_have_count(0)
    form.get_by_label("Dataset description").fill("a few labelled files")
    form.get_by_role("button", name="Create dataset").click()
    expect(panel.get_by_role("heading", name="photos")).to_be_visible(timeout=30_000)
    expect(panel.get_by_text("No snapshot yet.")).to_be_visible(timeout=30_000)


def take(panel: Locator, message: str, number: int) -> None:
    panel.get_by_label("Snapshot message").fill(message)
    panel.get_by_role("button", name="Take snapshot").click()
    expect(panel.get_by_role("status")).to_have_text(f"Snapshot {number} taken", timeout=60_000)


def snapshot_row(panel: Locator, number: int) -> Locator:
    return panel.get_by_role("listitem", name=f"Snapshot {number}", exact=True)


def diff(page: Page, panel: Locator, output_dir: Path) -> None:
    panel.get_by_label("Compare snapshot 1").check()
    panel.get_by_label("Compare snapshot 2").check()
    changes = panel.get_by_role("region", name="Changes from snapshot 1 to snapshot 2")
    modified = changes.get_by_label("modified table.csv")
    expect(modified).to_be_visible(timeout=30_000)
    expect(modified).to_contain_text(f"{len(FIRST)} B → {len(SECOND)} B")
    expect(changes.get_by_label("added val/2.txt")).to_be_visible()
    expect(changes).to_contain_text("1 added, 0 removed, 1 modified, 2 unchanged")
    shot(page, output_dir, "02-diff")


def restore(page: Page, panel: Locator, folder: Path, output_dir: Path) -> None:
    panel.get_by_role("button", name="Restore snapshot 1").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("the current head stays as a snapshot")
    shot(page, output_dir, "03-restore-confirm")
    dialog.get_by_role("button", name="Restore").click()
    expect(panel.get_by_role("status")).to_have_text(
        "Snapshot 1 restored as snapshot 3", timeout=60_000
    )
    assert (folder / "table.csv").read_text() == FIRST
    assert not (folder / "val" / "2.txt").exists()
    row = snapshot_row(panel, 3)
    expect(row).to_contain_text("restore of snapshot 1")
    expect(row.get_by_label("Tags")).to_contain_text("head")
    expect(row.get_by_role("button", name="Restore snapshot 3")).to_have_count(0)


def tag(page: Page, panel: Locator, output_dir: Path) -> None:
    row = snapshot_row(panel, 1)
    row.get_by_role("button", name="Tag snapshot 1").click()
    field = row.get_by_label("Tag for snapshot 1")
    field.fill("bad tag!")
    row.get_by_role("button", name="Add tag").click()
    expect(row.get_by_role("alert")).to_contain_text("tag:", timeout=30_000)
    field.fill("labelled-v1")
    row.get_by_role("button", name="Add tag").click()
    expect(row.get_by_label("Tags")).to_contain_text("labelled-v1", timeout=30_000)
    expect(row.get_by_role("alert")).to_have_count(0)
    shot(page, output_dir, "04-tagged")


def test_a_folder_as_a_dataset_in_the_panel(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    folder = make_folder(lab_user(lab_hub, USER))
    wait_ready(lab_hub.url)
    log_in(page, lab_hub, USER)
    panel = open_panel(page)
    create_dataset(page, panel, output_dir)

    take(panel, "as labelled", 1)
    (folder / "table.csv").write_text(SECOND)
    (folder / "val" / "2.txt").write_text("label 2\n")
    take(panel, "two more rows", 2)
    first = snapshot_row(panel, 1)
    expect(first).to_contain_text("as labelled")
    expect(first).to_contain_text(USER)
    expect(first).to_contain_text("just now")
    expect(first).to_contain_text("by hand")
    newest = panel.get_by_role("list", name="Snapshots").get_by_role("listitem").first
    expect(newest).to_have_accessible_name("Snapshot 2")
    diff(page, panel, output_dir)
    restore(page, panel, folder, output_dir)
    tag(page, panel, output_dir)

    panel.get_by_role("button", name="Back to all datasets").click()
    item = panel.get_by_role("list", name="Your datasets").get_by_role("button")
    expect(item).to_have_accessible_name("Dataset photos")
    expect(item).to_contain_text("a few labelled files")
    shot(page, output_dir, "05-list")
