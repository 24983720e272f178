"""Chromium, as a new user, in the Datasets panel (issue 15, "In JupyterLab"): a folder
of a few files in the home becomes a dataset from the panel (a bad name is refused next
to the field; "Make a dataset of this folder" on the folder fills the form), a snapshot is
taken, a file changes on disk and one is added, another is taken; ticking the two lists the
added file and the changed one with both sizes; restoring the first (confirmed: the
dialog says the current head stays) brings the file's content back on disk and removes
the added one, as snapshot 3 (the head, which has no Restore); a bad tag is refused next to its
field, a good one shows on the snapshot.

A tables dataset a flow wrote (run in the designer, registered from the panel): its lineage
graph (in the main area) shows the flow version, the run and the snapshot; clicking the
snapshot selects it in the timeline, clicking the flow opens the .flow file in the designer;
cleanup keeping the last one removes the untagged older snapshot, keeps the tagged one and
says what garbage collection freed. Sampling it (a fraction over 1 refused at the Fraction
field by the service) makes a new dataset that opens, whose lineage leads back to the
source; exporting it to CSV says rows, size and seconds, the file is on disk, and a second
export offers to overwrite.
Screenshots in the test output folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

from datasets_panel import open_panel, snapshot_row, take, wait_ready
from flow_builders import document
from lab import lab_user, log_in, open_in_lab
from playwright.sync_api import Locator, Page, expect

from harness.hub import Hub

USER = "datasetkeeper"
FIRST = "one,two\n1,2\n"
SECOND = "one,two\n1,2\n3,4\n5,6\n"


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"datasets-{name}.png"))


def make_folder(home: Path) -> Path:
    folder = home / "photos"
    (folder / "val").mkdir(parents=True, exist_ok=True)
    (folder / "table.csv").write_text(FIRST)
    (folder / "readme.txt").write_text("three pictures\n")
    (folder / "val" / "1.txt").write_text("label 1\n")
    return folder


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


# -- a tables dataset a flow wrote: lineage, cleanup, sampling, export -------------------
FLOW_FOLDER = "reports"
FLOW = f"{FLOW_FOLDER}/keep_sales.flow"
REGIONS = ("north", "south", "east", "west")
ROWS = 40
RUN_TIMEOUT_MS = 120_000


def write_flow(home: Path) -> None:
    """reports/sales.csv (40 rows, 4 regions) and reports/keep_sales.flow, which keeps it
    in the tables dataset sales-history."""
    folder = home / FLOW_FOLDER
    folder.mkdir(exist_ok=True)
    lines = ["id,region,amount,score"]
    lines += [f"{i},{REGIONS[i % 4]},{i * 10},{i / ROWS}" for i in range(ROWS)]
    (folder / "sales.csv").write_text("\n".join(lines) + "\n")
    flow = document(
        [
            {"id": "sales", "kind": "source.file", "params": {"path": "sales.csv"}},
            {
                "id": "keep",
                "kind": "destination.dataset",
                "params": {"dataset": "sales-history", "table": "sales", "key": ["id"]},
            },
        ],
        [("sales", "keep")],
        name="keep sales",
    )
    (home / FLOW).write_text(json.dumps(flow, indent=2))


def run_flow(page: Page, hub: Hub, user: str) -> None:
    open_in_lab(page, hub, user, FLOW)
    expect(page.get_by_test_id("rf__node-keep")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Run the flow").click()
    expect(page.get_by_text(re.compile(r"Run of v\d+.*: succeeded"))).to_be_visible(
        timeout=RUN_TIMEOUT_MS
    )


def close_all_tabs(page: Page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="File").click()
    page.locator(".lm-Menu-itemLabel", has_text="Close All Tabs").click()
    expect(page.get_by_test_id("rf__node-keep")).to_have_count(0)


def register_tables(panel: Locator) -> None:
    """The lake the flow wrote becomes a dataset of the panel (kind: tables)."""
    panel.get_by_role("button", name="New dataset").click()
    form = panel.get_by_role("form", name="New dataset")
    form.get_by_label("Dataset kind").select_option("tables")
    expect(form.get_by_label("Dataset folder")).to_have_count(0)
    form.get_by_label("Dataset name").fill("sales-history")
    form.get_by_role("button", name="Create dataset").click()
    expect(panel.get_by_role("heading", name="sales-history")).to_be_visible(timeout=30_000)
    expect(snapshot_row(panel, 1)).to_contain_text(f"flow {FLOW} version 1", timeout=30_000)


def flow_made_dataset(page: Page, hub: Hub, user: str) -> Locator:
    write_flow(lab_user(hub, user))
    wait_ready(hub.url)
    log_in(page, hub, user)
    run_flow(page, hub, user)
    close_all_tabs(page)
    panel = open_panel(page)
    register_tables(panel)
    return panel


def lineage_click_through(page: Page, panel: Locator, output_dir: Path) -> None:
    panel.get_by_role("button", name="Lineage").click()
    graph = page.get_by_role("region", name="Lineage", exact=True)
    flow = graph.get_by_role("button", name=f"Flow version {FLOW} v1")
    expect(flow).to_be_visible(timeout=30_000)
    expect(graph.get_by_role("button", name=re.compile(r"^Run run [0-9a-f]{8}"))).to_be_visible()
    expect(graph.get_by_role("button", name="Dataset sales-history")).to_be_visible()
    graph.get_by_role("button", name="Snapshot #1").click()
    expect(snapshot_row(panel, 1)).to_have_attribute("aria-current", "true")
    expect(panel.get_by_label("Compare snapshot 1")).to_be_checked()
    shot(page, output_dir, "10-lineage")
    flow.click()
    expect(page.get_by_test_id("rf__node-keep")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("rf__node-sales")).to_be_visible()
    shot(page, output_dir, "11-lineage-opened-flow")


def cleanup(page: Page, panel: Locator, output_dir: Path) -> None:
    """Snapshots 2 and 3 by hand, 1 tagged; keeping the last one removes only 2."""
    take(panel, "marker two", 2)
    take(panel, "marker three", 3)
    row = snapshot_row(panel, 1)
    row.get_by_role("button", name="Tag snapshot 1").click()
    row.get_by_label("Tag for snapshot 1").fill("first-run")
    row.get_by_role("button", name="Add tag").click()
    expect(row.get_by_label("Tags")).to_contain_text("first-run", timeout=30_000)
    panel.get_by_role("button", name="Clean up").click()
    form = panel.get_by_role("form", name="Clean up")
    expect(form).to_contain_text("The head and tagged snapshots are always kept")
    form.get_by_role("button", name="Remove and collect").click()
    expect(form.get_by_label("Keep the last")).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Keep the last").fill("1")
    form.get_by_role("button", name="Remove and collect").click()
    report = form.get_by_role("status")
    expect(report).to_contain_text("Removed snapshot #2; kept #1, #3.", timeout=60_000)
    expect(report).to_contain_text(re.compile(r"Garbage collection removed \d+ stored object"))
    expect(snapshot_row(panel, 2)).to_have_count(0)
    expect(snapshot_row(panel, 1)).to_be_visible()
    shot(page, output_dir, "12-cleanup")


def test_a_flow_made_dataset_its_lineage_and_cleanup(
    page: Page, lab_hub: Hub, output_dir: Path
) -> None:
    page.set_viewport_size({"width": 1500, "height": 1000})
    panel = flow_made_dataset(page, lab_hub, "datasetlineage")
    lineage_click_through(page, panel, output_dir)
    cleanup(page, panel, output_dir)


def sample(page: Page, panel: Locator, output_dir: Path) -> None:
    panel.get_by_role("button", name="Sample").click()
    form = panel.get_by_role("form", name="Sample")
    form.get_by_label("Strategy").select_option("stratified")
    form.get_by_label("Table").fill("sales")
    form.get_by_label("Column").fill("region")
    form.get_by_label("Fraction").fill("2")
    form.get_by_label("New dataset name").fill("sales-sample")
    form.get_by_role("button", name="Draw sample").click()
    expect(form.get_by_label("Fraction")).to_have_attribute("aria-invalid", "true", timeout=30_000)
    expect(form).to_contain_text("params.fraction:")
    shot(page, output_dir, "20-sample-refused")
    form.get_by_label("Fraction").fill("0.5")
    form.get_by_role("button", name="Draw sample").click()
    expect(panel.get_by_role("heading", name="sales-sample")).to_be_visible(timeout=60_000)
    first = snapshot_row(panel, 1)
    expect(first).to_contain_text("stratified sample of sales-history #1, table sales")
    expect(first).to_contain_text(f"{ROWS // 2} rows")
    shot(page, output_dir, "21-sampled")
    panel.get_by_role("button", name="Lineage").click()
    graph = page.get_by_role("region", name="Lineage", exact=True)
    graph.get_by_role("button", name="Snapshot sales-history #1").click()
    expect(panel.get_by_role("heading", name="sales-history")).to_be_visible(timeout=30_000)


def export(page: Page, panel: Locator, home: Path, output_dir: Path) -> None:
    panel.get_by_role("button", name="Export").click()
    form = panel.get_by_role("form", name="Export")
    form.get_by_label("Format").select_option("csv")
    form.get_by_label("Table").fill("sales")
    form.get_by_label("Export path").fill("sales-export.csv")
    form.get_by_role("button", name="Export", exact=True).click()
    done = form.get_by_role("status")
    expect(done).to_contain_text(
        re.compile(rf"Exported {ROWS} rows, [\d.]+ (B|KiB) in [\d.]+ s to sales-export.csv"),
        timeout=60_000,
    )
    assert len((home / "sales-export.csv").read_text().splitlines()) == ROWS + 1
    shot(page, output_dir, "22-exported")
    form.get_by_role("button", name="Export", exact=True).click()
    expect(form.get_by_role("alert")).to_contain_text("sales-export.csv' exists", timeout=60_000)
    expect(form.get_by_label("Export path")).to_have_attribute("aria-invalid", "true")
    form.get_by_role("button", name="Overwrite it").click()
    expect(done).to_contain_text(f"Exported {ROWS} rows", timeout=60_000)
    expect(form.get_by_role("button", name="Overwrite it")).to_have_count(0)
    shot(page, output_dir, "23-overwritten")


def test_sample_and_export_a_flow_made_dataset(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    page.set_viewport_size({"width": 1500, "height": 1000})
    user = "datasetexporter"
    panel = flow_made_dataset(page, lab_hub, user)
    sample(page, panel, output_dir)
    export(page, panel, lab_user(lab_hub, user), output_dir)
