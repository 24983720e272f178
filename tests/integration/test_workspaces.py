"""Workspaces (named servers) on a real hub: bad names refused before anything is stored,
display names kept and passed to the server; resource profiles offered by group and
enforced by a control group (as root); the admin's count of waiting sign-ups; the hub's
pages in Galilean's frame."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from tornado import web

from conftest import PASSWORD, admin_client, approved_user, hub_fixture
from galilean_hub.profiles import Profiles
from galilean_hub.workspaces import (
    NAME_MAX,
    WorkspaceOptions,
    name_problem,
    workspace_env_title,
)
from harness.client import HubClient
from harness.hub import Hub

MIB = 1024**2
# Every workspace of this hub starts with a profile (as root, each in its control group).
hub = hub_fixture(
    "workspaces-hub",
    GALILEAN_CULL_IDLE_SECONDS="0",
    GALILEAN_PROFILES="standard: 2 cpu, 4G; lean: 0.5 cpu, 768M",
    GALILEAN_DEFAULT_PROFILE="standard",
    # Storage quotas: small, and measured afresh at every ask (test_storage_quota_…).
    GALILEAN_STORAGE_QUOTA="64M",
    GALILEAN_STORAGE_EVERY_SECONDS="0",
)

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
    options_from_form = WorkspaceOptions(Profiles([]))
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
    # The hub's API shows the size it runs with: this hub's default profile.
    assert model["user_options"] == {"display_name": "My Project!", "profile": "standard"}

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
    assert servers(user)["my-project"]["user_options"] == {
        "display_name": "My Project!",
        "profile": "standard",
    }
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


def cgroup_dirs(pid: int) -> dict[str, Path]:
    """The process's memory and cpu groups (cgroup v1, as on the test machines)."""
    found: dict[str, Path] = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in ("memory", "cpu"):
            if controller in controllers.split(","):
                found[controller] = Path("/sys/fs/cgroup", controller, path.lstrip("/"))
    return found


def test_profiles_are_offered_by_group_and_enforced(hub: Hub) -> None:
    admin = admin_client(hub)
    plain = approved_user(hub, admin, "wsplain")
    member = approved_user(hub, admin, "wssized")
    assert admin.api("POST", "/groups/wslight", json={"users": ["wssized"]}).status_code == 201
    offered = admin.api("PUT", "/groups/wslight/properties", json={"galilean.profiles": ["lean"]})
    assert offered.status_code == 200, offered.text

    # Only the default: nothing to choose, and another profile refused before anything
    # is stored.
    assert 'id="galilean-ws-profile"' not in plain.http.get(f"{hub.url}/hub/home").text
    refused = plain.api("POST", "/users/wsplain/servers/p1", json={"profile": "lean"})
    assert refused.status_code == 403, refused.text
    assert "profile 'lean' is not offered to you (yours: standard)" in refused.json()["message"]
    unknown = plain.api("POST", "/users/wsplain/servers/p1", json={"profile": "huge"})
    assert unknown.status_code == 400
    assert "profile must be one of: standard, lean" in unknown.json()["message"]
    page = plain.http.get(f"{hub.url}/hub/spawn/wsplain/p1?profile=lean", timeout=30)
    assert page.status_code == 403
    assert set(servers(plain)) == {""}

    # The admin sets wsplain's profile on the usage dashboard: it replaces the default.
    usage = "/services/usage/api/profile"
    assigned = admin.api("PUT", usage, json={"user": "wsplain", "profile": "lean"})
    assert assigned.status_code == 200, assigned.text
    assert "galilean-profile-lean" in admin.user_model("wsplain")["groups"]
    refused = plain.api("POST", "/users/wsplain/servers/p1", json={"profile": "standard"})
    assert refused.status_code == 403
    assert "(yours: lean)" in refused.json()["message"]
    bad = admin.api("PUT", usage, json={"user": "wsplain", "profile": "huge"})
    assert bad.status_code == 400
    assert "profile must be one of: standard, lean" in bad.json()["error"]
    assert admin.api("PUT", usage, json={"user": "nobody", "profile": ""}).status_code == 404
    assert plain.api("PUT", usage, json={"user": "wsplain", "profile": ""}).status_code == 403
    reset = admin.api("PUT", usage, json={"user": "wsplain", "profile": ""})
    assert reset.status_code == 200, reset.text
    assert admin.user_model("wsplain")["groups"] == []
    events = admin.api("GET", "/services/usage/api/summary").json()["events"]
    assert [e["detail"] for e in events if e["user"] == "wsplain"] == [
        "profile (the default) by admin",
        "profile lean by admin",
    ]

    # A member of the group chooses on the home page and on the spawn page.
    home = member.http.get(f"{hub.url}/hub/home").content.decode()  # the page says utf-8
    assert '<option value="standard" selected>standard (2 CPU · 4 GB)</option>' in home
    assert '<option value="lean">lean (0.5 CPU · 768 MB)</option>' in home
    form = member.http.get(f"{hub.url}/hub/spawn/wssized/slim", timeout=30).content.decode()
    assert 'id="profile-standard" value="standard" checked>' in form
    assert 'id="profile-lean" value="lean">' in form
    started = member.http.post(
        f"{hub.url}/hub/spawn/wssized/slim",
        data={"_xsrf": member.xsrf_cookie(), "profile": "lean"},
        timeout=60,
    )
    assert started.status_code == 200, started.text
    member.wait_server("slim", ready=True, timeout=180)
    assert servers(member)["slim"]["user_options"] == {"profile": "lean"}
    assert (
        '· <span class="galilean-ws-profile">lean</span>'
        in member.http.get(f"{hub.url}/hub/home").text
    )

    server = hub.server_process("wssized", "slim")
    env = server.environ()
    base = member.server_url("slim")
    kernel = member.api("POST", f"{base}api/kernels", json={"name": "python3"})
    assert kernel.status_code == 201, kernel.text
    if os.geteuid() != 0:  # no control groups: no limit claimed
        assert "MEM_LIMIT" not in env
        assert "memory and CPU limits not enforced" in hub.log()
        member.stop_server("slim")
        return
    groups = cgroup_dirs(server.pid)
    assert groups["memory"].name.endswith("--wssized--slim")  # under a key of this hub
    assert (groups["memory"] / "memory.limit_in_bytes").read_text().strip() == str(768 * MIB)
    assert (groups["cpu"] / "cpu.cfs_quota_us").read_text().strip() == "50000"
    assert (groups["cpu"] / "cpu.cfs_period_us").read_text().strip() == "100000"
    # What the server starts is in them too (its kernels).
    kernels = [p for p in server.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert kernels
    assert all(cgroup_dirs(p.pid) == groups for p in kernels)
    # JupyterLab's status bar is told the limits (jupyter-resource-usage).
    assert (env["MEM_LIMIT"], env["CPU_LIMIT"]) == (str(768 * MIB), "0.5")
    metrics = member.api("GET", f"{base}api/metrics/v1")
    assert metrics.status_code == 200, metrics.text
    assert metrics.json()["limits"]["memory"]["rss"] == 768 * MIB
    assert metrics.json()["limits"]["cpu"]["cpu"] == 0.5
    assert 0 < metrics.json()["rss"] < 768 * MIB
    assert "warn" not in metrics.json()["limits"]["cpu"]  # its own would always warn

    member.stop_server("slim")
    assert not groups["memory"].exists()
    assert not groups["cpu"].exists()


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
    # The usage dashboard's list: names and e-mails of the waiting only, nothing secret.
    waiting = admin.api("GET", "/galilean/signups")
    assert waiting.status_code == 200, waiting.text
    names = [s["name"] for s in waiting.json()["signups"]]
    assert {"wswaiting1", "wswaiting2"} <= set(names)
    assert "wsmember" not in names
    assert names == sorted(names)
    assert set(waiting.json()["signups"][0]) == {"name", "email"}
    refused = member.api("GET", "/galilean/signups")
    assert refused.status_code == 403
    assert "read:users" in refused.json()["error"]
    assert admin.authorize("wswaiting1") == 200
    assert count() == before + 1
    names = [s["name"] for s in admin.api("GET", "/galilean/signups").json()["signups"]]
    assert "wswaiting1" not in names
    assert "wswaiting2" in names

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


def sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that takes no disk (quotas count what files say they hold)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        file.truncate(size)


def test_storage_quota_warns_refuses_and_admins_set_it(hub: Hub) -> None:
    admin = admin_client(hub)
    owner = approved_user(hub, admin, "wsquota")
    other = approved_user(hub, admin, "wsnosy")
    owner.start_server()
    owner.start_server("second")
    root = hub.home_of("wsquota").parent  # <data>/users/wsquota: home and workspaces

    def seen() -> dict[str, object]:
        """What JupyterLab's status bar reads: the server asks the hub with its token."""
        reply = owner.api("GET", f"{owner.server_url()}galilean/storage")
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    first = seen()
    assert (first["user"], first["quota"], first["level"]) == ("wsquota", 64 * MIB, "ok")
    sparse(root / "home/data/raw.csv", 40 * MIB)
    sparse(root / "workspaces/second/model.bin", 12 * MIB)
    warned = seen()
    assert warned["level"] == "warn", warned
    assert 81 < float(str(warned["percent"])) < 83
    assert {"path": "home/data/raw.csv", "size": 40 * MIB} in warned["largest_files"]  # type: ignore[operator]

    # At 100% no workspace starts; the message names what is largest. The running one
    # keeps running (the user can delete from it).
    sparse(root / "home/old/copy.csv", 20 * MIB)
    owner.stop_server()
    refused = owner.api("POST", owner.server_path())
    assert refused.status_code == 403, refused.text
    message = refused.json()["message"]
    # (JupyterLab's own files in the home count too: a few KB)
    assert re.search(r"Your files use 72\.\d MB of your 64\.0 MB storage quota", message)
    assert "Largest files: home/data/raw.csv 40.0 MB; home/old/copy.csv 20.0 MB" in message
    assert "ask an admin to raise your quota" in message
    assert owner.server_state("second")["ready"]  # type: ignore[index]
    assert "wsquota not started: storage " in hub.log()

    # Who may read what: your own (not through a token without the scope), others' only
    # with read:users (admins, the dashboard).
    used = admin.api("GET", "/galilean/storage?user=wsquota").json()["used"]
    assert 72 * MIB <= used < 73 * MIB
    assert other.api("GET", "/galilean/storage?user=wsquota").status_code == 403
    assert other.api("GET", "/galilean/storage/all").status_code == 403
    assert admin.api("GET", "/galilean/storage?user=nobody").status_code == 404
    other.new_token(note="no storage", scopes=["read:users:name!user=wsnosy"])
    plain = other.api("GET", "/galilean/storage")
    assert plain.status_code == 403
    assert "custom:storage:read" in plain.json()["error"]
    other.new_token()  # a full one again
    everyone = admin.api("GET", "/galilean/storage/all").json()["users"]
    assert {u["user"]: u["level"] for u in everyone}["wsquota"] == "full"

    # The admin raises wsquota's quota on the usage dashboard: the start goes through.
    usage = "/services/usage/api/quota"
    bad = admin.api("PUT", usage, json={"user": "wsquota", "quota": "lots"})
    assert bad.status_code == 400
    assert bad.json()["errors"] == [{"field": "quota"}]
    assert admin.api("PUT", usage, json={"user": "nobody", "quota": "1G"}).status_code == 404
    assert other.api("PUT", usage, json={"user": "wsnosy", "quota": "1G"}).status_code == 403
    raised = admin.api("PUT", usage, json={"user": "wsquota", "quota": "1G"})
    assert raised.status_code == 200, raised.text
    assert "galilean-quota-1G" in admin.user_model("wsquota")["groups"]
    owner.start_server()
    assert seen()["quota"] == 1024 * MIB
    summary = admin.api("GET", "/services/usage/api/summary").json()
    person = next(p for p in summary["people"] if p["name"] == "wsquota")
    assert (person["quota_set"], person["storage"]["quota"]) == ("1G", 1024 * MIB)
    assert person["storage"]["used"] >= 72 * MIB
    # Back to the hub's quota; deleting files counts at the next start.
    assert admin.api("PUT", usage, json={"user": "wsquota", "quota": ""}).status_code == 200
    assert admin.user_model("wsquota")["groups"] == []
    owner.stop_server()
    assert owner.api("POST", owner.server_path()).status_code == 403
    (root / "home/old/copy.csv").unlink()
    owner.start_server()
    assert seen()["level"] == "warn"
    for server in ("", "second"):
        owner.stop_server(server)
