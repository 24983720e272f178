"""Workspaces (named servers) on a real hub: bad names refused before anything is stored,
display names kept and passed to the server; the admin's count of waiting sign-ups; the
hub's pages in Galilean's frame."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from tornado import web

from conftest import PASSWORD, admin_client, approved_user, hub_fixture
from galilean_hub.workspaces import (
    NAME_MAX,
    name_problem,
    options_from_form,
    workspace_env_title,
)
from harness.client import HubClient
from harness.hub import Hub

hub = hub_fixture("workspaces-hub", GALILEAN_CULL_IDLE_SECONDS="0")

BAD_NAMES = ["My Project!", "MyProject", "-project", "my_project", "my.project", "a" * 33, "é"]
RULE_WORDS = "lowercase letters, digits and '-'"


def servers(client: HubClient) -> dict[str, dict[str, object]]:
    return dict(client.user_model().get("servers", {}))


@pytest.mark.parametrize("name", ["my-project", "p1", "0", "a" * NAME_MAX])
def test_good_names(name: str) -> None:
    assert name_problem(name) == ""


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_are_explained(name: str) -> None:
    assert RULE_WORDS in name_problem(name)


def test_display_name_from_the_page_form() -> None:
    assert options_from_form({"display_name": ["  My Project!  "], "_xsrf": ["x"]}) == {
        "display_name": "My Project!"
    }
    assert options_from_form({"display_name": [""]}) == {}
    assert options_from_form({}) == {}
    for bad in (["x" * 81], ["a\x00b"], ["one", "two"]):
        with pytest.raises(web.HTTPError) as caught:
            options_from_form({"display_name": bad})
        assert caught.value.status_code == 400
        assert "display_name" in str(caught.value.log_message)


def test_title_falls_back_to_the_name() -> None:
    class Spawner:
        name = "my-project"

        def __init__(self, options: dict[str, object]) -> None:
            self.user_options = options

    assert workspace_env_title(Spawner({})) == "my-project"
    assert workspace_env_title(Spawner({"display_name": "My Project!"})) == "My Project!"


def test_api_refuses_bad_names_before_storing_anything(hub: Hub) -> None:
    user = approved_user(hub, admin_client(hub), "wsapi")
    for name in BAD_NAMES:
        reply = user.api("POST", f"/users/wsapi/servers/{quote(name, safe='')}")
        assert reply.status_code == 400, (name, reply.text)
        body = reply.json()
        assert body["status"] == 400
        assert RULE_WORDS in body["message"]
        assert repr(name) in body["message"]
    assert set(servers(user)) == {""}
    assert "Traceback" not in hub.log().split("wsapi", 1)[-1]


@pytest.fixture(scope="module")
def options_user(hub: Hub) -> HubClient:
    return approved_user(hub, admin_client(hub), "wsopts")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"display_name": 42}, "display_name must be a string"),
        ({"display_name": "x" * 81}, "at most 80 characters"),
        ({"display_name": "bell\x07"}, "no control characters"),
        ({"image": "evil"}, "unknown workspace option 'image'"),
        (["display_name"], "must be a JSON object"),
    ],
)
def test_api_refuses_bad_options(options_user: HubClient, body: object, words: str) -> None:
    user = options_user
    reply = user.api("POST", "/users/wsopts/servers/fine-name", json=body)
    assert reply.status_code == 400, reply.text
    assert words in reply.json()["message"]
    assert "fine-name" not in servers(user)


def test_display_name_is_stored_shown_and_passed_to_the_server(hub: Hub) -> None:
    user = approved_user(hub, admin_client(hub), "wsgood")
    reply = user.api(
        "POST", "/users/wsgood/servers/my-project", json={"display_name": "My Project!"}
    )
    assert reply.status_code in (201, 202), reply.text
    user.wait_server("my-project", ready=True, timeout=180)
    model = servers(user)["my-project"]
    assert model["user_options"] == {"display_name": "My Project!"}

    env = hub.server_environment("wsgood", "my-project")
    assert env["GALILEAN_WORKSPACE"] == "my-project"
    assert env["GALILEAN_WORKSPACE_TITLE"] == "My Project!"

    home = user.http.get(f"{hub.url}/hub/home", timeout=30).text
    assert "<h1>Workspaces</h1>" in home
    assert "Named Servers" not in home
    assert "My Project!" in home
    assert 'data-server-name="my-project"' in home

    # Started again without options: the display name stays (JupyterHub reuses them).
    user.stop_server("my-project")
    user.start_server("my-project")
    assert servers(user)["my-project"]["user_options"] == {"display_name": "My Project!"}
    assert hub.server_environment("wsgood", "my-project")["GALILEAN_WORKSPACE_TITLE"] == (
        "My Project!"
    )
    user.stop_server("my-project")


def test_spawn_page_refuses_bad_names_and_display_names(hub: Hub) -> None:
    user = approved_user(hub, admin_client(hub), "wspage")
    page = user.http.get(f"{hub.url}/hub/spawn/wspage/{quote('My Project!', safe='')}", timeout=30)
    assert page.status_code == 400
    assert RULE_WORDS in page.text.replace("&#39;", "'")
    assert 'id="galilean-brand"' in page.text
    page = user.http.get(
        f"{hub.url}/hub/spawn/wspage/fine-name?display_name={quote('x' * 81)}", timeout=30
    )
    assert page.status_code == 400
    assert "at most 80 characters" in page.text
    # A POST to the spawn page (JupyterHub's options form) is checked as well.
    page = user.http.post(
        f"{hub.url}/hub/spawn/wspage/Bad%20Name",
        data={"_xsrf": user.xsrf_cookie()},
        timeout=30,
    )
    assert page.status_code == 400
    assert set(servers(user)) == {""}


def authorize_link(html: str) -> str | None:
    match = re.search(r'id="galilean-authorize-link"[^>]*>(.*?)</a>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else None


def test_admin_sees_waiting_sign_ups_and_others_do_not(hub: Hub) -> None:
    admin = admin_client(hub)
    member = approved_user(hub, admin, "wsmember")

    def count() -> int:
        text = authorize_link(admin.http.get(f"{hub.url}/hub/home", timeout=30).text)
        assert text is not None
        match = re.fullmatch(r"Authorize users \((\d+)\)", text)
        assert match, text
        return int(match.group(1))

    before = count()
    HubClient(hub.url).signup("wswaiting1", PASSWORD)
    HubClient(hub.url).signup("wswaiting2", PASSWORD)
    assert count() == before + 2
    assert admin.authorize("wswaiting1") == 200
    assert count() == before + 1

    for path in ("/hub/home", "/hub/token", "/hub/nonexistent"):
        html = member.http.get(f"{hub.url}{path}", timeout=30).text
        assert authorize_link(html) is None, path
        assert "Authorize users" not in html
    # The admin's own pages all carry it, the admin panel (a React app) included.
    for path in ("/hub/admin", "/hub/authorize", "/hub/token"):
        assert authorize_link(admin.http.get(f"{hub.url}{path}", timeout=30).text), path


def test_pages_are_galilean(hub: Hub) -> None:
    anonymous = HubClient(hub.url)
    for path in ("/hub/login", "/hub/signup", "/hub/nonexistent"):
        page = anonymous.http.get(f"{hub.url}{path}", timeout=30)
        assert "<title>Galilean</title>" in page.text, path
        assert 'id="galilean-brand"' in page.text, path
        assert "JupyterHub logo" not in page.text, path
        assert "galilean-authorize-link" not in page.text, path
    assert anonymous.http.get(f"{hub.url}/hub/nonexistent", timeout=30).status_code == 404
    logo = anonymous.http.get(f"{hub.url}/hub/logo", timeout=30)
    assert logo.status_code == 200
    assert logo.headers["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in logo.content
