"""Chromium in the real JupyterLab: a SQL cell on a named connection, its result as a
table paged from the kernel (sort, export CSV), and the schema browser inserting a
table's query. Screenshots in the test output folder."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, admin_client, approved_user, hub_fixture
from galilean_services.connections import ConnectionStore
from harness.hub import Hub

pytestmark = [pytest.mark.browser, pytest.mark.slow]
hub = hub_fixture("browser-sql-hub")
USER = "sqlfan"
NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {},
               "outputs": [], "source": ""}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}  # fmt: skip


def prepare(hub: Hub) -> Path:
    admin = admin_client(hub)
    approved_user(hub, admin, USER)
    home = hub.data_dir / "users" / USER / "home"
    home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(home / "shop.db") as db:
        db.execute("CREATE TABLE sales (id INTEGER, region TEXT, amount REAL)")
        db.executemany(
            "INSERT INTO sales VALUES (?, ?, ?)",
            [(i, ["north", "south", "east"][i % 3], (i * 37) % 101) for i in range(1, 301)],
        )
    ConnectionStore(home, environ={}).save(
        "shop", {"dialect": "sqlite", "database": str(home / "shop.db")}
    )
    (home / "report.ipynb").write_text(json.dumps(NOTEBOOK))
    return home


def test_sql_cell_table_and_schema_browser(page: Page, hub: Hub, output_dir: Path) -> None:
    home = prepare(hub)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", USER)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"{hub.url}/user/{USER}/lab**", timeout=180_000)
    page.goto(f"{hub.url}/user/{USER}/lab/tree/report.ipynb")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=120_000)
    cell = page.locator(".jp-Notebook .jp-Cell").first
    expect(cell).to_be_visible(timeout=60_000)
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(
        1, timeout=90_000
    )

    # Switch the cell to SQL from its toolbar, pick the connection, name the result.
    cell.locator(".cm-content").click()
    toggle = cell.locator(".jp-cell-toolbar").get_by_text("SQL", exact=True)
    expect(toggle).to_be_visible(timeout=30_000)
    toggle.click()
    bar = cell.locator(".galilean-SqlBar")
    expect(bar).to_be_visible(timeout=10_000)
    expect(bar.locator("option[value='shop']")).to_have_count(1, timeout=10_000)
    bar.locator(".galilean-SqlBar-connection").select_option("shop")
    bar.locator(".galilean-SqlBar-variable").fill("sales_df")
    bar.locator(".galilean-SqlBar-variable").press("Enter")
    editor = cell.locator(".cm-content")
    expect(editor).to_contain_text("%%galilean_sql shop sales_df", timeout=10_000)
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("SELECT * FROM sales ORDER BY id")
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
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=10_000)
    saved = json.loads((home / "report.ipynb").read_text())
    choices = [c["metadata"].get("galilean_sql") for c in saved["cells"]]
    assert {"connection": "shop", "variable": "sales_df"} in choices

    # Connections from the UI: add (test, save), edit (the password field stays empty), delete.
    browser.locator(".galilean-Schema-add").click()
    form = browser.locator(".galilean-ConnectionForm")
    form.locator("select[name='dialect']").select_option("sqlite")
    form.locator("input[name='name']").fill("copy")
    form.locator("input[name='database']").fill(str(home / "shop.db"))
    form.locator(".galilean-ConnectionForm-test").click()
    expect(form.locator(".galilean-ConnectionForm-status")).to_contain_text("✓ connected")
    form.locator(".galilean-ConnectionForm-save").click()
    copy = browser.locator(".galilean-Schema-connection[data-connection='copy']")
    expect(copy).to_be_visible(timeout=10_000)
    assert (
        "copy" in json.loads((home / ".galilean" / "connections.json").read_text())["connections"]
    )
    copy.locator(".galilean-Schema-edit").click()
    form = browser.locator(".galilean-ConnectionForm")
    expect(form.locator("input[name='name']")).to_have_value("copy")
    form.locator("select[name='dialect']").select_option("postgresql")
    form.locator("input[name='host']").fill("127.0.0.1")
    form.locator("input[name='port']").fill("1")
    form.locator(".galilean-ConnectionForm-test").click()
    expect(form.locator(".galilean-ConnectionForm-status")).to_contain_text("✗", timeout=20_000)
    page.screenshot(path=str(output_dir / "sql-07-connection-form.png"))
    form.locator(".galilean-ConnectionForm-cancel").click()
    page.once("dialog", lambda dialog: dialog.accept())
    copy.locator(".galilean-Schema-delete").click()
    expect(copy).to_have_count(0, timeout=10_000)
