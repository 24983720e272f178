"""Chromium, in the Datasets panel's explorer (issue 15, "per dataset an explorer: item
grid with thumbnails or a table, filters, stats charts" and "each edit makes a new
snapshot"):

A YOLO set made here with Pillow (8 images, train and val, cat / dog / bird) becomes a
dataset and is snapshotted; its explorer shows the 8 thumbnails (data URLs the service
drew), filtering by the class "bird" narrows them to its 3 images, a click previews an
image at 512 px with its boxes listed, moving it to `val` says it made snapshot 2, the
image is under images/val on disk and snapshot 2 is in the sidebar's timeline; the Stats
tab draws its charts through JupyterLab's Vega-Lite renderer.

A tables dataset (250 rows written to a DuckLake here) pages by 100, sorts by a
header, keeps a filter the service accepts as a chip and shows the one it refuses at the
filter bar; its Stats tab draws a chart per column. Screenshots in the output folder."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from datasets_panel import new_dataset, open_explorer, open_panel, snapshot_row, take, wait_ready
from lab import lab_user, log_in
from labelled_images import make_labelled
from playwright.sync_api import Locator, Page, expect

from galilean_services.datasets.tables import TablesDataset
from harness.hub import Hub

REGIONS = ("north", "south", "east", "west")
ROWS = 250
DASH = "\u2013"  # as in "Rows 1-100 of 250"
TIMES = "\u00d7"  # as in a box's "20x16"


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"datasets-explorer-{name}.png"))


def images(explorer: Locator) -> Locator:
    return explorer.get_by_role("list", name="Images").get_by_role("button")


def shown(explorer: Locator) -> Locator:
    return explorer.get_by_role("status", name="Shown")


def filter_by_class(page: Page, explorer: Locator, output_dir: Path) -> None:
    expect(images(explorer)).to_have_count(8, timeout=60_000)
    expect(shown(explorer)).to_have_text(f"Images 1{DASH}8 of 8")
    first = images(explorer).first.locator("img")
    assert (first.get_attribute("src") or "").startswith("data:image/jpeg;base64,")
    explorer.get_by_label("Label filter").select_option("bird")
    expect(shown(explorer)).to_have_text(f"Images 1{DASH}3 of 3", timeout=30_000)
    expect(images(explorer)).to_have_count(3)
    names = [b.get_attribute("aria-label") for b in images(explorer).all()]
    assert names == [
        "Image images/train/b.png",
        "Image images/train/e.png",
        "Image images/val/g.png",
    ]
    shot(page, output_dir, "01-birds")
    explorer.get_by_label("Label filter").select_option("")
    expect(shown(explorer)).to_have_text(f"Images 1{DASH}8 of 8", timeout=30_000)


def preview_and_move(page: Page, panel: Locator, explorer: Locator, output_dir: Path) -> None:
    explorer.get_by_role("button", name="Image images/train/a.png").click()
    preview = explorer.get_by_role("complementary", name="Preview images/train/a.png")
    boxes = preview.get_by_role("list", name="Boxes")
    expect(boxes).to_contain_text(f"cat at (4, 6), 20{TIMES}16")
    expect(boxes).to_contain_text(f"dog at (30, 10), 24{TIMES}30")
    big = preview.get_by_role("img", name="images/train/a.png with its boxes")
    expect(big).to_be_visible(timeout=30_000)
    shot(page, output_dir, "02-preview")
    explorer.get_by_role("button", name="Move to split…").click()
    explorer.get_by_label("Split", exact=True).fill("val")
    explorer.get_by_role("button", name="Apply").click()
    note = explorer.get_by_role("status", name="Edit")
    expect(note).to_have_text("1 item moved to val: snapshot 2", timeout=60_000)
    expect(explorer.get_by_role("button", name="Image images/val/a.png")).to_be_visible(
        timeout=30_000
    )
    expect(snapshot_row(panel, 2)).to_contain_text("Edit:", timeout=30_000)
    expect(snapshot_row(panel, 2).get_by_label("Tags")).to_contain_text("head")
    shot(page, output_dir, "03-moved")


def stats_charts(page: Page, explorer: Locator, output_dir: Path, names: list[str]) -> None:
    explorer.get_by_role("tab", name="Stats").click()
    for name in names:
        chart = explorer.get_by_role("figure", name=f"Chart {name}")
        expect(chart.locator("canvas, svg").first).to_be_visible(timeout=60_000)
        expect(chart.get_by_role("alert")).to_have_count(0)
    shot(page, output_dir, f"stats-{len(names)}")


def test_a_labelled_set_in_the_explorer(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    page.set_viewport_size({"width": 1500, "height": 1000})
    user = "datasetexplorer"
    home = lab_user(lab_hub, user)
    make_labelled(home / "pets", "yolo")
    wait_ready(lab_hub.url)
    log_in(page, lab_hub, user)
    panel = open_panel(page)
    new_dataset(panel, "pets", "pets")
    take(panel, "as labelled", 1)
    explorer = open_explorer(page, panel, "pets")
    filter_by_class(page, explorer, output_dir)
    preview_and_move(page, panel, explorer, output_dir)
    assert (home / "pets" / "images" / "val" / "a.png").is_file()
    assert not (home / "pets" / "images" / "train" / "a.png").exists()
    assert (home / "pets" / "labels" / "val" / "a.txt").is_file()
    stats_charts(
        page,
        explorer,
        output_dir,
        ["Images per split and class", "Image sizes", "Boxes per image", "Box areas"],
    )
    expect(explorer).to_contain_text("8 images, 11 boxes, 3 classes, splits train, val")


# -- a tables dataset: paging, sorting, filters -----------------------------------------
def write_lake(home: Path, user: str) -> None:
    """250 rows of (id, region, amount) as the table `scores` of the dataset `scores`."""
    table = pa.table(
        {
            "id": list(range(ROWS)),
            "region": [REGIONS[i % 4] for i in range(ROWS)],
            "amount": [float(i * 10 % 997) for i in range(ROWS)],
        }
    )
    store = home / ".galilean" / "datasets" / "scores"
    with TablesDataset(store, allowed_root=home) as lake:
        lake.write("scores", table, author=user, message="250 scores")


def first_cell(explorer: Locator, column: int) -> Locator:
    return (
        explorer.get_by_role("table", name="Rows")
        .locator("tbody tr")
        .first.locator("td")
        .nth(column)
    )


def page_sort_filter(page: Page, explorer: Locator, output_dir: Path) -> None:
    expect(shown(explorer)).to_have_text(f"Rows 1{DASH}100 of 250", timeout=60_000)
    explorer.get_by_role("button", name="Next").click()
    expect(shown(explorer)).to_have_text(f"Rows 101{DASH}200 of 250", timeout=30_000)
    expect(first_cell(explorer, 0)).to_have_text("100")
    explorer.get_by_role("button", name="amount").click()
    expect(explorer.locator("th[aria-sort='ascending']")).to_contain_text("amount")
    expect(shown(explorer)).to_have_text(f"Rows 1{DASH}100 of 250", timeout=30_000)
    expect(first_cell(explorer, 2)).to_have_text("0")
    explorer.get_by_role("button", name="amount ▲").click()
    expect(explorer.locator("th[aria-sort='descending']")).to_contain_text("amount")
    expect(first_cell(explorer, 2)).to_have_text("993", timeout=30_000)
    shot(page, output_dir, "10-sorted")

    filters = explorer.get_by_label("Filters")
    filters.get_by_label("Filter column").select_option("region")
    filters.get_by_label("Filter value").fill("north")
    filters.get_by_role("button", name="Add filter").click()
    expect(shown(explorer)).to_have_text(f"Rows 1{DASH}63 of 63", timeout=30_000)
    expect(filters.get_by_role("list", name="Active filters")).to_contain_text('region = "north"')
    filters.get_by_label("Filter column").select_option("amount")
    filters.get_by_label("Filter operator").select_option("<")
    filters.get_by_label("Filter value").fill("lots")
    filters.get_by_role("button", name="Add filter").click()
    expect(filters.get_by_role("alert")).to_contain_text(
        "where: a value does not suit its column", timeout=30_000
    )
    expect(filters.get_by_label("Filter value")).to_have_attribute("aria-invalid", "true")
    expect(
        filters.get_by_role("list", name="Active filters").get_by_role("listitem")
    ).to_have_count(1)
    expect(shown(explorer)).to_have_text(f"Rows 1{DASH}63 of 63")
    shot(page, output_dir, "11-filter-refused")


def test_a_tables_dataset_in_the_explorer(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    page.set_viewport_size({"width": 1500, "height": 1000})
    user = "datasettables"
    home = lab_user(lab_hub, user)
    write_lake(home, user)
    wait_ready(lab_hub.url)
    log_in(page, lab_hub, user)
    panel = open_panel(page)
    new_dataset(panel, "scores", None)
    expect(snapshot_row(panel, 1)).to_contain_text("250 scores", timeout=30_000)
    explorer = open_explorer(page, panel, "scores")
    page_sort_filter(page, explorer, output_dir)
    stats_charts(page, explorer, output_dir, ["id (BIGINT)", "region (VARCHAR)", "amount (DOUBLE)"])
    expect(explorer).to_contain_text("scores at snapshot 1: 250 rows, 3 columns")
