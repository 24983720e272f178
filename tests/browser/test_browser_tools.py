"""The tools users expect in JupyterLab, each opened in Chromium and made to do its job
(issue 19): git (a repository made from the Git panel, a new file listed as untracked),
the code formatter (a cell formatted by ruff), the variable inspector (a variable the
kernel holds), the language server (initialised; an undefined name flagged), the table of
contents (a notebook's headings) and marimo notebooks (one opened in marimo's editor,
through the server, and run). Screenshots in the test output folder."""

from __future__ import annotations

import re
from pathlib import Path

from lab import cells, lab_user, log_in, open_in_lab, run_cell, write_notebook
from playwright.sync_api import Page, expect

from harness.hub import Hub

USER = "toolsfan"
MARIMO_NOTEBOOK = """import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo
    return (mo,)


@app.cell
def _(mo):
    mo.md("# Hello from marimo")
    return


if __name__ == "__main__":
    app.run()
"""


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"tools-{name}.png"))


def run_command(page: Page, label: str) -> None:
    """Run a command by its label from the command palette, as a keyboard user does."""
    page.keyboard.press("Control+Shift+c")
    palette = page.locator(".lm-CommandPalette-input")
    expect(palette).to_be_visible()
    palette.fill(label)
    item = page.locator(".lm-CommandPalette-item", has_text=label).first
    expect(item).to_be_visible()
    item.click()


def test_git_panel_makes_a_repository(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    (home / "analysis.py").write_text("print('hello')\n")
    log_in(page, lab_hub, USER)
    page.locator(".jp-SideBar [data-id='jp-git-sessions']").click()
    panel = page.locator("#jp-git-sessions")
    panel.get_by_role("button", name="Initialize a Repository").click()
    page.locator(".jp-Dialog").get_by_role("button", name=re.compile("Proceed|Yes")).click()
    # Its first commit (empty) needs an identity: a new user has the server's default.
    expect(panel).to_contain_text("First Commit", timeout=30_000)
    expect(panel).to_contain_text("Untracked")
    assert (home / ".git" / "HEAD").is_file()
    assert f"name = {USER}" in (home / ".gitconfig").read_text()
    shot(page, output_dir, "01-git")


def test_formatter_inspector_language_server_and_contents(
    page: Page, lab_hub: Hub, output_dir: Path
) -> None:
    home = lab_user(lab_hub, USER)
    write_notebook(home, "tools.ipynb", ["answer=[1,2 ,3]", "total = undefined_name + 1"])
    notebook = home / "tools.ipynb"
    text = notebook.read_text()
    # A markdown heading first, for the table of contents.
    notebook.write_text(
        text.replace(
            '"cells": [',
            '"cells": [{"cell_type": "markdown", "id": "m1", "metadata": {}, '
            '"source": "# Sales report\\n## Monthly totals"}, ',
            1,
        )
    )
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, "tools.ipynb")
    code = cells(page).nth(1)

    # The language server: initialised for the notebook, and the undefined name flagged.
    expect(page.locator(".lsp-statusbar-item")).to_contain_text("Fully initialized", timeout=60_000)
    flagged = cells(page).nth(2).locator(".cm-lintRange")
    expect(flagged.first).to_be_visible(timeout=60_000)

    # The formatter: "Format cell" from the cell's context menu, ruff's formatting.
    code.locator(".cm-content").click()
    code.locator(".cm-content").click(button="right")
    page.locator(".lm-Menu-item", has_text="Format cell").click()
    expect(code.locator(".cm-content")).to_have_text("answer = [1, 2, 3]", timeout=30_000)
    shot(page, output_dir, "02-formatted")

    # The variable inspector: what the kernel holds after a run.
    run_cell(page, code)
    run_command(page, "Open Variable Inspector")
    inspector = page.locator(".jp-VarInspector")
    expect(inspector).to_be_visible(timeout=30_000)
    expect(inspector.get_by_text("answer", exact=True)).to_be_visible(timeout=30_000)
    expect(inspector.get_by_text("[1, 2, 3]", exact=True)).to_be_visible()
    shot(page, output_dir, "03-variable-inspector")

    # The table of contents: the notebook's headings.
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="tools.ipynb").click()
    page.locator(".jp-SideBar [data-id='table-of-contents']").click()
    contents = page.locator(".jp-TableOfContents-tree")
    expect(contents).to_contain_text("Sales report")
    expect(contents).to_contain_text("Monthly totals")
    shot(page, output_dir, "04-table-of-contents")


def test_a_marimo_notebook_opens_and_runs(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    (home / "hello_mo.py").write_text(MARIMO_NOTEBOOK)
    log_in(page, lab_hub, USER)
    # The launcher offers the second kind of notebook.
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-addButton").first.click()  # a new launcher
    launcher = page.locator(".jp-Launcher:visible")
    expect(launcher.get_by_text("New marimo Notebook")).to_be_visible()
    expect(launcher.get_by_text("Open marimo Editor")).to_be_visible()
    if not page.locator("#filebrowser").is_visible():
        page.locator(".jp-SideBar [data-id='filebrowser']").click()
    listing = page.locator(".jp-DirListing-content")
    listing.locator(".jp-DirListing-item", has_text="hello_mo.py").dblclick()
    editor = page.frame_locator("iframe").first
    # Run: the markdown cell's output, a heading (its code says the same words).
    heading = editor.get_by_role("heading", name="Hello from marimo")
    expect(heading).to_be_visible(timeout=120_000)
    shot(page, output_dir, "05-marimo")
