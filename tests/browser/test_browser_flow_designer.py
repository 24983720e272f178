"""Chromium, as a new user, in the pipeline designer (issue 14): an example flow opened
from the file browser shows every node and edge; a node added from the palette and
connected with the mouse is saved (Ctrl+S) into a file the engine parses; a filter made
to name a missing column shows the problem in the list and on the node, and a click on
the problem selects that node; Ctrl+Z takes the edits back one by one and Ctrl+Shift+Z
redoes them. Screenshots in the test output folder.

Two tests keep bugs found here fixed: selecting a node whose params schema has defaults
leaves the file alone, and after going to a problem the keys still act on the flow."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from lab import lab_user, log_in, open_in_lab, save_notebook
from playwright.sync_api import Locator, Page, Position, expect

from galilean_services.flows import parse_flow
from harness.hub import REPO, Hub

USER = "flowdesigner"
EXAMPLES = REPO / "extensions" / "galilean_server" / "examples" / "flows"
FLOW = "sales_by_region.flow"
NODES = ("orders", "big_orders", "per_region", "biggest_first", "show")
EDGES = (
    ("orders", "big_orders"),
    ("big_orders", "per_region"),
    ("per_region", "biggest_first"),
    ("biggest_first", "show"),
)
MISSING = "column 'nosuch' does not exist upstream"


def copy_example(home: Path, name: str) -> None:
    """The example flow as `name` in the home folder, with the data file it reads."""
    shutil.copy(EXAMPLES / FLOW, home / name)
    shutil.copy(EXAMPLES / "sales.csv", home / "sales.csv")


def node(page: Page, node_id: str) -> Locator:
    """A node on the canvas. xyflow gives a node the role "group" but no accessible name
    (the designer sets no ariaLabel), so it is found by xyflow's test id."""
    return page.get_by_test_id(f"rf__node-{node_id}")


def edge(page: Page, source: str, target: str) -> Locator:
    return page.get_by_role("group", name=f"Edge from {source} to {target}")


def nodes(page: Page) -> Locator:
    return page.locator(".jp-GalileanFlow .react-flow__node")


def condition_field(side: Locator) -> Locator:
    """The filter's one field: a SQL editor (CodeMirror) named after it."""
    expect(side.get_by_text("condition", exact=True)).to_be_visible()
    return side.get_by_role("textbox", name="condition")


def canvas_pane(page: Page) -> Locator:
    return page.get_by_test_id("rf__wrapper").locator(".react-flow__pane")


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"flow-designer-{name}.png"))


def open_example(page: Page, home: Path) -> None:
    """Double-click the flow in the file browser; the designer draws it."""
    listing = page.locator(".jp-DirListing-content")
    item = listing.locator(".jp-DirListing-item", has_text=FLOW)
    expect(item).to_be_visible(timeout=30_000)
    item.dblclick()
    expect(page.get_by_role("tab", name=FLOW)).to_be_visible(timeout=30_000)
    for node_id in NODES:
        expect(node(page, node_id)).to_be_visible(timeout=30_000)
        expect(node(page, node_id)).to_contain_text(node_id)
    expect(nodes(page)).to_have_count(len(NODES))
    for source, target in EDGES:
        expect(edge(page, source, target)).to_have_count(1)
    expect(page.get_by_role("region", name="Problems")).to_have_count(0)


def add_and_connect_sort(page: Page) -> None:
    """Search the palette for "sort", drag it onto the canvas above the last transform
    (it stays where it is dropped), and connect biggest_first's output to its input."""
    page.get_by_label("Search node kinds").fill("sort")
    kind = page.get_by_role("button", name="Add Sort rows (transform.sort)")
    expect(kind).to_be_visible()
    expect(page.get_by_role("button", name="Add Filter rows (transform.filter)")).to_have_count(0)
    anchor = node(page, "biggest_first").bounding_box()
    canvas = page.get_by_test_id("rf__wrapper")
    frame = canvas.bounding_box()
    assert anchor is not None
    assert frame is not None
    drop: Position = {
        "x": anchor["x"] - frame["x"],
        "y": anchor["y"] - frame["y"] - 2 * anchor["height"],
    }
    kind.drag_to(canvas, target_position=drop)
    expect(nodes(page)).to_have_count(len(NODES) + 1)
    added = node(page, "sort")
    expect(added).to_be_visible()
    expect(added).to_contain_text("Sort rows")
    # The text model's undo joins edits less than 0.5 s apart into one step (Yjs's
    # captureTimeout); a user connects later than that, and so does this test.
    page.wait_for_timeout(700)
    output = node(page, "biggest_first").get_by_label("output out")
    output.drag_to(added.get_by_label("input in"))
    expect(edge(page, "biggest_first", "sort")).to_have_count(1)
    # Not checked: the tab's dirty mark. jupyter-collaboration saves the shared document
    # about a second after an edit, which clears it; under CI load the mark came and went
    # between two of Playwright's polls (seen once). The saved file is checked instead.


def plant_missing_column(page: Page) -> None:
    """Select the filter and make its condition name a column sales.csv lacks."""
    node(page, "big_orders").locator(".jp-GalileanFlow-nodeTitle").click()
    expect(node(page, "big_orders")).to_have_class(re.compile(r"\bselected\b"))
    side = page.get_by_role("complementary", name="Node parameters")
    expect(side).to_contain_text("Filter rows")
    condition = condition_field(side)
    expect(condition).to_have_text("amount >= :min_amount")
    condition.fill("nosuch >= 1")
    problems = page.get_by_role("region", name="Problems")
    problem = problems.get_by_role("button", name=f"big_orders: {MISSING}")
    expect(problem).to_be_visible(timeout=10_000)
    box = node(page, "big_orders").locator(".jp-GalileanFlow-node")
    expect(box).to_have_class(re.compile("jp-mod-problem"))
    expect(box).to_have_attribute("title", re.compile(MISSING))


def go_to_problem(page: Page) -> None:
    """Select another node, then click the filter's problem: the filter is selected.
    The other node is `show`, whose params have no schema defaults: selecting one that
    has them edits the document (test_selecting_a_node_leaves_the_file_alone)."""
    node(page, "show").locator(".jp-GalileanFlow-nodeTitle").click()
    expect(node(page, "show")).to_have_class(re.compile(r"\bselected\b"))
    expect(node(page, "big_orders")).not_to_have_class(re.compile(r"\bselected\b"))
    problems = page.get_by_role("region", name="Problems")
    problems.get_by_role("button", name=f"big_orders: {MISSING}").click()
    expect(node(page, "big_orders")).to_have_class(re.compile(r"\bselected\b"))
    expect(node(page, "show")).not_to_have_class(re.compile(r"\bselected\b"))
    side = page.get_by_role("complementary", name="Node parameters")
    expect(condition_field(side)).to_have_text("nosuch >= 1")


def undo_redo(page: Page) -> None:
    """Ctrl+Z takes back the condition, the edge, then the added node; Ctrl+Shift+Z
    brings the node back."""
    problems = page.get_by_role("region", name="Problems")
    page.keyboard.press("Control+z")
    expect(problems.get_by_text(MISSING)).to_have_count(0, timeout=10_000)
    # The problem's button had the focus and is gone: the focus went to the palette's
    # search box (test_undo_twice_after_going_to_a_problem), so click the canvas first.
    canvas_pane(page).click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+z")
    expect(edge(page, "biggest_first", "sort")).to_have_count(0)
    expect(nodes(page)).to_have_count(len(NODES) + 1)
    page.keyboard.press("Control+z")
    expect(nodes(page)).to_have_count(len(NODES))
    page.keyboard.press("Control+Shift+z")
    expect(nodes(page)).to_have_count(len(NODES) + 1)
    expect(node(page, "sort")).to_be_visible()


def test_designer_from_a_new_users_seat(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    copy_example(home, FLOW)
    log_in(page, lab_hub, USER)

    open_example(page, home)
    shot(page, output_dir, "01-opened")

    add_and_connect_sort(page)
    shot(page, output_dir, "02-sort-added-and-connected")
    saved = save_notebook(page, home / FLOW)
    flow = parse_flow(json.dumps(saved), FLOW)
    assert [n.id for n in flow.nodes] == [*NODES, "sort"]
    assert next(n for n in flow.nodes if n.id == "sort").kind == "transform.sort"
    pairs = [(e.source, e.target) for e in flow.edges]
    assert pairs == [*EDGES, ("biggest_first", "sort")]
    expect(page.get_by_role("tab", name=FLOW)).not_to_have_class(re.compile("jp-mod-dirty"))

    plant_missing_column(page)
    shot(page, output_dir, "03-problem-shown")
    go_to_problem(page)
    shot(page, output_dir, "04-problem-selects-node")

    undo_redo(page)
    shot(page, output_dir, "05-undo-redo")


def test_selecting_a_node_leaves_the_file_alone(page: Page, lab_hub: Hub) -> None:
    home = lab_user(lab_hub, USER)
    copy_example(home, "untouched.flow")
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, "untouched.flow")
    tab = page.get_by_role("tab", name="untouched.flow")
    expect(node(page, "orders")).to_be_visible(timeout=30_000)
    expect(tab).not_to_have_class(re.compile("jp-mod-dirty"))
    node(page, "orders").locator(".jp-GalileanFlow-nodeTitle").click()
    side = page.get_by_role("complementary", name="Node parameters")
    expect(side).to_contain_text("File")
    page.wait_for_timeout(1000)  # the form's first change comes right after it mounts
    expect(tab).not_to_have_class(re.compile("jp-mod-dirty"), timeout=1)


def test_undo_twice_after_going_to_a_problem(page: Page, lab_hub: Hub) -> None:
    home = lab_user(lab_hub, USER)
    copy_example(home, "refocus.flow")
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, "refocus.flow")
    expect(node(page, "orders")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Add Sort rows (transform.sort)").click()
    expect(nodes(page)).to_have_count(len(NODES) + 1)
    page.wait_for_timeout(700)  # a separate undo step (see add_and_connect_sort)
    plant_missing_column(page)
    page.get_by_role("button", name=f"big_orders: {MISSING}").click()
    page.keyboard.press("Control+z")
    expect(page.get_by_text(MISSING)).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(nodes(page)).to_have_count(len(NODES))


def test_the_form_offers_columns_and_completes_sql(
    page: Page, lab_hub: Hub, output_dir: Path
) -> None:
    """The sort's key picker offers the columns coming out of the aggregation; typing in
    the filter's condition completes a column of sales.csv; a parameter is inserted at
    the cursor as `:name`; the file gets what was picked and typed."""
    home = lab_user(lab_hub, USER)
    copy_example(home, "fields.flow")
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, "fields.flow")
    expect(node(page, "biggest_first")).to_be_visible(timeout=30_000)
    side = page.get_by_role("complementary", name="Node parameters")

    node(page, "biggest_first").locator(".jp-GalileanFlow-nodeTitle").click()
    key = side.get_by_role("combobox", name=re.compile("column"))
    expect(key).to_have_value("revenue")
    options = side.locator("datalist option")
    expect(options).to_have_count(4, timeout=10_000)
    offered = options.evaluate_all("os => os.map(o => o.value)")
    assert offered == ["region", "revenue", "orders", "average_order"]
    key.fill("region")

    node(page, "big_orders").locator(".jp-GalileanFlow-nodeTitle").click()
    condition = condition_field(side)
    condition.click()
    page.keyboard.press("End")
    page.keyboard.type(" AND regi")
    completions = page.locator(".cm-tooltip-autocomplete")
    expect(completions).to_contain_text("region")
    shot(page, output_dir, "06-sql-completion")
    page.keyboard.press("Enter")
    expect(condition).to_have_text("amount >= :min_amount AND region")
    page.keyboard.type(" <> 'x' OR amount >")
    side.get_by_label("Insert a parameter into condition").select_option("min_amount")
    expect(condition).to_have_text(
        "amount >= :min_amount AND region <> 'x' OR amount > :min_amount"
    )
    shot(page, output_dir, "07-parameter-inserted")
    saved = save_notebook(page, home / "fields.flow")
    params = {n["id"]: n["params"] for n in saved["nodes"]}
    assert params["biggest_first"]["keys"][0]["column"] == "region"
    assert params["big_orders"]["condition"] == (
        "amount >= :min_amount AND region <> 'x' OR amount > :min_amount"
    )
