"""Chromium in the real JupyterLab, as a user: a grouped DataFrame shows its index labels
as row headers; the filter applies as you type and on Enter (which stays out of the
notebook's shortcuts), compares numbers, says when no rows match and when a value is not
a number; an Excel export of 100k rows shows progress, then a line with a download link
that serves the .xlsx; Profile opens a JupyterLab tab with progress, can be cancelled,
and shows the report in an iframe. Screenshots in the test output folder."""

from __future__ import annotations

import io
from pathlib import Path

from lab import cells, lab_user, log_in, open_in_lab, run_cell, write_notebook
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from harness.hub import Hub

USER = "tablefan"
GROUPED = (
    "import numpy as np, pandas as pd\n"
    "sales = pd.DataFrame({'city': ['Lyon', 'Paris', 'Lyon', 'Nantes', 'Paris'],\n"
    "                      'amount': [1234.56789, 20.25, 0.333333333, 7.0, 2.5],\n"
    "                      'n': [1, 2, 3, 4, 5]})\n"
    "sales.groupby('city').sum()"
)
BIG = (
    "n = 100_000\n"
    "big = pd.DataFrame({'id': np.arange(n), 'price': np.arange(n) * 1.5,\n"
    "    'day': pd.Timestamp('2024-01-01') + pd.to_timedelta(np.arange(n) % 365, 'D'),\n"
    "    'name': [f'item {i}' for i in range(n)],\n"
    "    **{f'text{k}': [f'some words {i % 977} {k}' for i in range(n)] for k in range(8)},\n"
    "    **{f'x{k}': np.random.default_rng(k).normal(size=n) for k in range(4)}})\n"
    "big"
)

MULTI = "sales.groupby(['city', 'n']).agg({'amount': ['sum', 'max']})"


def test_tables_index_filter_export_and_profile(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    write_notebook(home, "tables.ipynb", [GROUPED, BIG, MULTI])
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, "tables.ipynb")

    # A grouped frame: the city labels are row headers, under the index's name.
    run_cell(page, cells(page).nth(0))
    grouped = cells(page).nth(0).locator(".galilean-Table")
    expect(grouped).to_be_visible(timeout=60_000)
    expect(grouped.locator("th.galilean-Table-indexHeader")).to_contain_text("city")
    expect(grouped.locator("th.galilean-Table-rowHeader")).to_have_text(["Lyon", "Nantes", "Paris"])
    lyon = grouped.locator("tbody tr").first.locator("td").first
    expect(lyon).to_have_text("1234.901223")  # 6 decimals (pandas' precision)
    expect(lyon).to_have_attribute("title", "1234.901223333")  # the full value on hover
    expect(grouped.locator("th[data-column='amount'] .galilean-Table-type")).to_have_text("float64")
    grouped.locator(".galilean-Table-precision").select_option("2")
    expect(lyon).to_have_text("1234.9")
    page.screenshot(path=str(output_dir / "tables-01-grouped-index.png"))

    run_cell(page, cells(page).nth(1))
    table = cells(page).nth(1).locator(".galilean-Table")
    expect(table.locator(".galilean-Table-count")).to_contain_text("of 100,000", timeout=60_000)
    count = table.locator(".galilean-Table-count")

    # Typing filters after a pause, without Enter.
    table.locator(".galilean-Table-filterColumn").select_option(label="name")
    box = table.locator("input.galilean-Table-filter")
    box.click()
    expect(table.locator(".galilean-Table-filterOp")).to_have_value("contains")
    box.press_sequentially("item 4242", delay=20)
    expect(count).to_contain_text("of 11")  # item 4242 and item 42420-42429
    # Enter applies at once and stays in the box: no notebook shortcut runs.
    cell_count = cells(page).count()
    box.press_sequentially("7")
    box.press("Enter")
    expect(count).to_have_text("rows 1\u20131 of 1")
    expect(box).to_be_focused()
    expect(cells(page)).to_have_count(cell_count)
    page.screenshot(path=str(output_dir / "tables-02-text-filter.png"))

    # Numbers compare; no match and a value that is not a number say so in the table.
    table.locator(".galilean-Table-filterColumn").select_option(label="price")
    table.locator(".galilean-Table-filterOp").select_option(">=")
    box.fill("149997")
    box.press("Enter")
    expect(count).to_have_text("rows 1\u20132 of 2")
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("99998")
    box.fill("1e9")
    box.press("Enter")
    expect(table.locator(".galilean-Table-empty")).to_have_text("No rows match the filter.")
    page.screenshot(path=str(output_dir / "tables-03-no-rows-match.png"))
    box.fill("ten")
    box.press("Enter")
    expect(table.locator(".galilean-Table-error")).to_have_text(
        "filter on 'price': 'ten' is not a number"
    )
    page.screenshot(path=str(output_dir / "tables-04-bad-number.png"))
    table.locator(".galilean-Table-filterClear").click()
    expect(count).to_contain_text("of 100,000")

    # Excel of 100k rows: progress, then a line with a download link serving the file.
    table.locator("button[data-format='xlsx']").click()
    running = table.locator(".galilean-Table-running")
    expect(running).to_contain_text("Exporting to Excel", timeout=10_000)
    expect(running.locator("button.galilean-Table-cancel")).to_be_visible()
    running.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "tables-05-export-progress.png"))
    done = table.locator(".galilean-Table-done")
    expect(done).to_contain_text("Exported to exports/tables.xlsx", timeout=120_000)
    link = done.locator("a.galilean-Table-download")
    expect(link).to_have_text("Download tables.xlsx")
    done.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "tables-06-exported.png"))
    href = link.get_attribute("href")
    assert href
    response = page.request.get(href)
    assert response.ok, response.status
    body = response.body()
    assert body[:2] == b"PK"  # a zip: xlsx
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    assert sheet is not None
    rows = sheet.iter_rows(max_col=2, values_only=True)
    assert next(rows) == ("id", "price")
    assert sum(1 for _ in rows) == 100_000
    assert not list((home / "exports").glob("*.partial.*"))

    # Profile: a JupyterLab tab with progress; Cancel stops it.
    table.locator(".galilean-Table-profile").click()
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Profile: tables")
    expect(tab).to_have_count(1, timeout=10_000)
    status = page.locator(".galilean-Profile-status")
    expect(status.locator(".galilean-Profile-phase")).to_contain_text(" s", timeout=10_000)
    page.screenshot(path=str(output_dir / "tables-07-profile-progress.png"))
    status.locator(".galilean-Profile-cancel").click()
    expect(status).to_contain_text("Profile cancelled.", timeout=30_000)
    assert not list((home / "exports").glob("profile-*"))
    page.screenshot(path=str(output_dir / "tables-08-profile-cancelled.png"))
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    expect(tab).to_have_count(0)

    # The grouped table's profile completes and shows in the tab's iframe.
    grouped.locator(".galilean-Table-profile").click()
    expect(tab).to_have_count(1, timeout=10_000)
    report = page.frame_locator(".galilean-Profile-frame iframe")
    expect(report.get_by_text("Dataset statistics")).to_be_visible(timeout=180_000)
    expect(report.locator("body")).to_contain_text("Profile of 3 rows")
    assert page.locator(".galilean-Profile-frame iframe").get_attribute("sandbox") == (
        "allow-scripts allow-popups"
    )
    page.screenshot(path=str(output_dir / "tables-09-profile-report.png"))

    # Two levels of index and of column labels: header rows, outer labels shown once.
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="tables.ipynb").click()
    run_cell(page, cells(page).nth(2))
    multi = cells(page).nth(2).locator(".galilean-Table")
    expect(multi.locator("thead tr")).to_have_count(2, timeout=60_000)
    expect(multi.locator("th.galilean-Table-group")).to_have_text("amount")
    expect(multi.locator("th.galilean-Table-group")).to_have_attribute("colspan", "2")
    expect(multi.locator("th.galilean-Table-indexHeader .galilean-Table-name")).to_have_text(
        ["city", "n"]
    )
    expect(multi.locator("tbody th.galilean-Table-rowHeader")).to_have_text(
        ["Lyon", "1", "", "3", "Nantes", "4", "Paris", "2", "", "5"]
    )
    multi.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "tables-10-multi-level.png"))
