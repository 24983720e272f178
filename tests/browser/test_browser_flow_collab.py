"""Chromium, two tabs of one user's JupyterLab (issue 14, co-editing): jupyter-collaboration
hosts a `.flow` as a shared document.

The server side serves any text file ("file" content type, text format) as a shared
YUnicode document; the collaborative content provider ("rtc", @jupyter/docprovider-extension)
gives the shared YFile to a document opened by a widget factory whose `contentProviderId` is
"rtc". Its `yfile` plugin sets that on the text editor's factory; the designer's factory
takes the text editor's (labextension/src/flows/widget.tsx), so two tabs of the designer
share one model: a node added in one shows in the other without a save. The text editor's
two tabs are the control."""

from __future__ import annotations

import shutil
from pathlib import Path

from lab import lab_user, log_in, open_in_lab, wait_for_lab
from playwright.sync_api import BrowserContext, Locator, Page, expect

from harness.hub import REPO, Hub

USER = "flowcollab"
EXAMPLES = REPO / "extensions" / "galilean_server" / "examples" / "flows"
EXAMPLE = "sales_by_region.flow"
NODES = ("orders", "big_orders", "per_region", "biggest_first", "show")
SEEN_WITHIN_MS = 10_000


def copy_example(home: Path, name: str) -> None:
    shutil.copy(EXAMPLES / EXAMPLE, home / name)
    shutil.copy(EXAMPLES / "sales.csv", home / "sales.csv")


def nodes(page: Page) -> Locator:
    return page.locator(".jp-GalileanFlow .react-flow__node")


def two_tabs(page: Page, context: BrowserContext, hub: Hub, name: str) -> Page:
    """`name` open in the designer in `page` and in a second tab of the same session."""
    log_in(page, hub, USER)
    open_in_lab(page, hub, USER, name)
    other = context.new_page()
    open_in_lab(other, hub, USER, name)
    for tab in (page, other):
        expect(nodes(tab)).to_have_count(len(NODES), timeout=30_000)
    return other


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"flow-collab-{name}.png"))


def open_with_editor(page: Page, hub: Hub, name: str) -> None:
    """Open `name` with the text editor (file browser: Open With → Editor)."""
    page.goto(f"{hub.url}/user/{USER}/lab")
    wait_for_lab(page)
    item = page.locator(".jp-DirListing-item", has_text=name)
    expect(item).to_be_visible(timeout=30_000)
    item.click(button="right")
    page.locator(".lm-Menu-item", has_text="Open With").hover()
    page.locator(".lm-Menu-item", has_text="Editor").last.click()
    expect(page.locator(".jp-FileEditor .cm-content")).to_be_visible(timeout=30_000)


def test_a_node_added_in_one_tab_shows_in_the_other(
    page: Page, context: BrowserContext, lab_hub: Hub, output_dir: Path
) -> None:
    home = lab_user(lab_hub, USER)
    copy_example(home, "together.flow")
    other = two_tabs(page, context, lab_hub, "together.flow")

    page.get_by_role("button", name="Add Sort rows (transform.sort)").click()
    expect(nodes(page)).to_have_count(len(NODES) + 1)
    shot(page, output_dir, "01-added-here")
    try:
        expect(nodes(other)).to_have_count(len(NODES) + 1, timeout=SEEN_WITHIN_MS)
        expect(other.get_by_test_id("rf__node-sort")).to_contain_text("Sort rows")
    finally:
        shot(other, output_dir, "02-seen-there")


def test_the_text_editor_shares_a_flow_file(
    page: Page, context: BrowserContext, lab_hub: Hub
) -> None:
    """The control: the server hosts a `.flow` as a shared document; two tabs of the
    text editor see each other's typing without a reload or a save."""
    home = lab_user(lab_hub, USER)
    copy_example(home, "as_text.flow")
    log_in(page, lab_hub, USER)
    open_with_editor(page, lab_hub, "as_text.flow")
    other = context.new_page()
    open_with_editor(other, lab_hub, "as_text.flow")
    expect(other.locator(".jp-FileEditor .cm-content")).to_contain_text("Sales by region")

    page.locator(".jp-FileEditor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n")
    page.keyboard.type("typed in the first tab")
    editor = other.locator(".jp-FileEditor .cm-content")
    expect(editor).to_contain_text("typed in the first tab", timeout=SEEN_WITHIN_MS)
