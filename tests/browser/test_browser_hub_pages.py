"""Chromium on the hub's own pages: Galilean's frame on sign-up, login, home, authorize,
admin and error pages; workspaces created from the home page (a bad name is refused with
the rule and nothing is created, a good one with a display name and a profile starts, shows
its limits in JupyterLab's status bar and is listed); the admin's "Authorize users (N)"
link. Screenshots in the test output folder."""

from __future__ import annotations

import re
from pathlib import Path

from lab import SPAWN_TIMEOUT_MS, lab_user, wait_for_lab
from playwright.sync_api import Page, expect

from conftest import ADMIN, PASSWORD, admin_client, group_with
from harness.client import HubClient
from harness.hub import Hub

USER = "hubpages"
WAITING = "hubpages-waiting"
RULE_WORDS = "lowercase letters, digits and '-'"


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"hub-pages-{name}.png"), full_page=True)


def log_in_to_home(page: Page, hub: Hub, user: str) -> None:
    """Log in through the login page, straight to the workspaces page (no server starts)."""
    page.goto(f"{hub.url}/hub/login?next=/hub/home")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"{hub.url}/hub/home")


def expect_galilean_frame(page: Page) -> None:
    brand = page.locator("#galilean-brand")
    expect(brand).to_be_visible()
    expect(brand).to_have_text("Galilean")
    expect(brand.locator("img")).to_have_js_property("naturalWidth", 64)
    expect(page).to_have_title("Galilean")


def test_anonymous_pages(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    page.goto(f"{lab_hub.url}/hub/signup")
    expect_galilean_frame(page)
    expect(page.locator(".auth-form-header")).to_contain_text("Sign Up")
    shot(page, output_dir, "01-signup")

    page.goto(f"{lab_hub.url}/hub/login")
    expect_galilean_frame(page)
    page.fill("#username_input", "nobody-here")
    page.fill("#password_input", "wrong-password-123")
    page.click("#login_submit")
    expect(page.locator(".login_error")).to_contain_text("Invalid username or password")
    expect_galilean_frame(page)
    shot(page, output_dir, "02-login-refused")

    page.goto(f"{lab_hub.url}/hub/nonexistent")
    expect_galilean_frame(page)
    expect(page.locator(".error h1")).to_contain_text("404")
    shot(page, output_dir, "03-error-404")


def test_workspaces_from_the_home_page(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    lab_user(lab_hub, USER)
    group_with(lab_hub, "hubpages-lean", [USER])
    offered = admin_client(lab_hub).api(
        "PUT", "/groups/hubpages-lean/properties", json={"galilean.profiles": ["lean"]}
    )
    assert offered.status_code == 200, offered.text
    log_in_to_home(page, lab_hub, USER)
    expect_galilean_frame(page)
    expect(page.locator("h1")).to_have_text("Workspaces")
    expect(page.get_by_text("Named Servers")).to_have_count(0)
    expect(page.locator("#galilean-authorize-link")).to_have_count(0)
    shot(page, output_dir, "04-home")

    # A bad name: the rule, shown at once; nothing is created.
    page.fill("#galilean-ws-name", "My Project!")
    page.click("#galilean-ws-create")
    error = page.locator("#galilean-ws-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(RULE_WORDS)
    expect(page).to_have_url(f"{lab_hub.url}/hub/home")
    shot(page, output_dir, "05-home-bad-name")

    # The same name typed into the URL: the hub refuses it too, on its error page.
    page.goto(f"{lab_hub.url}/hub/spawn/{USER}/My%20Project!")
    expect(page.locator(".error h1")).to_contain_text("400")
    expect(page.locator(".error")).to_contain_text(RULE_WORDS)
    expect_galilean_frame(page)
    shot(page, output_dir, "06-spawn-bad-name")
    client = HubClient(lab_hub.url)
    client.login(USER, PASSWORD)
    client.new_token()
    assert set(client.user_model()["servers"]) <= {""}

    # A good name with a display name and the smaller size: it starts, JupyterLab's status
    # bar shows the memory used of the profile's, and the home page lists it by that name.
    page.goto(f"{lab_hub.url}/hub/home")
    page.fill("#galilean-ws-name", "my-project")
    page.fill("#galilean-ws-title", "My Project!")
    size = page.locator("#galilean-ws-profile")
    expect(size).to_have_value("standard")
    size.select_option("lean")
    shot(page, output_dir, "07-home-new-workspace-size")
    page.click("#galilean-ws-create")
    page.wait_for_url(f"{lab_hub.url}/user/{USER}/my-project/**", timeout=SPAWN_TIMEOUT_MS)
    wait_for_lab(page)
    usage = page.locator(".jp-StatusBar-Widget", has_text="Mem:")
    expect(usage).to_contain_text(
        re.compile(r"CPU:\s+[\d.]+ % \| Mem:\s+[\d.]+ / 2048\.00 MB"), timeout=30_000
    )
    shot(page, output_dir, "08-lab-status-bar-limits")
    page.goto(f"{lab_hub.url}/hub/home")
    row = page.locator('tr[data-server-name="my-project"]')
    expect(row.locator(".galilean-ws-title")).to_have_text("My Project!")
    expect(row.locator(".galilean-ws-name")).to_have_text("my-project · lean")
    expect(row.locator(".server-link")).to_be_visible()
    shot(page, output_dir, "09-home-running-workspace")
    model = client.user_model()["servers"]["my-project"]
    assert model["user_options"] == {"display_name": "My Project!", "profile": "lean"}

    # Started again from the home page: the spawn page offers the sizes, this one chosen.
    row.locator(".stop-server").click()
    expect(row.locator(".start-server")).to_be_visible(timeout=60_000)
    row.locator(".start-server").click()
    expect(page.locator("#profile-lean")).to_be_checked()
    expect(page.locator("#profile-standard")).not_to_be_checked()
    expect_galilean_frame(page)
    shot(page, output_dir, "10-spawn-page-sizes")
    page.locator("#profile-standard").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"{lab_hub.url}/user/{USER}/my-project/**", timeout=SPAWN_TIMEOUT_MS)
    wait_for_lab(page)
    expect(page.locator(".jp-StatusBar-Widget", has_text="Mem:")).to_contain_text(
        "/ 8192.00 MB", timeout=30_000
    )
    page.goto(f"{lab_hub.url}/hub/home")
    expect(row.locator(".galilean-ws-name")).to_have_text("my-project · standard")
    expect(row.locator(".galilean-ws-title")).to_have_text("My Project!")  # kept
    expect(page.get_by_role("link", name="Usage", exact=True)).to_have_count(0)  # admins'

    # JupyterHub's own script still drives the row: stop, then delete.
    row.locator(".stop-server").click()
    expect(row.locator(".start-server")).to_be_visible(timeout=60_000)
    expect(row.locator(".server-link")).to_be_hidden()
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator(".delete-server").click()
    expect(row).to_have_count(0, timeout=30_000)
    client.wait_server("my-project", ready=False, timeout=60)
    assert "my-project" not in client.user_model()["servers"]


def test_admin_is_told_about_waiting_sign_ups(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    admin_client(lab_hub)
    HubClient(lab_hub.url).signup(WAITING, PASSWORD)
    log_in_to_home(page, lab_hub, ADMIN)
    link = page.locator("#galilean-authorize-link")
    expect(link).to_have_text(re.compile(r"^Authorize users \([1-9]\d*\)$"))
    shot(page, output_dir, "11-admin-home")

    page.goto(f"{lab_hub.url}/hub/admin")
    expect_galilean_frame(page)
    expect(page.locator("#galilean-authorize-link")).to_be_visible()
    # JupyterHub's React app renders inside the frame, unchanged.
    expect(page.get_by_test_id("start-all")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("user-name-div-" + WAITING)).to_have_count(0)
    shot(page, output_dir, "12-admin-panel")

    page.locator("#galilean-authorize-link").click()
    page.wait_for_url(f"{lab_hub.url}/hub/authorize")
    expect_galilean_frame(page)
    expect(page.locator(f'tr[id="{WAITING}"]')).to_be_visible()
    shot(page, output_dir, "13-authorize")

    # The usage dashboard, from the navigation (admins only): the hub pages' user's home
    # workspace, with its size and a measurement; pinned, then stopped from there.
    user = HubClient(lab_hub.url)
    assert user.login(USER, PASSWORD) == (True, "")
    user.new_token()
    user.start_server()
    page.get_by_role("link", name="Usage", exact=True).click()
    page.wait_for_url(f"{lab_hub.url}/services/usage/")
    expect(page.locator("h1")).to_have_text("Usage")
    row = page.locator(f'tr[data-user="{USER}"][data-server=""]')
    expect(row).to_contain_text("standard")
    for _ in range(30):  # measured every 5 s here: the page shows what was measured
        if "MB of 8.0 GB" in (row.locator("td.memory").text_content() or ""):
            break
        page.wait_for_timeout(2000)
        page.reload()
    expect(row.locator("td.memory")).to_contain_text(re.compile(r"MB of 8\.0 GB"))
    expect(page.locator("#services")).to_contain_text("healthy")
    # The sign-up still waiting, by name, beside the way to approve it.
    expect(page.locator("#signups .signup").filter(has_text=WAITING)).to_have_count(1)
    expect(page.locator("#signups").get_by_role("link", name="Authorize users")).to_be_visible()
    row.locator("button.pin").click()
    expect(row.locator("button.unpin")).to_be_visible()
    expect(row).to_contain_text("(pinned)")
    shot(page, output_dir, "14-usage-dashboard")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button.stop").click()
    user.wait_server("", ready=False, timeout=60)
    page.reload()
    expect(page.locator("#events")).to_contain_text(f"{USER}/home")
    expect(page.locator("#events")).to_contain_text("stopped-by-admin")

    # The admin sets the user's storage quota there (the hub's is 1 GB here), and back.
    person = page.locator(f'tr[data-person="{USER}"]')
    expect(person).to_contain_text("of 1.0 GB")
    person.get_by_label(f"storage quota of {USER}").fill("2G")
    person.locator("button.quota").click()
    page.wait_for_url(f"{lab_hub.url}/services/usage/")
    expect(person).to_contain_text("of 2.0 GB")
    expect(person.get_by_label(f"storage quota of {USER}")).to_have_value("2G")
    expect(page.locator("#events")).to_contain_text("storage quota 2G by admin")
    shot(page, output_dir, "15-usage-quota")
    person.get_by_label(f"storage quota of {USER}").fill("")
    person.locator("button.quota").click()
    expect(person).to_contain_text("of 1.0 GB")
