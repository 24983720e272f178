"""Chromium, a read-only view of a notebook (issue 18, "Read-only view: a user without a
share gets 404; one with the view cannot execute").

The owner opens a notebook with saved outputs (one of them HTML with a script), clicks the
notebook's Publish button, chooses code hidden for one reader, and gets the view's address.
The reader, in another browser context, opens it: the outputs are there, the code is not,
the output's script did not run, and there is nothing to execute with (no kernel, no
JupyterLab). A third user gets 404. Screenshots in the test output folder."""

from __future__ import annotations

import json
from pathlib import Path

from lab import hub_login, lab_user, log_in, open_in_lab
from playwright.sync_api import Browser, Page, expect

from harness.hub import Hub

OWNER, READER, OTHER = "viewowner", "viewreader", "viewother"
NOTEBOOK = "quarterly.ipynb"


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"publish-{name}.png"))


def with_outputs() -> dict[str, object]:
    return {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "m",
                "metadata": {},
                "source": "# Quarterly numbers",
            },
            {
                "cell_type": "code",
                "execution_count": 1,
                "id": "a",
                "metadata": {},
                "source": "secret_formula = 6 * 7\nprint('answer', secret_formula)",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "answer 42\n"}],
            },
            {
                "cell_type": "code",
                "execution_count": 2,
                "id": "b",
                "metadata": {},
                "source": "show_table()",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "text/html": "<table id='sales'><tr><td>north</td><td>17</td>"
                            "</tr></table><script>window.ran = 'yes'</script>",
                            "text/plain": "table",
                        },
                    }
                ],
            },
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_publish_a_read_only_view(browser: Browser, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, OWNER)
    lab_user(lab_hub, READER)
    lab_user(lab_hub, OTHER)
    (home / NOTEBOOK).write_text(json.dumps(with_outputs()))
    owner_context = browser.new_context()
    reader_context = browser.new_context()
    try:
        owner = owner_context.new_page()
        log_in(owner, lab_hub, OWNER)
        open_in_lab(owner, lab_hub, OWNER, NOTEBOOK)
        owner.locator(".jp-GalileanPublish-button").click()
        dialog = owner.locator(".jp-Dialog")
        expect(dialog).to_contain_text("Publish a read-only view of quarterly.ipynb")
        dialog.get_by_label("hidden (outputs only)").check()
        dialog.get_by_label("Hub users (names, comma-separated)").fill(READER)
        shot(owner, output_dir, "01-dialog")
        dialog.get_by_role("button", name="Publish").click()
        address = owner.locator("#galilean-published-url")
        expect(address).to_be_visible(timeout=60_000)
        url = address.get_attribute("href") or ""
        assert "/hub/galilean/view/" in url
        expect(owner.locator(".jp-Dialog")).to_contain_text(f"For: {READER}")
        shot(owner, output_dir, "02-published")
        owner.locator(".jp-Dialog").get_by_role("button", name="Ok").click()

        reader = reader_context.new_page()
        hub_login(reader, lab_hub, READER)
        # The reader finds it on the hub's home page.
        listed = reader.locator("#galilean-views-for-me tr", has_text="quarterly")
        expect(listed).to_contain_text(OWNER)
        shot(reader, output_dir, "03-home-for-me")
        listed.get_by_role("button", name="Open").click()
        expect(reader.locator("#galilean-view-banner")).to_contain_text(f"published by {OWNER}")
        expect(reader.get_by_role("heading", name="Quarterly numbers")).to_be_visible()
        expect(reader.locator("body")).to_contain_text("answer 42")
        expect(reader.locator("#sales")).to_contain_text("north")
        expect(reader.locator("body")).not_to_contain_text("secret_formula")
        # Nothing runs: the output's script did not, and there is no kernel or JupyterLab.
        assert reader.evaluate("() => window.ran === undefined")
        expect(reader.locator(".jp-Notebook-ExecutionIndicator")).to_have_count(0)
        expect(reader.locator("#jupyterlab-splash")).to_have_count(0)
        shot(reader, output_dir, "04-reader")

        reader_context.clear_cookies()
        hub_login(reader, lab_hub, OTHER)
        refused = reader.goto(f"{lab_hub.url}{url}" if url.startswith("/") else url)
        assert refused is not None
        assert refused.status == 404

        # The owner withdraws it from the hub's home page: its address is gone.
        owner.goto(f"{lab_hub.url}/hub/home")
        mine = owner.locator("#galilean-views-mine tr", has_text="quarterly")
        expect(mine).to_contain_text("code hidden")
        expect(mine).to_contain_text(READER)
        owner.once("dialog", lambda dialog: dialog.accept())
        mine.get_by_role("button", name="Withdraw").click()
        expect(mine).to_have_count(0)
        gone = owner.goto(f"{lab_hub.url}{url}" if url.startswith("/") else url)
        assert gone is not None
        assert gone.status == 404
    finally:
        owner_context.close()
        reader_context.close()
