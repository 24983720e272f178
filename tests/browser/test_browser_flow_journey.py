"""Chromium, as a new user, the designer's whole journey (issue 14): New → Flow from the
launcher opens an empty canvas; seven nodes of six kinds (two file sources, a filter
using a flow parameter, a join on its left and right ports, an aggregation, a sort and a
display) are dragged from the palette's search results onto the canvas; the canvas,
panned away, shows them all again after Auto-layout; they are connected by dragging
ports; their forms are filled through their labelled controls; a typo in the
aggregation's column shows a problem on that node, which the fix clears; the file saved
is the flow the engine parses. Then preview, run (a count on every node, the run's
logs), publish and call the endpoint with a hub token, diff two versions and restore the
first, copy and paste two connected nodes with Ctrl+C / Ctrl+V (new ids, the edge between
them kept, none from outside) and undo / redo the paste.
Screenshots in the test output folder (flow-journey-*.png)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
import requests
from designer_page import (
    EXAMPLES,
    edge,
    every_node_in_view,
    node,
    nodes,
    select,
    side_panel,
    toolbar,
)
from flows_api import wait_ready
from lab import lab_user, log_in, save_notebook
from playwright.sync_api import Locator, Page, expect

from conftest import PASSWORD
from galilean_services.flows import parse_flow
from harness.client import HubClient
from harness.hub import Hub

USER = "flowjourney"
ENDPOINT = "segments"
FLOW = "untitled.flow"
# What each palette search finds and drops where on the canvas (from its top left), in
# order; the ids come from the kinds.
ADDED = (
    ("file", "File", "source.file", "file", (20, 30)),
    ("file", "File", "source.file", "file_2", (20, 230)),
    ("filter", "Filter rows", "transform.filter", "filter", (210, 230)),
    ("join", "Join", "transform.join", "join", (400, 30)),
    ("aggregate", "Group and aggregate", "transform.aggregate", "aggregate", (590, 30)),
    ("sort", "Sort rows", "transform.sort", "sort", (400, 400)),
    ("display", "Display (the result returned)", "destination.display", "display", (590, 400)),
)
# (source, target, target's input port): orders on the join's left, customers filtered
# by country on its right.
WIRES = (
    ("file", "join", "left"),
    ("file_2", "filter", "in"),
    ("filter", "join", "right"),
    ("join", "aggregate", "in"),
    ("aggregate", "sort", "in"),
    ("sort", "display", "in"),
)
TYPO = "column 'amout' does not exist upstream"
RUN_TIMEOUT_MS = 90_000
COUNT = re.compile(r"^\d[\d,]* rows?$")


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"flow-journey-{name}.png"))


def new_flow_from_the_launcher(page: Page) -> None:
    page.get_by_role("button", name="Flow", exact=True).click()
    expect(page.get_by_role("tab", name=FLOW)).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Add Join (transform.join)")).to_be_visible(
        timeout=30_000
    )
    expect(nodes(page)).to_have_count(0)
    expect(side_panel(page)).to_contain_text("Select a node to edit its parameters.")


def drag_the_kinds_in(page: Page) -> None:
    """Search the palette for each kind and drag the result onto the canvas: each
    node stays where it was dropped (the view does not move). Panned away, the flow
    is out of view: Auto-layout sets the nodes apart and shows them all."""
    search = page.get_by_label("Search node kinds")
    canvas = page.get_by_test_id("rf__wrapper")
    for index, (query, title, kind, node_id, (x, y)) in enumerate(ADDED):
        search.fill(query)
        item = page.get_by_role("button", name=f"Add {title} ({kind})")
        item.drag_to(canvas, target_position={"x": x, "y": y})
        expect(nodes(page)).to_have_count(index + 1)
        expect(node(page, node_id)).to_contain_text(title)
    search.fill("")
    pan_away(page)
    page.get_by_role("button", name="Auto-layout").click()
    every_node_in_view(page)


def pan_away(page: Page) -> None:
    """Drag the empty canvas from its top left corner far down and right: the flow
    goes (partly) out of view, and the canvas no longer fits it by itself."""
    frame = page.get_by_test_id("rf__wrapper").bounding_box()
    assert frame is not None
    for _ in range(2):  # nodes stay where dropped: twice is far enough for all of them
        page.mouse.move(frame["x"] + 8, frame["y"] + 8)
        page.mouse.down()
        page.mouse.move(frame["x"] + 500, frame["y"] + 400, steps=10)
        page.mouse.up()
    expect(node(page, "file")).not_to_be_in_viewport()


def wire(page: Page) -> None:
    """Drag from each output port to its input port; then lay the flow out."""
    for source, target, port in WIRES:
        output = node(page, source).get_by_label("output out")
        output.drag_to(node(page, target).get_by_label(f"input {port}"))
        expect(edge(page, source, target)).to_have_count(1)
    page.get_by_role("button", name="Auto-layout").click()
    every_node_in_view(page)


def add_parameter(page: Page) -> None:
    """Toolbar Parameters → Add a parameter: country, a string, NL by default."""
    toolbar(page, "Parameters").click()
    panel = page.get_by_role("complementary", name="Parameters", exact=True)
    panel.get_by_role("button", name="Add a parameter").click()
    form = panel.get_by_role("form", name="New parameter")
    form.get_by_role("textbox", name="Name").fill("country")
    form.get_by_role("combobox", name="Type").select_option("string")
    form.get_by_role("textbox", name="Default").fill("NL")
    form.get_by_role("button", name="Add").click()
    expect(panel.get_by_role("listitem", name="Parameter country")).to_be_visible()
    toolbar(page, "Parameters").click()
    expect(panel).to_have_count(0)


def offered(side: Locator, picker: Locator) -> list[str]:
    """The columns a column picker offers (its datalist)."""
    listed = picker.get_attribute("list")
    assert listed, "a column picker without a list"
    options = side.locator(f"datalist[id='{listed}'] option")
    expect(options.first).to_be_attached(timeout=10_000)
    return list(options.evaluate_all("os => os.map(o => o.value)"))


def fill_sources_and_filter(page: Page) -> None:
    side = select(page, "file")
    side.get_by_role("textbox", name="path").fill("sales.csv")
    side = select(page, "file_2")
    side.get_by_role("textbox", name="path").fill("customers.csv")
    side = select(page, "filter")
    condition = side.get_by_role("textbox", name="condition")
    condition.click()
    page.keyboard.type("country = ")
    side.get_by_label("Insert a parameter into condition").select_option("country")
    expect(condition).to_have_text("country = :country")


def fill_join(page: Page) -> None:
    """Inner join on customer_id, picked from the columns reaching each side."""
    side = select(page, "join")
    side.get_by_role("combobox", name="how").select_option("inner")
    left = side.get_by_role("combobox", name="left")
    right = side.get_by_role("combobox", name="right")
    assert "amount" in offered(side, left)
    assert "segment" in offered(side, right)
    assert "amount" not in offered(side, right)
    left.fill("customer_id")
    right.fill("customer_id")


def fill_aggregate_with_a_typo(page: Page, output_dir: Path) -> None:
    """Revenue per segment, the summed column mistyped: the problem is on this node."""
    side = select(page, "aggregate")
    # Each list's add button is named after its list (screen readers tell them apart).
    expect(
        side.get_by_role("button", name=re.compile(r"^Add to aggregations$", re.I))
    ).to_be_visible()
    side.get_by_role("button", name=re.compile(r"^Add to group.by$", re.I)).click()
    group = side.get_by_role("combobox", name=re.compile("group_by"))
    assert "segment" in offered(side, group)
    group.fill("segment")
    side.get_by_role("combobox", name="column").fill("amout")
    side.get_by_role("combobox", name="function").select_option("sum")
    side.get_by_role("textbox", name="as").fill("revenue")
    problem = page.get_by_role("region", name="Problems").get_by_role(
        "button", name=re.compile(f"^aggregate: .*{TYPO}")
    )
    expect(problem).to_be_visible(timeout=10_000)
    box = node(page, "aggregate").locator(".jp-GalileanFlow-node")
    expect(box).to_have_class(re.compile("jp-mod-problem"))
    expect(box).to_have_attribute("title", re.compile(TYPO))
    shot(page, output_dir, "04-typo-on-its-node")
    side.get_by_role("combobox", name="column").fill("amount")
    expect(problem).to_have_count(0, timeout=10_000)
    expect(box).not_to_have_class(re.compile("jp-mod-problem"))


def fill_sort(page: Page) -> None:
    side = select(page, "sort")
    key = side.get_by_role("combobox", name="column")
    assert offered(side, key) == ["segment", "revenue"]
    key.fill("revenue")
    side.get_by_role("checkbox", name="descending").check()
    expect(page.get_by_role("region", name="Problems")).to_have_count(0, timeout=10_000)


def saved_flow_is_the_drawn_one(page: Page, home: Path) -> None:
    saved = save_notebook(page, home / FLOW)
    flow = parse_flow(json.dumps(saved), FLOW)
    assert [(n.id, n.kind) for n in flow.nodes] == [(a[3], a[2]) for a in ADDED]
    wires = [(e.source, e.target, e.target_port) for e in flow.edges]
    assert sorted(wires) == sorted(WIRES)
    assert [p.name for p in flow.parameters] == ["country"]
    params = {n.id: n.params for n in flow.nodes}
    assert params["filter"] == {"condition": "country = :country"}
    assert params["join"] == {
        "how": "inner",
        "on": [{"left": "customer_id", "right": "customer_id"}],
    }
    assert params["aggregate"] == {
        "group_by": ["segment"],
        "aggregations": [{"column": "amount", "function": "sum", "as": "revenue"}],
    }
    assert params["sort"] == {"keys": [{"column": "revenue", "descending": True}]}


def preview_and_run(page: Page, output_dir: Path) -> None:
    """Preview the sort (its rows and columns under the canvas), then Run: every node
    gets its row count; the run history lists the run, and choosing it shows its logs."""
    select(page, "sort")
    page.get_by_role("button", name="Preview sort").click()
    grid = page.get_by_role("table", name="Preview of sort")
    expect(grid.get_by_role("columnheader", name=re.compile("^revenue"))).to_be_visible(
        timeout=30_000
    )
    expect(grid.locator("tbody tr")).to_have_count(len(segments("NL")))
    shot(page, output_dir, "06-preview")
    page.get_by_role("button", name="Run the flow").click()
    for *_, node_id, _ in ADDED:
        badge = node(page, node_id).locator(".jp-GalileanFlow-badge")
        expect(badge).to_have_text(COUNT, timeout=RUN_TIMEOUT_MS)
    status = page.get_by_text(re.compile(r"^Run of v\d+( \(saved as a new version\))?: succeeded$"))
    expect(status).to_be_visible()
    history = page.get_by_role("table", name="Run history")
    first = history.locator("tbody tr").first
    expect(first).to_contain_text("succeeded", timeout=30_000)
    first.click()
    expect(page.get_by_label("Run logs")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("table", name="Output display").locator("tbody tr")).to_have_count(
        len(segments("NL"))
    )
    shot(page, output_dir, "07-run-counts-logs")


def segments(country: str) -> dict[str, float]:
    """Revenue per segment of the orders of `country`'s customers, from the CSV files
    by hand: what the flow must answer."""
    with (EXAMPLES / "customers.csv").open() as file:
        segment = {
            r["customer_id"]: r["segment"] for r in csv.DictReader(file) if r["country"] == country
        }
    revenue: dict[str, float] = {}
    with (EXAMPLES / "sales.csv").open() as file:
        for order in csv.DictReader(file):
            if order["customer_id"] in segment:
                name = segment[order["customer_id"]]
                revenue[name] = revenue.get(name, 0.0) + float(order["amount"])
    return revenue


def publish(page: Page, output_dir: Path) -> tuple[str, int]:
    """Publish as ENDPOINT, country settable by the caller (a change of the flow's
    parameter, so a new version); the URL shown and the version served."""
    toolbar(page, "Publish").click()
    form = page.get_by_role("complementary", name="Publish", exact=True)
    form.get_by_label("Endpoint name").fill(ENDPOINT)
    form.get_by_label("Callers may set country").check()
    form.get_by_role("button", name="Publish", exact=True).click()
    curl = form.get_by_label("curl example")
    expect(curl).to_contain_text("Authorization: token <token>", timeout=30_000)
    shot(page, output_dir, "08-published")
    url = form.locator(".jp-GalileanFlow-publishUrl").inner_text()
    serving = form.get_by_text(re.compile(r"^Serving version \d+ to callers with a token"))
    version = int(re.findall(r"\d+", serving.inner_text())[0])
    toolbar(page, "Publish").click()
    expect(form).to_have_count(0)
    return url, version


def call_with_a_token(hub: Hub, url: str, country: str) -> dict[str, float]:
    """GET the endpoint with the user's hub API token; revenue per segment it answers."""
    client = HubClient(hub.url)
    logged_in, error = client.login(USER, PASSWORD)
    assert logged_in, error
    token = client.new_token()
    reply = requests.get(
        url, params={"country": country}, headers={"Authorization": f"token {token}"}, timeout=60
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    rows = body["results"]["display"]["rows"]
    assert [r["revenue"] for r in rows] == sorted((r["revenue"] for r in rows), reverse=True)
    return {r["segment"]: r["revenue"] for r in rows}


def toolbar_version(page: Page, message: str, answer: str) -> None:
    toolbar(page, "Save version").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_role("textbox").fill(message)
    dialog.get_by_role("button", name="Save version").click()
    expect(page.get_by_text(answer)).to_be_visible(timeout=30_000)


def diff_and_restore(page: Page, home: Path, run: int, output_dir: Path) -> None:
    """Sort ascending, saved as the next version; the versions panel shows the sort
    changed between version `run` (the published one) and that one; restoring `run`
    brings the descending sort back into the document."""
    side = select(page, "sort")
    side.get_by_role("checkbox", name="descending").uncheck()
    toolbar_version(page, "smallest first", f"Saved as version {run + 1}")
    toolbar(page, "Versions").click()
    versions = page.get_by_role("complementary", name="Versions", exact=True)
    versions.get_by_label(f"Compare version {run}", exact=True).check()
    versions.get_by_label(f"Compare version {run + 1}", exact=True).check()
    diff = versions.get_by_role("region", name=f"Changes from version {run} to version {run + 1}")
    expect(diff.get_by_label("changed node sort")).to_be_visible(timeout=30_000)
    expect(diff.get_by_label("changed node join")).to_have_count(0)
    shot(page, output_dir, "09-diff")
    versions.get_by_role("button", name=f"Restore version {run}", exact=True).click()
    restored = f"Version {run} restored as v{run + 2}"
    expect(versions.get_by_text(restored)).to_be_visible(timeout=30_000)
    toolbar(page, "Versions").click()
    expect(select(page, "sort").get_by_role("checkbox", name="descending")).to_be_checked()
    saved = save_notebook(page, home / FLOW)
    keys = next(n for n in saved["nodes"] if n["id"] == "sort")["params"]["keys"]
    assert keys == [{"column": "revenue", "descending": True}]


def copy_and_paste(page: Page, output_dir: Path) -> None:
    """Select file_2 and filter, Ctrl+C, Ctrl+V: two new nodes under new ids with the
    edge between them, none to the join; Ctrl+Z takes the paste back, Ctrl+Shift+Z
    brings it again."""
    select(page, "file_2")
    node(page, "filter").locator(".jp-GalileanFlow-nodeTitle").click(modifiers=["Control"])
    expect(side_panel(page)).to_contain_text("2 nodes selected.")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(nodes(page)).to_have_count(len(ADDED) + 2)
    expect(node(page, "file_3")).to_contain_text("File")
    expect(node(page, "filter_2")).to_contain_text("Filter rows")
    expect(edge(page, "file_3", "filter_2")).to_have_count(1)
    expect(page.locator(".react-flow__edge")).to_have_count(len(WIRES) + 1)
    shot(page, output_dir, "10-pasted")
    page.keyboard.press("Control+z")
    expect(nodes(page)).to_have_count(len(ADDED))
    page.keyboard.press("Control+Shift+z")
    expect(nodes(page)).to_have_count(len(ADDED) + 2)
    expect(edge(page, "file_3", "filter_2")).to_have_count(1)


def pasted_into_the_file(page: Page, home: Path) -> None:
    flow = parse_flow(json.dumps(save_notebook(page, home / FLOW)), FLOW)
    params = {n.id: n.params for n in flow.nodes}
    assert params["file_3"] == {"path": "customers.csv"}
    assert params["filter_2"] == {"condition": "country = :country"}
    into = [(e.source, e.target) for e in flow.edges if "file_3" in (e.source, e.target)]
    assert into == [("file_3", "filter_2")]
    assert not [e for e in flow.edges if e.source == "filter_2"]


def test_journey(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    page.set_viewport_size({"width": 1600, "height": 1000})
    home = lab_user(lab_hub, USER)
    for data in ("sales.csv", "customers.csv"):
        shutil.copy(EXAMPLES / data, home / data)
    (home / FLOW).unlink(missing_ok=True)
    wait_ready(lab_hub.url)  # the flows service runs, versions and publishes
    log_in(page, lab_hub, USER)
    new_flow_from_the_launcher(page)
    shot(page, output_dir, "01-empty")
    drag_the_kinds_in(page)
    shot(page, output_dir, "02-dropped")
    wire(page)
    shot(page, output_dir, "03-wired")
    add_parameter(page)
    fill_sources_and_filter(page)
    fill_join(page)
    fill_aggregate_with_a_typo(page, output_dir)
    fill_sort(page)
    shot(page, output_dir, "05-filled")
    saved_flow_is_the_drawn_one(page, home)

    preview_and_run(page, output_dir)
    url, published = publish(page, output_dir)
    for country in ("NL", "DE"):
        answered = call_with_a_token(lab_hub, url, country)
        assert answered == pytest.approx(segments(country)), country
    diff_and_restore(page, home, published, output_dir)
    copy_and_paste(page, output_dir)
    pasted_into_the_file(page, home)
