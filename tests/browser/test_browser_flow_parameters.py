"""Chromium, in the pipeline designer's Parameters panel (issue 14): every control of the
node form has an accessible name, for every node of the example flow; a parameter is
added from the toolbar's Parameters panel (a bad name refused next to the field), used in
the filter's condition through the SQL editor's "Insert a parameter" list and saved into
the file, which the engine parses; removing it asks first, naming the filter, and a
cancel keeps it; an unused parameter goes without a question; a confirmed removal is a
document edit the designer's Undo takes back.
Screenshots in the test output folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lab import lab_user, log_in, open_in_lab, save_notebook
from playwright.sync_api import Locator, Page, expect

from galilean_services.flows import parse_flow
from harness.hub import REPO, Hub

USER = "flowparams"
EXAMPLES = REPO / "extensions" / "galilean_server" / "examples" / "flows"
FLOW = "params.flow"
NODES = ("orders", "big_orders", "per_region", "biggest_first", "show")


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"flow-parameters-{name}.png"))


def node(page: Page, node_id: str) -> Locator:
    return page.get_by_test_id(f"rf__node-{node_id}")


def toolbar(page: Page, label: str) -> Locator:
    bar = page.locator(".jp-MainAreaWidget:has(.jp-GalileanFlow) > .jp-Toolbar")
    return bar.get_by_role("button", name=label, exact=True)


def side_panel(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Node parameters")


def check_form_names(page: Page, output_dir: Path) -> None:
    """Each node's form: every visible input, select and textarea has a name."""
    side = side_panel(page)
    for node_id in NODES:
        node(page, node_id).locator(".jp-GalileanFlow-nodeTitle").click()
        expect(side.locator(".jp-GalileanFlow-formTitle")).to_contain_text(node_id)
        controls = side.locator("input:visible, select:visible, textarea:visible")
        for index in range(controls.count()):
            expect(controls.nth(index)).to_have_accessible_name(re.compile(r"\S"))
        editors = side.locator(".cm-content")
        for index in range(editors.count()):
            expect(editors.nth(index)).to_have_accessible_name(re.compile(r"\S"))
        if node_id == "per_region":  # rjsf's own selects, named after their field
            expect(side.get_by_role("combobox", name="function", exact=True)).to_have_count(3)
            shot(page, output_dir, "00-aggregate-form")


def add_parameter(page: Page, output_dir: Path) -> None:
    """Toolbar Parameters → Add: a bad name is refused next to the field, then a good one."""
    toolbar(page, "Parameters").click()
    panel = page.get_by_role("complementary", name="Parameters", exact=True)
    expect(panel.get_by_role("listitem", name="Parameter min_amount")).to_be_visible()
    panel.get_by_role("button", name="Add a parameter").click()
    form = panel.get_by_role("form", name="New parameter")
    name = form.get_by_role("textbox", name="Name")
    expect(name).to_have_value("param_1")
    name.fill("1st")
    expect(form.get_by_role("alert")).to_contain_text("a letter or _ first")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_role("button", name="Add")).to_be_disabled()
    name.fill("min_amount")
    expect(form.get_by_role("alert")).to_contain_text("already has a parameter")
    name.fill("region_name")
    form.get_by_role("combobox", name="Type").select_option("integer")
    form.get_by_role("textbox", name="Default").fill("East")
    expect(form.get_by_role("alert")).to_have_text("must be an integer")
    form.get_by_role("combobox", name="Type").select_option("string")
    form.get_by_role("textbox", name="Description").fill("the region to keep")
    shot(page, output_dir, "01-new-parameter")
    form.get_by_role("button", name="Add").click()
    expect(panel.get_by_role("listitem", name="Parameter region_name")).to_contain_text(
        'default "East"'
    )
    expect(page.get_by_role("tab", name=FLOW)).to_have_class(re.compile("jp-mod-dirty"))
    toolbar(page, "Parameters").click()
    expect(panel).to_have_count(0)


def use_in_condition(page: Page) -> None:
    """The filter's condition gets `:region_name` from the Insert a parameter list."""
    node(page, "big_orders").locator(".jp-GalileanFlow-nodeTitle").click()
    side = side_panel(page)
    condition = side.get_by_role("textbox", name="condition")
    condition.click()
    page.keyboard.press("End")
    page.keyboard.type(" AND region = ")
    side.get_by_label("Insert a parameter into condition").select_option("region_name")
    expect(condition).to_have_text("amount >= :min_amount AND region = :region_name")


def refuse_then_remove(page: Page, output_dir: Path) -> None:
    """Removing a used parameter asks, naming the filter; cancel keeps it. An unused
    one added for the purpose goes at once."""
    toolbar(page, "Parameters").click()
    panel = page.get_by_role("complementary", name="Parameters", exact=True)
    panel.get_by_role("button", name="Remove region_name").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text('Remove the parameter "region_name"?')
    expect(dialog).to_contain_text("used by the node big_orders")
    shot(page, output_dir, "03-remove-asks")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(panel.get_by_role("listitem", name="Parameter region_name")).to_be_visible()

    expect(panel.get_by_role("listitem", name="Parameter region_name")).to_contain_text(
        "Used by big_orders"
    )

    panel.get_by_role("button", name="Add a parameter").click()
    panel.get_by_role("button", name="Add").click()
    added = panel.get_by_role("listitem", name="Parameter param_1")
    expect(added).to_contain_text("Not used by any node")
    page.wait_for_timeout(700)  # apart from the next edit in the text's undo history
    panel.get_by_role("button", name="Remove param_1").click()
    expect(added).to_have_count(0)
    expect(page.locator(".jp-Dialog")).to_have_count(0)

    page.wait_for_timeout(700)
    panel.get_by_role("button", name="Remove region_name").click()
    dialog.get_by_role("button", name="Remove").click()
    expect(panel.get_by_role("listitem", name="Parameter region_name")).to_have_count(0)
    page.get_by_role("button", name="Undo", exact=True).click()
    expect(panel.get_by_role("listitem", name="Parameter region_name")).to_be_visible()


def test_parameters_panel_and_named_form_controls(
    page: Page, lab_hub: Hub, output_dir: Path
) -> None:
    home = lab_user(lab_hub, USER)
    shutil.copy(EXAMPLES / "sales_by_region.flow", home / FLOW)
    shutil.copy(EXAMPLES / "sales.csv", home / "sales.csv")
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, FLOW)
    for node_id in NODES:
        expect(node(page, node_id)).to_be_visible(timeout=30_000)

    check_form_names(page, output_dir)
    add_parameter(page, output_dir)
    use_in_condition(page)
    shot(page, output_dir, "02-parameter-used")
    saved = save_notebook(page, home / FLOW)
    added = [p for p in saved["parameters"] if p["name"] == "region_name"]
    assert added == [
        {
            "name": "region_name",
            "type": "string",
            "default": "East",
            "description": "the region to keep",
        }
    ]
    conditions = {n["id"]: n["params"].get("condition") for n in saved["nodes"]}
    assert conditions["big_orders"] == "amount >= :min_amount AND region = :region_name"
    assert [p.name for p in parse_flow((home / FLOW).read_text()).parameters] == [
        "min_amount",
        "region_name",
    ]

    refuse_then_remove(page, output_dir)
    names = [p["name"] for p in save_notebook(page, home / FLOW)["parameters"]]
    assert names == ["min_amount", "region_name"]
