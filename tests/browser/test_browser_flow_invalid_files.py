"""Chromium, in the pipeline designer (issue 14): a file that is not a flow opens with
its problems shown, never as a blank canvas. Bad JSON, or JSON of the wrong shape: the
designer says what is wrong and where (no canvas; the document stays clean and the file
unchanged). A flow with a kind the server does not know: drawn, the problem outlined on
that node and listed, a click on it selects the node, whose panel says the kind is
unknown. Screenshots in the test output folder (flow-invalid-*.png)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from designer_page import EXAMPLES, edge, every_node_in_view, node, side_panel
from lab import lab_user, log_in, open_in_lab
from playwright.sync_api import Page, expect

from harness.hub import Hub

USER = "flowinvalid"


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"flow-invalid-{name}.png"))


BAD_JSON = '{"galilean_flow": 1, "name": "half", "nodes": [\n  {"id": "a", "kind": '
NOT_A_LIST = '{"galilean_flow": 1, "name": "odd", "nodes": "none", "edges": []}'
UNKNOWN_KIND = {
    "galilean_flow": 1,
    "name": "with a stranger",
    "nodes": [
        {"id": "orders", "kind": "source.file", "params": {"path": "sales.csv"}},
        {"id": "mystery", "kind": "transform.nosuch", "params": {"x": 1}},
        {"id": "show", "kind": "destination.display", "params": {}},
    ],
    "edges": [
        {"id": "e1", "from": {"node": "orders"}, "to": {"node": "mystery"}},
        {"id": "e2", "from": {"node": "mystery"}, "to": {"node": "show"}},
    ],
}


def not_a_flow(page: Page, hub: Hub, name: str, said: re.Pattern[str]) -> None:
    """`name` opens as the designer's explanation (no canvas), `said` in it; the
    document stays clean."""
    open_in_lab(page, hub, USER, name)
    alert = page.get_by_role("alert").filter(has_text="not a flow the designer can draw")
    expect(alert).to_be_visible(timeout=30_000)
    expect(alert).to_contain_text(said)
    expect(alert).to_contain_text("Nothing was changed in the file.")
    expect(page.get_by_test_id("rf__wrapper")).to_have_count(0)
    expect(page.get_by_role("tab", name=name)).not_to_have_class(re.compile("jp-mod-dirty"))


def unknown_kind_on_its_node(page: Page, hub: Hub) -> None:
    """The flow is drawn; the stranger is outlined with the problem, listed, and a
    click on the problem selects it, whose panel says the kind is unknown."""
    open_in_lab(page, hub, USER, "stranger.flow")
    for node_id in ("orders", "mystery", "show"):
        expect(node(page, node_id)).to_be_visible(timeout=30_000)
    expect(edge(page, "orders", "mystery")).to_have_count(1)
    expect(edge(page, "mystery", "show")).to_have_count(1)
    message = "unknown node kind 'transform.nosuch'"
    problems = page.get_by_role("region", name="Problems")
    problem = problems.get_by_role("button", name=f"mystery: {message}")
    expect(problem).to_be_visible(timeout=10_000)
    expect(problems.get_by_role("button")).to_have_count(1)
    box = node(page, "mystery").locator(".jp-GalileanFlow-node")
    expect(box).to_have_class(re.compile("jp-mod-problem"))
    expect(box).to_have_attribute("title", re.compile(message))
    problem.click()
    expect(node(page, "mystery")).to_have_class(re.compile(r"\bselected\b"))
    expect(side_panel(page)).to_contain_text(
        'The server does not know the kind "transform.nosuch".'
    )


def test_an_invalid_file_shows_its_problems(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    """Bad JSON: the designer says why, where, and that nothing was changed; a flow with
    a kind the server does not know: drawn, with the problem on that node."""
    home = lab_user(lab_hub, USER)
    shutil.copy(EXAMPLES / "sales.csv", home / "sales.csv")
    (home / "half.flow").write_text(BAD_JSON)
    (home / "stranger.flow").write_text(json.dumps(UNKNOWN_KIND, indent=1))
    (home / "shapeless.flow").write_text(NOT_A_LIST)
    log_in(page, lab_hub, USER)

    not_a_flow(page, lab_hub, "half.flow", re.compile(r"not JSON: .* at character \d+"))
    shot(page, output_dir, "01-bad-json")
    not_a_flow(page, lab_hub, "shapeless.flow", re.compile(r"\$\.nodes: must be a list"))
    assert (home / "half.flow").read_text() == BAD_JSON
    assert (home / "shapeless.flow").read_text() == NOT_A_LIST
    unknown_kind_on_its_node(page, lab_hub)
    shot(page, output_dir, "02-unknown-kind")


def test_an_example_flow_opens_from_the_launcher(
    page: Page, lab_hub: Hub, output_dir: Path
) -> None:
    """The launcher has a card per shipped example; one opens the user's copy in the
    designer, drawn; Ctrl+A and Shift+L work on it."""
    page.set_viewport_size({"width": 1600, "height": 1000})  # the laid-out flow fits
    lab_user(lab_hub, USER)
    log_in(page, lab_hub, USER)
    page.goto(f"{lab_hub.url}/user/{USER}/lab")
    card = page.get_by_role("button", name="Example flow: Sales by region", exact=True)
    expect(card).to_be_visible(timeout=120_000)
    card.click()
    expect(page.get_by_role("tab", name="sales_by_region.flow")).to_be_visible(timeout=30_000)
    example = ("orders", "big_orders", "per_region", "biggest_first", "show")
    for node_id in example:
        expect(node(page, node_id)).to_be_visible(timeout=30_000)
    # Keys on the canvas: Ctrl+A selects every node, Shift+L lays out and fits.
    page.get_by_test_id("rf__wrapper").locator(".react-flow__pane").click()
    page.keyboard.press("Control+a")
    expect(side_panel(page)).to_contain_text(f"{len(example)} nodes selected.")
    for node_id in example:
        expect(node(page, node_id)).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Shift+L")
    every_node_in_view(page)
    page.screenshot(path=str(output_dir / "flow-invalid-03-example-laid-out.png"))
