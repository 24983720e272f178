"""Chromium in the real JupyterLab, as a user: a SQL cell on a named connection, its result
as a table paged from the kernel (sort, export CSV), the schema browser and the query
builder inserting queries; and (issue 11) SQL cells that never replace the user's data
(new cells get a fresh `sql_N` name, a name that exists is refused with the message
shown, a rerun replaces the cell's own result), SQL highlighting that survives a reload,
one Format button that formats, and error lines counted as the editor shows them.
Screenshots in the test output folder."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from lab import (
    cells,
    lab_user,
    log_in,
    notebook,
    open_in_lab,
    run_cell,
    save_notebook,
    wait_for_lab,
    write_notebook,
)
from playwright.sync_api import Locator, Page, expect

from galilean_services.connections import ConnectionStore
from harness.hub import Hub

USER = "sqlfan"


def prepare(hub: Hub) -> Path:
    home = lab_user(hub, USER)
    if not (home / "shop.db").exists():
        with sqlite3.connect(home / "shop.db") as db:
            db.execute("CREATE TABLE sales (id INTEGER, region TEXT, amount REAL)")
            rows = [(i, ["north", "south", "east"][i % 3], (i * 37) % 101) for i in range(1, 301)]
            db.executemany("INSERT INTO sales VALUES (?, ?, ?)", rows)
        ConnectionStore(home, environ={}).save(
            "shop", {"dialect": "sqlite", "database": str(home / "shop.db")}
        )
    return home


def test_sql_cell_table_and_schema_browser(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = prepare(lab_hub)
    write_notebook(home, "report.ipynb", [""])
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, "report.ipynb")
    cell = cells(page).first

    # Switch the cell to SQL from its toolbar, pick the connection, name the result.
    cell.locator(".cm-content").click()
    toggle = cell.locator(".jp-cell-toolbar").get_by_text("SQL", exact=True)
    expect(toggle).to_be_visible(timeout=30_000)
    toggle.click()
    bar = cell.locator(".galilean-SqlBar")
    expect(bar).to_be_visible(timeout=10_000)
    expect(bar.locator(".galilean-SqlBar-variable")).to_have_value("sql_1")
    expect(bar.locator("option[value='shop']")).to_have_count(1, timeout=10_000)
    bar.locator(".galilean-SqlBar-connection").select_option("shop")
    bar.locator(".galilean-SqlBar-variable").fill("sales_df")
    bar.locator(".galilean-SqlBar-variable").press("Enter")
    editor = cell.locator(".cm-content")
    expect(editor).to_contain_text("%%galilean_sql shop sales_df", timeout=10_000)
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("SELECT * FROM sales ORDER BY id")
    wait_keyword_colored(page, editor, "SELECT")  # SQLite's SQL flavour
    page.screenshot(path=str(output_dir / "sql-01-cell.png"))
    page.keyboard.press("Shift+Enter")

    table = cell.locator(".galilean-Table")
    expect(table).to_be_visible(timeout=60_000)
    expect(table.locator(".galilean-Table-count")).to_contain_text("of 300")
    expect(table.locator("tbody tr")).to_have_count(50)
    page.screenshot(path=str(output_dir / "sql-02-table.png"))

    table.locator("th[data-column='amount']").click()  # ascending
    expect(table.locator("th[data-column='amount']")).to_have_attribute("data-sort", "asc")
    expect(table.locator("tbody tr").first.locator("td").nth(2)).to_have_text("0")
    table.locator("button[data-format='csv']").click()
    expect(table.locator(".galilean-Table-message")).to_contain_text("Exported to", timeout=30_000)
    exported = (home / "exports" / "report.csv").read_text().splitlines()
    assert len(exported) == 301
    assert exported[0] == "id,region,amount"
    assert exported[1].endswith(",0.0")
    page.screenshot(path=str(output_dir / "sql-03-sorted-exported.png"))

    # The schema browser: open it, expand the connection, insert the table's query.
    page.locator(".jp-SideBar [title='Databases']").click()
    browser = page.locator("#galilean-schema-browser")
    expect(browser).to_be_visible(timeout=10_000)
    browser.locator(".galilean-Schema-toggle", has_text="shop").click()
    insert = browser.locator(".galilean-Schema-table[data-table='sales'] .galilean-Schema-insert")
    expect(insert).to_be_visible(timeout=30_000)
    expect(browser.locator(".galilean-Schema-table[data-table='sales']")).to_contain_text("amount")
    cell.locator(".galilean-SqlBar").click()
    insert.click()
    sql_cells = page.locator(".jp-Notebook .galilean-SqlCell")
    expect(sql_cells.last.locator(".cm-content")).to_contain_text('FROM "sales"', timeout=10_000)
    page.screenshot(path=str(output_dir / "sql-04-schema-browser.png"))

    # The query builder: group by region, sum the amounts, order, limit; insert and run.
    browser.locator(
        ".galilean-Schema-connection[data-connection='shop'] .galilean-Schema-build"
    ).click()
    builder = page.locator("#galilean-builder-shop")
    expect(builder).to_be_visible(timeout=30_000)
    builder.locator(".galilean-Builder-groupBy").select_option("0:region")
    builder.locator(".galilean-Builder-addAggregate").click()
    builder.locator(".galilean-Builder-function").select_option("sum")
    builder.locator(".galilean-Builder-aggregateColumn").select_option("0:amount")
    builder.locator(".galilean-Builder-as").fill("total")
    builder.locator(".galilean-Builder-as").press("Tab")
    builder.locator(".galilean-Builder-orderBy").fill("total")
    builder.locator(".galilean-Builder-orderBy").press("Tab")
    builder.locator(".galilean-Builder-descending").check()
    expect(builder.locator(".galilean-Builder-sql")).to_contain_text('SUM(t0."amount") AS "total"')
    expect(builder.locator(".galilean-Builder-sql")).to_contain_text('ORDER BY\n  "total" DESC')
    page.screenshot(path=str(output_dir / "sql-05-builder.png"))
    builder.locator(".galilean-Builder-insert").click()
    built = sql_cells.last
    expect(built.locator(".cm-content")).to_contain_text("GROUP BY", timeout=10_000)
    built.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    result = built.locator(".galilean-Table")
    expect(result.locator(".galilean-Table-count")).to_contain_text("of 3", timeout=60_000)
    totals = {"north": 0.0, "south": 0.0, "east": 0.0}
    for i in range(1, 301):
        totals[["north", "south", "east"][i % 3]] += (i * 37) % 101
    best = max(totals, key=lambda k: totals[k])
    expect(result.locator("tbody tr").first.locator("td").first).to_have_text(best)
    page.screenshot(path=str(output_dir / "sql-06-builder-result.png"))
    # Saved, the notebook keeps each SQL cell's choice (it reopens the same way).
    saved = save_notebook(page, home / "report.ipynb")
    choices = [c["metadata"].get("galilean_sql") for c in saved["cells"]]
    assert {"connection": "shop", "variable": "sales_df"} in choices
    # Closed, so the next test's layout restores one notebook only.
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="report.ipynb")
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    expect(tab).to_have_count(0, timeout=10_000)


SETUP = (
    "import pandas as pd\n"
    "df = pd.DataFrame({'i': range(100_000)})\n"
    "sql_1 = 'the user made this'\n"
    "least = 3\n"
    "SELECT = 'a plain name in Python'\n"
    "len(df)"
)
CHECK = "print(len(df), len(sql_2))"
OLD_STYLE = "%%galilean_sql duckdb df\nSELECT 1 AS one"  # a notebook saved before issue 11
FORMATTED = [
    "%%galilean_sql duckdb sql_2",
    "SELECT",
    "i,",
    "i % 3 AS g",
    "FROM df",
    "WHERE",
    "i < {{ least }}",
    "LIMIT 5",
]
BAD = "%%galilean_sql duckdb bad\nSELECT *\nFROM range(3) t(i)\nWHERE i = = 1"


def sql_notebook(home: Path) -> None:
    """Python setup, an empty cell (made SQL in the test), a check, an old SQL cell that
    names the user's `df`, and a SQL cell with an error on its editor line 4."""
    content: dict[str, Any] = notebook([SETUP, "", CHECK, OLD_STYLE, BAD])
    for index, variable in ((3, "df"), (4, "bad")):
        content["cells"][index]["metadata"]["galilean_sql"] = {
            "connection": "duckdb",
            "variable": variable,
        }
    (home / "safety.ipynb").write_text(json.dumps(content))


KEYWORD_COLORED = """([editor, word]) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--jp-mirror-editor-keyword-color)';
    editor.appendChild(probe);
    const keyword = getComputedStyle(probe).color;
    probe.remove();
    const spans = [...editor.querySelectorAll('.cm-line span')]
        .filter(s => s.textContent === word);
    return spans.length > 0 && spans.every(s => getComputedStyle(s).color === keyword);
}"""


def keyword_colored(editor: Locator, word: str) -> bool:
    """Whether `word` in the editor has the theme's SQL keyword colour (CodeMirror's
    highlighting); in Python mode `SELECT` is a plain name."""
    return bool(editor.evaluate(f"editor => ({KEYWORD_COLORED})([editor, {word!r}])"))


def wait_keyword_colored(page: Page, editor: Locator, word: str) -> None:
    page.wait_for_function(KEYWORD_COLORED, arg=[editor.element_handle(), word], timeout=15_000)


ACTIVE = re.compile(r"\bjp-mod-active\b")


def run(page: Page, cell: Locator) -> None:
    """run_cell, once the cell is active and its notebook in edit mode (on a loaded
    machine JupyterLab can take a moment after the click; a Shift+Enter before that is a
    newline in the editor)."""
    cell.locator(".cm-content").click()
    expect(cell).to_have_class(ACTIVE)
    expect(cell.locator("xpath=ancestor::*[contains(@class, 'jp-Notebook ')][1]")).to_have_class(
        re.compile(r"\bjp-mod-editMode\b")
    )
    expect(cell.locator(".cm-editor")).to_have_class(re.compile(r"\bcm-focused\b"))
    run_cell(page, cell)


def notebook_panel(page: Page, name: str) -> Locator:
    """The open notebook `name` (other notebooks the restored layout opens stay in the
    page, hidden)."""
    tab = page.locator(".jp-MainAreaWidget-tab, .lm-DockPanel-tabBar .lm-TabBar-tab")
    tab = tab.filter(has_text=name).first
    expect(tab).to_be_visible(timeout=30_000)
    panel = tab.get_attribute("data-id")
    assert panel, "the notebook's tab names its panel"
    return page.locator(f"[id='{panel}']")


def output_text(cell: Locator) -> Locator:
    return cell.locator(".jp-OutputArea-output")


def test_sql_cells_keep_the_users_data(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = prepare(lab_hub)
    sql_notebook(home)
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, "safety.ipynb")
    panel = notebook_panel(page, "safety.ipynb")
    notebook_page = panel.locator(".jp-Notebook .jp-Cell")
    setup, sql, check, old, bad = (notebook_page.nth(i) for i in range(5))
    run(page, setup)
    expect(output_text(setup)).to_contain_text("100000", timeout=60_000)

    # A new SQL cell gets a fresh name: sql_1 is taken in the kernel, so sql_2.
    sql.locator(".cm-content").click()
    expect(sql).to_have_class(ACTIVE)
    sql.locator(".jp-cell-toolbar").get_by_text("SQL", exact=True).click()
    variable = sql.locator(".galilean-SqlBar-variable")
    expect(variable).to_have_value("sql_2", timeout=10_000)
    expect(sql.locator(".cm-content")).to_contain_text("%%galilean_sql duckdb sql_2")
    sql.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("SELECT * FROM df LIMIT 5")
    run(page, sql)
    expect(sql.locator(".galilean-Table-count")).to_contain_text("of 5", timeout=60_000)
    run(page, check)
    expect(output_text(check)).to_have_text("100000 5", timeout=30_000)
    page.screenshot(path=str(output_dir / "sql-10-fresh-name.png"))

    # Rerun with other SQL, the cell replaces its own earlier result.
    sql.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Backspace")
    page.keyboard.type("7")
    run(page, sql)
    expect(sql.locator(".galilean-Table-count")).to_contain_text("of 7", timeout=60_000)
    run(page, check)
    expect(output_text(check)).to_have_text("100000 7", timeout=30_000)

    # An old SQL cell naming the user's df is refused, and says how to overwrite.
    run(page, old)
    refusal = old.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(refusal).to_contain_text(
        "`df` already exists in the kernel (a DataFrame with 100,000 rows and 1 column)",
        timeout=30_000,
    )
    expect(refusal).to_contain_text("%%galilean_sql duckdb df --overwrite")
    expect(refusal).not_to_contain_text("Traceback")
    run(page, check)
    expect(output_text(check)).to_have_text("100000 7", timeout=30_000)
    old.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "sql-11-refused.png"))

    # The database's "LINE n" is the line the editor shows (the magic line is line 1).
    run(page, bad)
    error = bad.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(error).to_contain_text("LINE 4: WHERE i = = 1", timeout=30_000)
    expect(bad.locator(".cm-line").nth(3)).to_have_text("WHERE i = = 1")
    bad.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "sql-12-error-line.png"))

    # SQL highlighting: SELECT and FROM are keywords in SQL cells; SELECT is a plain name in
    # the Python cell.
    wait_keyword_colored(page, sql.locator(".cm-content"), "SELECT")
    wait_keyword_colored(page, old.locator(".cm-content"), "SELECT")  # as saved, untouched
    assert keyword_colored(bad.locator(".cm-content"), "FROM")
    assert not keyword_colored(setup.locator(".cm-content"), "SELECT")

    # One formatter: jupysql's "Format SQL" button is disabled; ours formats the SQL body
    # in the connection's dialect and leaves the magic line and {{ }} references alone.
    disabled = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).disabledExtensions"
    )
    assert {"formatting", "jupysql-plugin:syntax-highlighting"} <= set(disabled), disabled
    expect(panel.locator(".jp-NotebookPanel-toolbar")).to_be_visible()
    expect(page.get_by_text("Format SQL")).to_have_count(0)
    expect(page.locator(".format-sql-button")).to_have_count(0)
    sql.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type(
        "%%galilean_sql duckdb sql_2\nselect i, i % 3 as g from df where i < {{ least }} limit 5"
    )
    sql.locator(".galilean-SqlBar-format").click()
    lines = sql.locator(".cm-line")
    expect(lines).to_have_text(
        FORMATTED,
        timeout=10_000,
    )
    run(page, sql)
    expect(sql.locator(".galilean-Table-count")).to_contain_text("of 3", timeout=60_000)
    page.screenshot(path=str(output_dir / "sql-13-formatted.png"))
    # SQL that does not parse is left alone, with the reason and its editor line.
    bad.locator(".galilean-SqlBar-format").click()
    message = bad.locator(".galilean-SqlBar-message")
    expect(message).to_contain_text("does not parse", timeout=10_000)
    expect(message).to_contain_text("(line 4)")
    expect(bad.locator(".cm-line").nth(3)).to_have_text("WHERE i = = 1")

    # A table inserted from the schema browser below a Python cell: a new SQL cell, with
    # a name neither the kernel (sql_1) nor another SQL cell (sql_2) uses.
    check.locator(".cm-content").click()
    browser = page.locator("#galilean-schema-browser")
    if not browser.is_visible():  # the restored layout may show it already
        page.locator(".jp-SideBar [title='Databases']").click()
    browser.locator(".galilean-Schema-toggle", has_text="shop").click()
    insert = browser.locator(".galilean-Schema-table[data-table='sales'] .galilean-Schema-insert")
    expect(insert).to_be_visible(timeout=30_000)
    insert.click()
    inserted = notebook_page.nth(3)
    expect(inserted.locator(".galilean-SqlBar-variable")).to_have_value("sql_3", timeout=10_000)
    expect(inserted.locator(".cm-content")).to_contain_text('FROM "sales"')
    page.screenshot(path=str(output_dir / "sql-14-inserted.png"))

    # Saved and reopened, the SQL cells still highlight SQL once the kernel is connected.
    save_notebook(page, home / "safety.ipynb")
    page.reload()
    wait_for_lab(page)
    panel = notebook_panel(page, "safety.ipynb")
    expect(panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(
        1, timeout=90_000
    )
    reopened = panel.locator(".jp-Notebook .jp-Cell")
    reopened = reopened.nth(1).locator(".cm-content")
    expect(reopened).to_contain_text("%%galilean_sql duckdb sql_2")
    wait_keyword_colored(page, reopened, "SELECT")
    page.screenshot(path=str(output_dir / "sql-15-reopened.png"))
