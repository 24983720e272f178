"""The flows service from a user's seat: `/services/flows/` is a page for browsers (your
flows, runs, endpoints, schedules) and JSON for API clients; every link either of them
advertises answers 200 for the owner; a flow with two misspelled columns is refused
with both, each naming its node."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
import requests
from flow_builders import filtered_totals
from flows_api import SERVICE, Flows, error_of, wait_ready

from conftest import admin_client, approved_user, hub_fixture
from harness.client import HubClient
from harness.hub import Hub

hub = hub_fixture("flows-pages-hub")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def inline_flow(condition: str, group_by: str, name: str) -> dict[str, Any]:
    orders = {
        "kind": "source.inline",
        "params": {
            "columns": [{"name": "region"}, {"name": "amount", "type": "DOUBLE"}],
            "rows": [["north", 10], ["south", 25], ["north", 40]],
        },
    }
    return filtered_totals(orders, condition, group_by, name=name)


@pytest.fixture(scope="module")
def users(hub: Hub) -> dict[str, HubClient]:
    wait_ready(hub.url)
    admin = admin_client(hub)
    return {name: approved_user(hub, admin, name) for name in ("pagefan", "other", "newcomer")}


@pytest.fixture(scope="module")
def published(users: dict[str, HubClient]) -> dict[str, Any]:
    """pagefan's flow with a finished run, an endpoint and a schedule; other's flow."""
    api = Flows.of(users["pagefan"])
    flow = api.ok("POST", "/api/flows", {"flow": inline_flow("amount > 5", "region", "Mine")}, 201)
    run = api.ok("POST", f"/api/flows/{flow['id']}/runs", {}, 202)
    assert api.wait_run(run["id"])["status"] == "succeeded"
    api.ok("PUT", f"/api/flows/{flow['id']}/endpoint", {"name": "pagefan-totals"})
    api.ok("PUT", f"/api/flows/{flow['id']}/schedule", {"cron": "0 3 1 1 *"})
    theirs = inline_flow("amount > 5", "region", "Not yours")
    Flows.of(users["other"]).ok("POST", "/api/flows", {"flow": theirs}, 201)
    return {"flow": flow, "run": run}


def test_browsers_get_a_page_with_only_your_flows(
    hub: Hub, users: dict[str, HubClient], published: dict[str, Any]
) -> None:
    browser = users["pagefan"].http  # the hub's login cookies: OAuth through the hub
    reply = browser.get(f"{hub.url}{SERVICE}/", headers={"Accept": "text/html"}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"].startswith("text/html")
    page = parsed(reply.text)
    text = " ".join(page.text)
    assert "Galilean flows" in text
    assert "Logged in as" in text
    assert "pagefan" in text
    assert "Mine" in text
    assert "Not yours" not in text  # the other user's flow
    assert "succeeded" in text
    assert f"{SERVICE}/execute/pagefan-totals" in text
    assert "0 3 1 1 *" in text
    flow_id, run_id = published["flow"]["id"], published["run"]["id"]
    for href in (
        f"{SERVICE}/api/",
        f"{SERVICE}/api/openapi.json",
        f"{SERVICE}/api/flows/{flow_id}",
        f"{SERVICE}/api/flows/{flow_id}/runs",
        f"{SERVICE}/api/runs/{run_id}",
        f"{SERVICE}/execute/pagefan-totals",
    ):
        assert href in page.hrefs


def test_api_clients_still_get_json(hub: Hub, users: dict[str, HubClient]) -> None:
    api = Flows.of(users["pagefan"])
    for accept in ("application/json", "*/*", "application/json, text/html;q=0.9"):
        reply = api.call("GET", "/", headers={"Accept": accept})
        assert reply.status_code == 200
        assert reply.headers["Content-Type"] == "application/json"
        assert reply.json()["user"] == "pagefan"


def test_every_advertised_link_answers_for_the_owner(
    hub: Hub, users: dict[str, HubClient], published: dict[str, Any]
) -> None:
    browser = users["pagefan"].http
    token = {"Authorization": f"token {users['pagefan'].token}"}
    me = requests.get(f"{hub.url}{SERVICE}/", headers=token, timeout=30).json()
    advertised = {me["api"], me["openapi"]}
    for page in ("/", "/api/"):
        html = browser.get(f"{hub.url}{SERVICE}{page}", headers={"Accept": "text/html"}, timeout=30)
        assert html.status_code == 200, html.text
        advertised |= set(parsed(html.text).hrefs)
    assert len(advertised) >= 10
    for href in sorted(advertised):
        assert href.startswith(f"{SERVICE}/"), href  # nothing from elsewhere
        # A browser following a link on the page says it comes from the same site
        # (a private endpoint refuses a session riding on a link from elsewhere).
        followed = {"Accept": "text/html", "Sec-Fetch-Site": "same-origin"}
        for headers in (token, followed):
            client = requests if headers is token else browser
            reply = client.get(f"{hub.url}{href}", headers=headers, timeout=60)
            assert reply.status_code == 200, (href, reply.status_code, reply.text[:300])


def test_the_api_page_lists_every_operation(hub: Hub, users: dict[str, HubClient]) -> None:
    spec = requests.get(f"{hub.url}{SERVICE}/api/openapi.json", timeout=30).json()
    html = users["pagefan"].http.get(
        f"{hub.url}{SERVICE}/api/", headers={"Accept": "text/html"}, timeout=30
    )
    text = " ".join(parsed(html.text).text)
    listed = requests.get(f"{hub.url}{SERVICE}/api/", timeout=30).json()["operations"]
    expected = [(m.upper(), p) for p, ops in spec["paths"].items() for m in ops]
    assert [(op["method"], op["path"].removeprefix(SERVICE)) for op in listed] == expected
    for path, ops in spec["paths"].items():
        for op in ops.values():
            assert op["summary"] in text
        assert f"{SERVICE}{path}" in text


def test_two_misspelled_columns_are_one_400_naming_both_nodes(
    users: dict[str, HubClient],
) -> None:
    api = Flows.of(users["pagefan"])
    bad = inline_flow("amout > 5", "regoin", "Two mistakes")
    for method, path in (("POST", "/api/flows"),):
        body = error_of(api.call(method, path, {"flow": bad}), 400)
        named = {(e.get("node"), e.get("path")) for e in body["errors"]}
        assert named == {("big", "condition"), ("agg", "group_by")}, body
        assert "amout" in body["error"]
    flow = api.ok("POST", "/api/flows", {"flow": inline_flow("amount > 5", "region", "v1")}, 201)
    body = error_of(api.call("POST", f"/api/flows/{flow['id']}/versions", {"flow": bad}), 400)
    assert {e.get("node") for e in body["errors"]} == {"big", "agg"}


def test_a_newcomer_is_pointed_to_the_examples(hub: Hub, users: dict[str, HubClient]) -> None:
    reply = users["newcomer"].http.get(
        f"{hub.url}{SERVICE}/", headers={"Accept": "text/html"}, timeout=30
    )
    assert reply.status_code == 200, reply.text
    text = " ".join(parsed(reply.text).text)
    assert "You have no flows here yet" in text
    assert "galilean flow run ~/examples/flows/sales_by_region.flow" in text
    assert "Not yours" not in text
