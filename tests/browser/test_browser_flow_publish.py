"""Chromium, as a new user, in the pipeline designer's versions, publish and schedule
panels (issue 14): the example flow is saved as a version from the toolbar, a node is
changed and saved again; the versions panel diffs the two (the changed node with its
condition before and after, listed and marked on a canvas) and restores the first (the
document's text is version 1's again); the flow is published as an endpoint, whose URL
the panel shows with a curl example holding a <token> placeholder, and which answers a
call with a hub token; opened again, the panel lists the calls made (who, status); it is
published again following the latest version, then unpublished (confirmed), and a call
then answers 404; a schedule shows its human reading and next five times as it is
typed, a bad cron is refused next to the field, a paused schedule is saved and removed.
Screenshots in the test output folder."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import requests
from flows_api import wait_ready
from lab import lab_user, log_in, save_notebook
from playwright.sync_api import Locator, Page, expect

from conftest import PASSWORD
from harness.client import HubClient
from harness.hub import REPO, Hub

USER = "flowpublisher"
EXAMPLES = REPO / "extensions" / "galilean_server" / "examples" / "flows"
FLOW = "sales_publish.flow"
FIRST = "amount >= :min_amount"
SECOND = "amount >= 100"


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"flow-publish-{name}.png"))


def open_flow(page: Page) -> None:
    item = page.locator(".jp-DirListing-content .jp-DirListing-item", has_text=FLOW)
    expect(item).to_be_visible(timeout=30_000)
    item.dblclick()
    expect(page.get_by_role("tab", name=FLOW)).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("rf__node-big_orders")).to_be_visible(timeout=30_000)


def toolbar(page: Page, label: str) -> Locator:
    """A button of the flow document's toolbar."""
    bar = page.locator(".jp-MainAreaWidget:has(.jp-GalileanFlow) > .jp-Toolbar")
    return bar.get_by_role("button", name=label, exact=True)


def save_version(page: Page, message: str, answer: str) -> None:
    """Save a version from the toolbar; the notification says `answer`."""
    toolbar(page, "Save version").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_role("textbox").fill(message)
    dialog.get_by_role("button", name="Save version").click()
    expect(page.get_by_text(answer)).to_be_visible(timeout=30_000)


def change_condition(page: Page, value: str) -> None:
    """Select the filter and set its condition (a SQL editor named after the field)."""
    page.get_by_test_id("rf__node-big_orders").locator(".jp-GalileanFlow-nodeTitle").click()
    side = page.get_by_role("complementary", name="Node parameters")
    expect(side.get_by_text("condition", exact=True)).to_be_visible()
    box = side.get_by_role("textbox", name="condition")
    expect(box).to_contain_text(FIRST)  # the editor is up, with the node's condition
    tab = page.get_by_role("tab", name=FLOW)
    for attempt in range(3):
        box.fill(value)
        expect(box).to_contain_text(value)
        try:
            expect(tab).to_have_class(re.compile("jp-mod-dirty"), timeout=10_000)
            return
        except AssertionError:
            # Seen once in CI under load (session 10): the typed condition did not reach
            # the document. Typed again, as a user would; reported so it is not hidden.
            warnings.warn(
                f"change_condition: attempt {attempt + 1} left the flow unchanged", stacklevel=1
            )
    raise AssertionError("typing a condition never changed the flow")


def panel(page: Page, title: str) -> Locator:
    return page.get_by_role("complementary", name=title, exact=True)


def diff_and_restore(page: Page, home: Path, output_dir: Path) -> None:
    toolbar(page, "Versions").click()
    expect(toolbar(page, "Versions")).to_have_attribute("aria-pressed", "true")
    versions = panel(page, "Versions")
    versions.get_by_label("Compare version 1").check()
    versions.get_by_label("Compare version 2").check()
    diff = versions.get_by_role("region", name="Changes from version 1 to version 2")
    changed = diff.get_by_label("changed node big_orders")
    expect(changed).to_be_visible(timeout=30_000)
    expect(changed).to_contain_text(FIRST)
    expect(changed).to_contain_text(SECOND)
    expect(diff.get_by_label("changed node orders")).to_have_count(0)
    shot(page, output_dir, "01-diff")
    versions.get_by_role("button", name="Show the changes on a canvas").click()
    dialog = page.locator(".jp-GalileanFlow-diffDialog")
    drawn = dialog.get_by_label("Canvas of the changes from version 1 to version 2")
    box = drawn.get_by_test_id("rf__node-big_orders").locator(".jp-GalileanFlow-node")
    expect(box).to_have_class(re.compile("jp-mod-flow-diff-changed"), timeout=30_000)
    expect(box).to_contain_text(f"condition: {FIRST} → {SECOND}")
    unchanged = drawn.get_by_test_id("rf__node-orders").locator(".jp-GalileanFlow-node")
    expect(unchanged).not_to_have_class(re.compile("jp-mod-flow-diff"))
    page.wait_for_timeout(500)  # the canvas fits the flow into view
    shot(page, output_dir, "01b-diff-canvas")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)

    versions.get_by_role("button", name="Restore version 1").click()
    expect(versions.get_by_text("Version 1 restored as v3")).to_be_visible(timeout=30_000)
    saved = save_notebook(page, home / FLOW)
    condition = next(n for n in saved["nodes"] if n["id"] == "big_orders")["params"]
    assert condition == {"condition": FIRST}
    # The restored document is version 3 already: saving it makes no version.
    save_version(page, "again", "Unchanged since version 3")
    expect(versions.get_by_label("Compare version 4")).to_have_count(0)
    shot(page, output_dir, "02-restored")
    toolbar(page, "Versions").click()
    expect(versions).to_have_count(0)
    expect(toolbar(page, "Versions")).to_have_attribute("aria-pressed", "false")


def publish(page: Page, output_dir: Path) -> str:
    """Publish as `sales`, min_amount settable; the URL the panel shows."""
    toolbar(page, "Publish").click()
    form = panel(page, "Publish")
    name = form.get_by_label("Endpoint name")
    name.fill("Sales!")
    expect(form.get_by_role("alert")).to_contain_text("Lower-case")
    expect(form.get_by_role("button", name="Publish", exact=True)).to_be_disabled()
    name.fill("sales")
    form.get_by_label("Callers may set min_amount").check()
    form.get_by_role("button", name="Publish", exact=True).click()
    curl = form.get_by_label("curl example")
    expect(curl).to_contain_text("Authorization: token <token>", timeout=30_000)
    expect(curl).to_contain_text("/services/flows/execute/sales?min_amount=50")
    shot(page, output_dir, "03-published")
    url = form.locator(".jp-GalileanFlow-publishUrl").inner_text()
    assert url.endswith("/services/flows/execute/sales"), url
    return url


def recent_calls_and_unpublish(page: Page, url: str, token: str, output_dir: Path) -> None:
    """The panel, opened again, lists the two calls made; publish following the latest
    version; unpublish: the URL answers 404."""
    toolbar(page, "Publish").click()
    expect(panel(page, "Publish")).to_have_count(0)
    toolbar(page, "Publish").click()  # opening reads the endpoint's calls again
    form = panel(page, "Publish")
    rows = form.get_by_role("region", name="Recent calls").get_by_role("row")
    expect(rows).to_have_count(3, timeout=30_000)  # the header, then the newest first
    expect(rows.nth(1)).to_contain_text("public (no token)")
    expect(rows.nth(1)).to_contain_text("401")
    expect(rows.nth(2)).to_contain_text(USER)
    expect(rows.nth(2)).to_contain_text("200")
    shot(page, output_dir, "03b-recent-calls")

    form.get_by_label("always the latest version").check()
    form.get_by_role("button", name="Publish again", exact=True).click()
    expect(form.get_by_text("Serving the latest version")).to_be_visible(timeout=30_000)
    latest = requests.get(url, headers={"Authorization": f"token {token}"}, timeout=60)
    assert latest.status_code == 200, latest.text

    form.get_by_role("button", name="Unpublish", exact=True).click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("404")
    dialog.get_by_role("button", name="Unpublish").click()
    expect(form.get_by_text("Unpublished: sales no longer answers.")).to_be_visible(timeout=30_000)
    expect(form.get_by_label("curl example")).to_have_count(0)
    gone = requests.get(url, headers={"Authorization": f"token {token}"}, timeout=60)
    assert gone.status_code == 404, gone.text
    shot(page, output_dir, "03c-unpublished")


def schedule(page: Page, output_dir: Path) -> None:
    toolbar(page, "Schedule").click()
    form = panel(page, "Schedule")
    cron = form.get_by_label("Cron expression (UTC)")
    cron.fill("61 * * * *")
    expect(form.get_by_role("alert")).to_contain_text("cron", timeout=10_000)
    cron.fill("30 6 * * 1-5")
    reading = form.get_by_role("status").filter(has=page.get_by_role("list"))
    expect(reading).to_contain_text("At 06:30", timeout=10_000)
    expect(reading).to_contain_text("(UTC)")
    expect(form.get_by_role("list", name="Next times").get_by_role("listitem")).to_have_count(5)
    form.get_by_label("When runs were missed").select_option("skip")
    form.get_by_label("Paused").check()
    form.get_by_role("button", name="Save schedule").click()
    expect(form.get_by_text("Paused: 30 6 * * 1-5")).to_be_visible(timeout=30_000)
    shot(page, output_dir, "04-scheduled")
    form.get_by_role("button", name="Remove schedule").click()
    expect(form.get_by_text("Schedule removed")).to_be_visible(timeout=30_000)
    expect(form.get_by_role("button", name="Remove schedule")).to_have_count(0)


def test_versions_publish_and_schedule(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    shutil.copy(EXAMPLES / "sales_by_region.flow", home / FLOW)
    shutil.copy(EXAMPLES / "sales.csv", home / "sales.csv")
    wait_ready(lab_hub.url)
    log_in(page, lab_hub, USER)
    open_flow(page)

    save_version(page, "as shipped", "Saved as version 1")
    change_condition(page, SECOND)
    save_version(page, "bigger orders only", "Saved as version 2")
    diff_and_restore(page, home, output_dir)

    url = publish(page, output_dir)
    client = HubClient(lab_hub.url)
    logged_in, error = client.login(USER, PASSWORD)
    assert logged_in, error
    token = client.new_token()
    assert token not in page.content()
    reply = requests.get(
        url, params={"min_amount": "0"}, headers={"Authorization": f"token {token}"}, timeout=60
    )
    assert reply.status_code == 200, reply.text
    results = json.dumps(reply.json())
    assert "region" in results, results
    no_token = requests.get(url, timeout=60)
    assert no_token.status_code == 401, no_token.text
    recent_calls_and_unpublish(page, url, token, output_dir)

    schedule(page, output_dir)
