"""Chromium, as a new user (issue 17's vault): the Secrets panel in JupyterLab's left
sidebar starts empty; a bad name is refused before sending; a secret is added (its value
typed into a password field, never shown again: not in the page once saved), replaced
and, after a confirm, deleted. Between those, a notebook cell reads it with
`secrets.get`, through the server's own hub token, and a connection takes its password from
it (the form's "password from": the file keeps the name only), and a flow's HTTP source
sends it as a header (the node form's header "from: secret" lists it by name; the file
keeps `{"$secret": name}`; the preview reaches an API that wants it and shows its echo of
the value hidden). Screenshots: secrets-*.png."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from designer_page import select
from lab import cells, lab_user, log_in, open_in_lab, run_cell, save_notebook, write_notebook
from playwright.sync_api import Locator, Page, expect
from secret_scan import remember

from harness.hub import Hub
from harness.local_http import QuietHandler, serving

USER = "secretsfan"
NAME = "WAREHOUSE_PASSWORD"
FIRST = "first-Value-7d2c"
SECOND = "second-Value-91ab"
# The notebook compares a digest: a value in its source would be a secret in a file.
CHECK = (
    "import hashlib\n"
    "from galilean_server.kernel.api import secrets\n"
    f"value = secrets.get({NAME!r}).encode()\n"
    f"print(sorted(secrets.names()), hashlib.sha256(value).hexdigest() == "
    f"{hashlib.sha256(SECOND.encode()).hexdigest()!r})"
)
remember(FIRST, SECOND)  # the lab hub's secret scan looks for them (secret_scan.py)


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"secrets-{name}.png"))


def open_panel(page: Page) -> Locator:
    page.locator(".jp-SideBar .lm-TabBar-tab[data-id='galilean-secrets']").click()
    panel = page.locator("#galilean-secrets")
    expect(panel.get_by_role("heading", name="Secrets")).to_be_visible(timeout=30_000)
    return panel


def save(panel: Locator, form_name: str, value: str, name: str | None = None) -> None:
    form = panel.get_by_role("form", name=form_name)
    if name is not None:
        form.get_by_label("Name").fill(name)
    form.get_by_label("Value").fill(value)
    expect(form.get_by_label("Value")).to_have_attribute("type", "password")
    form.get_by_role("button", name="Save").click()


class KeyedApi(QuietHandler):
    """An API that answers only with the secret as its Authorization header, echoing it."""

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        raw = json.dumps([{"order": 7, "echo": auth}]).encode()
        self.send_response(200 if auth == SECOND else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def keyed_api() -> Iterator[str]:
    with serving(KeyedApi) as url:
        yield f"{url}/orders"


def keyed_flow(url: str) -> dict[str, Any]:
    """An HTTP JSON source whose Authorization header is typed in (to be made a secret)."""
    return {
        "galilean_flow": 1,
        "name": "keyed",
        "nodes": [
            {
                "id": "orders",
                "kind": "source.http_json",
                "params": {"url": url, "headers": {"Authorization": "typed-in"}},
                "position": {"x": 0, "y": 0},
            },
            {
                "id": "show",
                "kind": "destination.display",
                "params": {},
                "position": {"x": 300, "y": 0},
            },
        ],
        "edges": [{"id": "e1", "from": {"node": "orders"}, "to": {"node": "show"}}],
    }


def header_from_secret(page: Page, lab_hub: Hub, home: Path, output_dir: Path) -> None:
    """In the designer: the header's "from" set to secret offers the user's secret by
    name; saved as a reference; the preview sends it and shows the API's echo hidden."""
    open_in_lab(page, lab_hub, USER, "keyed.flow")
    select(page, "orders")
    side = page.get_by_role("complementary", name="Node parameters")
    side.get_by_role("combobox", name="Authorization: from").select_option("secret")
    secret = side.get_by_role("combobox", name="Authorization: secret")
    expect(secret).to_have_value(NAME, timeout=30_000)
    shot(page, output_dir, "05-flow-header-from-secret")
    saved = save_notebook(page, home / "keyed.flow")
    headers = saved["nodes"][0]["params"]["headers"]
    assert headers == {"Authorization": {"$secret": NAME}}
    page.get_by_role("button", name="Preview orders").click()
    grid = page.get_by_role("table", name="Preview of orders")
    expect(grid.locator("tbody tr")).to_have_count(1, timeout=30_000)
    expect(grid.locator("tbody tr")).to_contain_text("[secret]")
    assert SECOND not in page.content()
    shot(page, output_dir, "06-flow-preview")


def test_secrets_panel_and_a_notebook(
    page: Page, lab_hub: Hub, output_dir: Path, keyed_api: str
) -> None:
    home = lab_user(lab_hub, USER)
    write_notebook(home, "secrets.ipynb", [CHECK])
    (home / "keyed.flow").write_text(json.dumps(keyed_flow(keyed_api)))
    log_in(page, lab_hub, USER)
    panel = open_panel(page)
    expect(panel.get_by_text("No secrets yet.")).to_be_visible(timeout=30_000)

    panel.get_by_role("button", name="Add a secret").click()
    form = panel.get_by_role("form", name="New secret")
    form.get_by_label("Name").fill("bad-name")
    expect(form.get_by_role("alert")).to_contain_text("A letter or _")
    expect(form.get_by_role("button", name="Save")).to_be_disabled()
    shot(page, output_dir, "01-bad-name")

    save(panel, "New secret", FIRST, name=NAME)
    expect(panel.get_by_role("status")).to_have_text(f"{NAME} saved.", timeout=30_000)
    expect(panel.get_by_role("listitem", name=f"Secret {NAME}")).to_contain_text("saved ")
    assert FIRST not in page.content()  # not in the page once saved
    shot(page, output_dir, "02-saved")

    panel.get_by_role("button", name=f"Replace {NAME}").click()
    save(panel, f"Replace {NAME}", SECOND)
    expect(panel.get_by_role("status")).to_have_text(f"{NAME} saved.", timeout=30_000)
    assert SECOND not in page.content()

    open_in_lab(page, lab_hub, USER, "secrets.ipynb")
    cell = cells(page).nth(0)
    run_cell(page, cell)
    expect(cell.locator(".jp-OutputArea-output")).to_have_text(f"['{NAME}'] True", timeout=60_000)
    shot(page, output_dir, "03-notebook-reads-it")

    # A connection whose password is the secret: chosen by name, no password typed.
    page.locator(".jp-SideBar [data-id='galilean-schema-browser']").click()
    browser = page.locator("#galilean-schema-browser")
    browser.locator(".galilean-Schema-add").click()
    form = browser.locator(".galilean-ConnectionForm")
    form.locator("select[name='dialect']").select_option("postgresql")
    form.locator("input[name='name']").fill("warehouse")
    form.locator("input[name='host']").fill("db.example")
    form.locator("input[name='user']").fill("ann")
    choice = form.locator("select[name='password_secret']")
    expect(choice.locator(f"option[value='{NAME}']")).to_have_count(1, timeout=30_000)
    choice.select_option(NAME)
    expect(form.locator("input[name='password']")).to_be_hidden()
    shot(page, output_dir, "04-connection-from-secret")
    form.locator(".galilean-ConnectionForm-save").click()
    expect(
        browser.locator(".galilean-Schema-connection[data-connection='warehouse']")
    ).to_be_visible()
    saved = json.loads((home / ".galilean" / "connections.json").read_text())
    assert saved["connections"]["warehouse"] == {
        "url": "postgresql+psycopg://ann@db.example",
        "password_secret": NAME,
    }

    header_from_secret(page, lab_hub, home, output_dir)

    panel = open_panel(page)
    panel.get_by_role("button", name=f"Delete {NAME}").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text(f"Delete {NAME}?")
    dialog.get_by_role("button", name="Delete").click()
    expect(panel.get_by_role("status")).to_have_text(f"{NAME} deleted.", timeout=30_000)
    expect(panel.get_by_text("No secrets yet.")).to_be_visible()
    shot(page, output_dir, "07-deleted")
