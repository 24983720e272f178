"""Chromium, as a new user: after logging in to JupyterLab, the example flows are in the
file browser (examples/flows), `galilean --help` works in a JupyterLab terminal, and
/services/flows/ is a page with the user's flows whose API documentation link opens a
readable list of the operations. Screenshots in the test output folder."""

from __future__ import annotations

import time
from pathlib import Path

from flows_api import SERVICE, Flows, document, wait_ready
from lab import lab_user, log_in
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from harness.client import HubClient
from harness.hub import Hub

USER = "flowfan"


def a_flow(hub: Hub) -> None:
    """flowfan keeps one flow in the service, with a finished run."""
    wait_ready(hub.url)
    client = HubClient(hub.url)
    logged_in, error = client.login(USER, PASSWORD)
    assert logged_in, error
    client.new_token()
    api = Flows.of(client)
    flow = document(
        [
            {
                "id": "numbers",
                "kind": "source.inline",
                "params": {"columns": [{"name": "n", "type": "INTEGER"}], "rows": [[1], [2]]},
            },
            {"id": "show", "kind": "destination.display", "params": {}},
        ],
        [("numbers", "show")],
        name="Flowfan's numbers",
    )
    created = api.ok("POST", "/api/flows", {"flow": flow}, 201)
    run = api.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)
    assert api.wait_run(run["id"])["status"] == "succeeded"


def written(page: Page, path: Path, last: str, seconds: float = 60) -> str:
    """The text of `path` once it holds `last` (a command in the terminal writes it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = path.read_text() if path.is_file() else ""
        if last in text:
            return text
        page.wait_for_timeout(200)  # the browser keeps working meanwhile
    raise AssertionError(f"{path.name} never held {last!r}")


def test_flows_from_a_users_seat(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    a_flow(lab_hub)
    log_in(page, lab_hub, USER)

    # The examples, copied into the home folder when the server started.
    listing = page.locator(".jp-DirListing-content")
    examples = listing.locator(".jp-DirListing-item", has_text="examples")
    expect(examples).to_be_visible(timeout=30_000)
    examples.dblclick()
    listing.locator(".jp-DirListing-item", has_text="flows").dblclick()
    for name in ("sales_by_region.flow", "customer_segments.flow", "quote_endpoint.flow"):
        expect(listing.locator(".jp-DirListing-item", has_text=name)).to_be_visible()
    page.screenshot(path=str(output_dir / "flows-01-examples-in-file-browser.png"))
    assert (home / "examples" / "flows" / "sales.csv").is_file()

    # A terminal finds the galilean command (the server put its folder on PATH).
    page.locator(".jp-LauncherCard", has_text="Terminal").first.click()
    terminal = page.locator(".jp-Terminal").last
    expect(terminal).to_be_visible(timeout=30_000)
    terminal.click()
    # The terminal draws on a canvas: what the commands printed is also kept in files.
    page.keyboard.type("cd ~ && galilean --help | tee galilean-help.txt\n")
    help_text = written(page, home / "galilean-help.txt", "flow")
    assert help_text.startswith("usage: galilean")
    assert "Galilean command line" in help_text
    page.keyboard.type("galilean flow run examples/flows/sales_by_region.flow | tee run.txt\n")
    ran = written(page, home / "run.txt", "west")
    assert "# show: 4 rows" in ran
    page.keyboard.type("which galilean > where.txt\n")  # printed after the run ended
    assert written(page, home / "where.txt", "galilean").strip().endswith("/bin/galilean")
    page.screenshot(path=str(output_dir / "flows-02-galilean-in-a-terminal.png"))

    # The service's landing page, as the logged-in user, then its API documentation.
    page.goto(f"{lab_hub.url}{SERVICE}/")
    expect(page.locator("h1")).to_have_text("Galilean flows", timeout=60_000)
    expect(page.locator("#flows")).to_contain_text("Flowfan's numbers")
    expect(page.locator("#runs")).to_contain_text("succeeded")
    expect(page.get_by_text(f"Logged in as {USER}")).to_be_visible()
    page.screenshot(path=str(output_dir / "flows-03-landing-page.png"), full_page=True)
    page.locator("#api-docs").click()
    expect(page.locator("h1")).to_contain_text("Galilean flows API")
    operations = page.locator("#operations tbody tr")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 20
    expect(page.locator("#operations")).to_contain_text(f"{SERVICE}/api/flows/{{flow_id}}/runs")
    page.screenshot(path=str(output_dir / "flows-04-api-docs.png"), full_page=True)
