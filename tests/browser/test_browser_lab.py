"""Chromium in the real JupyterLab, as a user (issue 11 items 6, 8, 12, 13): the connection
form (a relative SQLite path shown as the absolute path in the home, a mistyped path
refused without creating a file, fields that follow the database type, add/test/edit/
delete), About Galilean (every feature with its true state; an entry opens its feature),
the AI chat answering through the hub's AI gateway with nothing set by the user, and the
workspace in the status bar and tab title. Screenshots in the test output folder."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from lab import lab_user, log_in, wait_for_lab
from playwright.sync_api import Page, expect

from harness.hub import Hub

USER = "labfan"


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"lab-{name}.png"))


def test_file_connections_in_the_form(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    (home / "data").mkdir(exist_ok=True)
    with sqlite3.connect(home / "data" / "shop.db") as db:
        db.execute("CREATE TABLE IF NOT EXISTS sales (id INTEGER)")
    log_in(page, lab_hub, USER)
    page.locator(".jp-SideBar [data-id='galilean-schema-browser']").click()
    browser = page.locator("#galilean-schema-browser")
    browser.locator(".galilean-Schema-add").click()
    form = browser.locator(".galilean-ConnectionForm")
    expect(form).to_be_visible()
    # A server database: host, port, user, password; a file database: a path only.
    for field in ("host", "port", "user", "password", "database"):
        expect(form.locator(f"input[name='{field}']")).to_be_visible()
    form.locator("select[name='dialect']").select_option("sqlite")
    for field in ("host", "port", "user", "password"):
        expect(form.locator(f"input[name='{field}']")).to_be_hidden()
    form.locator("input[name='name']").fill("shop")
    form.locator("input[name='database']").fill("data/shpo.db")  # mistyped
    path = form.locator(".galilean-ConnectionForm-path")
    expect(path).to_have_text(f"File: {home}/data/shpo.db")
    form.locator(".galilean-ConnectionForm-test").click()
    status = form.locator(".galilean-ConnectionForm-status")
    expect(status).to_have_text(f"✗ file does not exist: {home}/data/shpo.db")
    assert not (home / "data" / "shpo.db").exists()
    shot(page, output_dir, "01-mistyped-path")
    buttons = form.locator(".galilean-ConnectionForm-actions .jp-Button")
    boxes = [buttons.nth(i).bounding_box() for i in range(3)]
    assert all(b is not None for b in boxes)
    assert len({round(b["y"]) for b in boxes if b}) == 1  # one row of buttons

    form.locator("input[name='database']").fill("data/shop.db")
    expect(path).to_have_text(f"File: {home}/data/shop.db")
    form.locator(".galilean-ConnectionForm-test").click()
    expect(status).to_contain_text("✓ connected (sqlite")
    expect(status).to_contain_text(f"{home}/data/shop.db")
    shot(page, output_dir, "02-tested")
    form.locator(".galilean-ConnectionForm-save").click()
    item = browser.locator(".galilean-Schema-connection[data-connection='shop']")
    expect(item).to_be_visible()
    saved = json.loads((home / ".galilean" / "connections.json").read_text())
    assert saved["connections"]["shop"]["url"] == "sqlite:///data/shop.db"
    item.locator(".galilean-Schema-toggle").click()
    expect(item.locator(".galilean-Schema-table[data-table='sales']")).to_be_visible()

    # A server connection: edit keeps the password field empty, then delete.
    browser.locator(".galilean-Schema-add").click()
    form.locator("input[name='name']").fill("warehouse")
    form.locator("input[name='host']").fill("db.example")
    form.locator("input[name='user']").fill("ann")
    form.locator("input[name='password']").fill("s3cret-pw")
    form.locator(".galilean-ConnectionForm-save").click()
    warehouse = browser.locator(".galilean-Schema-connection[data-connection='warehouse']")
    expect(warehouse).to_be_visible()
    warehouse.locator(".galilean-Schema-edit").click()
    expect(form.locator("input[name='host']")).to_have_value("db.example")
    expect(form.locator("input[name='password']")).to_have_value("")
    expect(form.locator("input[name='password']")).to_have_attribute("placeholder", "(unchanged)")
    shot(page, output_dir, "03-edit-server")
    form.locator("input[name='port']").fill("6543")
    form.locator(".galilean-ConnectionForm-save").click()
    expect(form).to_have_count(0)
    stored = json.loads((home / ".galilean" / "connections.json").read_text())
    assert stored["connections"]["warehouse"]["url"] == (
        "postgresql+psycopg://ann:s3cret-pw@db.example:6543"
    )
    page.once("dialog", lambda dialog: dialog.accept())
    warehouse.locator(".galilean-Schema-delete").click()
    expect(warehouse).to_have_count(0)
    assert "warehouse" not in (home / ".galilean" / "connections.json").read_text()


def test_about_workspace_and_ai_chat(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    log_in(page, lab_hub, USER)
    # Which workspace: the status bar and the tab's title.
    indicator = page.locator(".galilean-Workspace")
    expect(indicator).to_have_text("Workspace: Default")
    expect(indicator).to_have_attribute("href", "/hub/home")
    expect(page).to_have_title("Default — Galilean")

    page.locator(".jp-Launcher").get_by_text("About Galilean", exact=True).click()
    about = page.locator(".galilean-About")
    features = about.locator(".galilean-About-features li")
    expect(features).to_have_count(10)
    names = [features.nth(i).get_attribute("data-feature") for i in range(10)]
    assert names == [
        "sql",
        "connections",
        "query_builder",
        "tables",
        "flows",
        "mlflow",
        "secrets",
        "collaboration",
        "ai",
        "workspaces",
    ]
    # The lab hub's AI gateway has a model (the fake model server): the chat is ready.
    ai = about.locator("li[data-feature='ai']")
    expect(ai).to_have_attribute("data-available", "true")
    expect(about.locator("li[data-feature='sql']")).to_have_attribute("data-available", "true")
    # The lab hub runs MLflow, so the notebook's client is pointed at it.
    expect(about.locator("li[data-feature='mlflow']")).to_have_attribute("data-available", "true")
    expect(about.locator("li[data-feature='workspaces']")).to_have_attribute(
        "data-available", "true"
    )
    shot(page, output_dir, "04-about")

    # Entries open their feature.
    about.locator("li[data-feature='connections'] .galilean-About-open").click()
    expect(page.locator("#galilean-schema-browser")).to_be_visible()
    with page.context.expect_page() as opened:
        about.locator("li[data-feature='workspaces'] .galilean-About-open").click()
    expect(opened.value).to_have_url(f"{lab_hub.url}/hub/home")
    opened.value.close()
    about.locator("li[data-feature='sql'] .galilean-About-open").click()
    expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .galilean-SqlBar")).to_be_visible(
        timeout=90_000
    )
    shot(page, output_dir, "05-sql-notebook")

    # The AI chat, with nothing set by the user: a message sent as soon as the chat opens
    # is answered by the hub's default model through the AI gateway (the fake model
    # server echoes the question).
    (home / "ask.chat").write_text("")
    page.goto(f"{lab_hub.url}/user/{USER}/lab/tree/ask.chat")
    wait_for_lab(page)
    box = page.locator(
        ".jp-chat-input-container textarea, .jp-chat-input-container [contenteditable]"
    )
    expect(box.first).to_be_visible(timeout=60_000)
    expect(page.locator(".jp-chat-input-container").get_by_text("Jupyternaut")).to_be_visible(
        timeout=60_000
    )
    box.first.fill("Summarise my data, please")
    box.first.press("Enter")
    answer = page.locator(".jp-chat-message").filter(has_text="echo:")
    expect(answer).to_be_visible(timeout=90_000)
    expect(answer).to_contain_text("Summarise my data, please")
    shot(page, output_dir, "06-ai-answer")


def test_storage_warning_in_the_status_bar(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    """The lab hub gives everyone 1 GB: nothing shows below 80%; from 80% the status bar
    says how much is used, a notification says what happens at 100%, and a click names
    the largest files."""
    home = lab_user(lab_hub, USER)
    log_in(page, lab_hub, USER)
    item = page.locator(".galilean-StorageStatus")
    expect(page.locator(".galilean-Workspace")).to_be_visible()
    expect(item).to_be_hidden()
    big = home / "exports" / "big-data.bin"
    big.parent.mkdir(exist_ok=True)
    with big.open("wb") as file:
        file.truncate(850 * 1024**2)  # sparse: it counts, the disk is spared
    try:
        page.reload()
        expect(item).to_have_text(re.compile(r"Storage 8\d% of 1\.0 GB"), timeout=60_000)
        expect(item).to_have_attribute("data-level", "warn")
        toast = page.locator(".Toastify__toast").filter(has_text="At 100%")
        expect(toast).to_be_visible()
        shot(page, output_dir, "07-storage-warning")
        item.click()
        dialog = page.locator(".jp-Dialog")
        expect(dialog).to_contain_text("Largest files: home/exports/big-data.bin (850.0 MB)")
        expect(dialog).to_contain_text("Largest folders: home/exports (850.0 MB)")
        shot(page, output_dir, "08-storage-dialog")
        dialog.get_by_role("button", name="Ok").click()
    finally:
        big.unlink()
    page.reload()
    expect(page.locator(".galilean-Workspace")).to_be_visible()
    expect(item).to_be_hidden()
