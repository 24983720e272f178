"""Chromium, in the pipeline designer (issue 14, "Beyond the peers"): a click on a column's
header in a node's preview shows on the canvas where the column comes from (the source
node, the aggregate that derives it, the nodes it passes), with a badge naming the column
at each; Escape and "Clear lineage" take it off. "Show as code" shows the SQL the engine
runs for the selected node and for the whole flow. Screenshots in the test output folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lab import lab_user, log_in, open_in_lab
from playwright.sync_api import Locator, Page, expect

from harness.hub import REPO, Hub

USER = "flowlineage"
EXAMPLES = REPO / "extensions" / "galilean_server" / "examples" / "flows"
FLOW = "sales_by_region.flow"
NODES = ("orders", "big_orders", "per_region", "biggest_first", "show")
LINEAGE = re.compile("jp-mod-flow-lineage-")


def node(page: Page, node_id: str) -> Locator:
    """The node's box on the canvas (xyflow's wrapper found by its test id)."""
    return page.get_by_test_id(f"rf__node-{node_id}").locator(".jp-GalileanFlow-node")


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"flow-lineage-{name}.png"))


def preview(page: Page, node_id: str) -> Locator:
    node(page, node_id).locator(".jp-GalileanFlow-nodeTitle").click()
    page.get_by_role("button", name=f"Preview {node_id}").click()
    grid = page.get_by_role("table", name=f"Preview of {node_id}")
    expect(grid.locator("tbody tr").first).to_be_visible(timeout=30_000)
    return grid


def trace_revenue(page: Page) -> None:
    """revenue of biggest_first: from orders' amount, filtered, derived by per_region."""
    grid = preview(page, "biggest_first")
    grid.get_by_role("button", name="Show where revenue comes from").click()
    expect(node(page, "orders")).to_have_class(
        re.compile("jp-mod-flow-lineage-source"), timeout=30_000
    )
    expect(node(page, "orders").locator(".jp-GalileanFlow-badge")).to_have_text(
        "amount: from source"
    )
    expect(node(page, "per_region")).to_have_class(re.compile("jp-mod-flow-lineage-changes"))
    expect(node(page, "per_region").locator(".jp-GalileanFlow-badge")).to_have_text(
        "revenue: derived"
    )
    expect(node(page, "big_orders")).to_have_class(re.compile("jp-mod-flow-lineage-changes"))
    expect(node(page, "biggest_first")).to_have_class(re.compile("jp-mod-flow-lineage-passes"))
    expect(page.get_by_role("status", name="Lineage", exact=True)).to_have_text(
        "biggest_first.revenue comes from orders.amount; changed by big_orders, per_region"
    )


def cleared(page: Page) -> None:
    for node_id in NODES:
        expect(node(page, node_id)).not_to_have_class(LINEAGE)
    expect(page.get_by_role("button", name="Clear lineage")).to_have_count(0)


def show_as_code(page: Page) -> None:
    """The selected node's SQL (its aggregate inside), then the whole flow's."""
    node(page, "per_region").locator(".jp-GalileanFlow-nodeTitle").click()
    page.get_by_role("button", name="Show as code").click()
    panel = page.get_by_role("region", name="Show as code")
    sql = panel.locator(".jp-GalileanFlow-sql")
    expect(panel.get_by_text("SQL of per_region")).to_be_visible()
    expect(sql).to_contain_text("-- per_region (transform.aggregate)", timeout=30_000)
    expect(sql).to_contain_text('SUM("amount") AS "revenue"')
    expect(panel.get_by_role("button", name="Copy the SQL")).to_be_enabled()
    panel.get_by_label("Whole flow").check()
    expect(sql).to_contain_text("-- show (destination.display)", timeout=30_000)


def test_a_columns_lineage_and_the_flow_as_code(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    shutil.copy(EXAMPLES / FLOW, home / FLOW)
    shutil.copy(EXAMPLES / "sales.csv", home / "sales.csv")
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, FLOW)
    for node_id in NODES:
        expect(node(page, node_id)).to_be_visible(timeout=30_000)

    trace_revenue(page)
    shot(page, output_dir, "01-revenue-traced")
    page.keyboard.press("Escape")
    cleared(page)

    trace_revenue(page)
    page.get_by_role("button", name="Clear lineage").click()
    cleared(page)

    show_as_code(page)
    shot(page, output_dir, "02-show-as-code")
