"""Chromium signs up and logs in through the real hub pages and finds Galilean in JupyterLab."""

from __future__ import annotations

from pathlib import Path

from lab import wait_for_lab
from playwright.sync_api import Page, expect

from conftest import ADMIN, PASSWORD
from harness.hub import Hub

SPAWN_TIMEOUT_MS = 180_000


def test_sign_up_log_in_and_find_galilean(page: Page, hub: Hub, output_dir: Path) -> None:
    page.goto(f"{hub.url}/hub/signup")
    page.fill("#username_input", ADMIN)
    page.fill("#password_input", PASSWORD)
    page.fill("#password_confirmation_input", PASSWORD)
    page.click("#signup_submit")
    expect(page.locator(".alert")).to_contain_text("signup was successful")
    page.screenshot(path=str(output_dir / "01-signed-up.png"))

    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", ADMIN)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")

    # The hub spawns the default workspace and lands in JupyterLab.
    page.wait_for_url(f"{hub.url}/user/{ADMIN}/lab**", timeout=SPAWN_TIMEOUT_MS)
    wait_for_lab(page)
    section = page.locator(".jp-Launcher-sectionTitle", has_text="Galilean")
    expect(section).to_be_visible(timeout=60_000)
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "02-launcher.png"))

    page.locator(".jp-LauncherCard", has_text="About Galilean").click()
    features = page.locator(".galilean-About-features li")
    expect(features.first).to_be_visible(timeout=30_000)
    expect(page.locator('.galilean-About-features li[data-feature="sql"]')).to_have_attribute(
        "data-available", "true"
    )
    page.screenshot(path=str(output_dir / "03-about.png"))
