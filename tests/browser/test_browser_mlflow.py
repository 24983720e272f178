"""MLflow behind the hub login, on the real hub and proxy, with Chromium (issue 16).

Through the proxy: a browser with no session is sent to the hub's login; no token, a bad
token or a token without the MLflow scope get 401 JSON; MLflow's own port refuses a
forged user. A user logs a run (params, a metric, a 64 MiB artifact) from a notebook
kernel with nothing but `import mlflow` (the server's environment points at the hub's
MLflow with its own token); another user gets 403 on every read and write of it and an
empty search; the owner's group gets READ through the gateway's share route and still
403 on writes. In JupyterLab the launcher's MLflow card opens MLflow's UI in a tab: the
owner's experiment and run show (the UI's POSTs work); a page of another origin that
POSTs with the owner's cookies is refused. Screenshots in the test output folder."""

from __future__ import annotations

import re
from pathlib import Path

import requests
from lab import cells, lab_user, log_in, open_in_lab, run_cell, write_notebook
from mlflow_hub import API, MLFLOW, call, client_of, mlflow_port, wait_mlflow
from playwright.sync_api import Page, expect

from conftest import group_with
from harness.hub import Hub
from harness.local_http import QuietHandler, serving

OWNER = "mlowner"
OTHER = "mlother"
MEMBER = "mlmember"
TEAM = "mlteam"
MIB = 2**20
TRACK = """\
import os, mlflow
with open("blob.bin", "wb") as out:
    out.write(os.urandom(64 * 2**20))
with mlflow.start_run(run_name="first-try") as run:
    mlflow.log_param("alpha", 0.5)
    mlflow.log_metric("auc", 0.91)
    mlflow.log_artifact("blob.bin")
print("RUN", run.info.run_id, run.info.experiment_id)
"""


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"mlflow-{name}.png"))


def test_the_proxy_lets_in_only_the_hubs_users(lab_hub: Hub) -> None:
    lab_user(lab_hub, OTHER)
    wait_mlflow(lab_hub)
    page = requests.get(
        f"{lab_hub.url}{MLFLOW}/",
        headers={"Accept": "text/html"},
        allow_redirects=False,
        timeout=30,
    )
    assert page.status_code == 302
    assert "/hub/api/oauth2/authorize" in page.headers["Location"]
    search = f"{lab_hub.url}{API}/experiments/search?max_results=5"
    for headers in ({}, {"Authorization": "token not-a-token"}):
        reply = requests.get(search, headers=headers, timeout=30)
        assert reply.status_code == 401, (headers, reply.text[:200])
        assert reply.json()["ok"] is False
    narrow = client_of(lab_hub, OTHER, scopes=[f"read:users:name!user={OTHER}"])
    reply = call(narrow, "GET", f"{API}/experiments/search?max_results=5")
    assert reply.status_code == 401, reply.text[:200]
    direct = f"http://127.0.0.1:{mlflow_port(lab_hub)}/api/2.0/mlflow/experiments/search"
    forged = {"X-Galilean-User": OTHER, "X-Galilean-Groups": "mlflow-admins"}
    assert requests.get(direct, headers=forged, timeout=30).status_code == 401


class CrossSite(QuietHandler):
    """A page of another origin (same host, another port) that POSTs to MLflow."""

    target = ""

    def do_GET(self) -> None:
        page = (
            "<html><body><script>"
            f"fetch({self.target!r}, {{method: 'POST', mode: 'no-cors', credentials: 'include',"
            " body: JSON.stringify({name: 'planted-by-another-site'})});"
            "</script>another site</body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)


def refused_cross_site_post(page: Page, hub: Hub) -> int:
    CrossSite.target = f"{hub.url}{API.replace('/api/', '/ajax-api/')}/experiments/create"
    with (
        serving(CrossSite) as url,
        page.expect_response(lambda r: "experiments/create" in r.url) as answer,
    ):
        page.goto(f"{url}/")
    return answer.value.status


def test_runs_from_a_notebook_and_the_ui(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, OWNER)
    for name in (OTHER, MEMBER):
        lab_user(lab_hub, name)
    group_with(lab_hub, TEAM, [MEMBER])
    wait_mlflow(lab_hub)
    write_notebook(home, "track.ipynb", [TRACK])
    log_in(page, lab_hub, OWNER)
    open_in_lab(page, lab_hub, OWNER, "track.ipynb")
    cell = cells(page).first
    run_cell(page, cell)
    output = cell.locator(".jp-OutputArea-output")
    expect(output).to_contain_text("RUN ", timeout=120_000)
    found = re.search(r"RUN (\w+) (\w+)", output.inner_text())
    assert found, output.inner_text()
    run_id, experiment = found.groups()

    owner, other, member = (client_of(lab_hub, n) for n in (OWNER, OTHER, MEMBER))
    run = call(owner, "GET", f"{API}/runs/get?run_id={run_id}").json()["run"]
    assert run["info"]["user_id"] == OWNER
    assert run["data"]["params"] == [{"key": "alpha", "value": "0.5"}]
    experiment_name = call(owner, "GET", f"{API}/experiments/get?experiment_id={experiment}")
    assert experiment_name.json()["experiment"]["name"] == f"users/{OWNER}/default"
    artifact = f"{MLFLOW}/get-artifact?path=blob.bin&run_uuid={run_id}"
    download = call(owner, "GET", artifact)
    assert download.status_code == 200
    assert len(download.content) == 64 * MIB

    metric = {"run_id": run_id, "key": "x", "value": 1, "timestamp": 1}
    for who in (other, member):
        assert call(who, "GET", f"{API}/runs/get?run_id={run_id}").status_code == 403
        assert call(who, "GET", artifact).status_code == 403
        assert call(who, "POST", f"{API}/runs/log-metric", json=metric).status_code == 403
        runs = call(who, "POST", f"{API}/runs/search", json={"experiment_ids": [experiment]})
        assert runs.status_code == 200
        assert runs.json().get("runs", []) == []
    share = {
        "resource_type": "experiment",
        "resource_id": experiment,
        "group": TEAM,
        "permission": "READ",
    }
    assert call(other, "POST", f"{MLFLOW}/galilean/share", json=share).status_code == 404
    assert call(owner, "POST", f"{MLFLOW}/galilean/share", json=share).status_code == 200
    assert call(member, "GET", f"{API}/runs/get?run_id={run_id}").status_code == 200
    assert call(member, "POST", f"{API}/runs/log-metric", json=metric).status_code == 403
    assert call(other, "GET", f"{API}/runs/get?run_id={run_id}").status_code == 403

    # The launcher's MLflow card: MLflow's UI in a JupyterLab tab, as the owner.
    page.get_by_role("menuitem", name="File").click()
    page.get_by_role("menuitem", name="New Launcher").click()
    page.locator(".jp-LauncherCard", has_text="MLflow").click()
    frame = page.frame_locator(".galilean-MLflow iframe")
    # MLflow's home page, as the owner (the UI asks MLflow who is logged in).
    # exact: the Assistant panel beside it may say "Welcome to MLflow Assistant"
    expect(frame.get_by_text("Welcome to MLflow", exact=True)).to_be_visible(timeout=90_000)
    expect(frame.get_by_text(OWNER, exact=True).first).to_be_visible()
    # MLflow 3 opens on its GenAI side; training runs are on the other.
    frame.get_by_text("Model training", exact=True).click()
    frame.get_by_text("Experiments", exact=True).first.click()
    try:
        expect(frame.get_by_text(f"users/{OWNER}/default").first).to_be_visible(timeout=60_000)
    finally:
        shot(page, output_dir, "experiments")
    frame.get_by_text(f"users/{OWNER}/default").first.click()
    try:
        expect(frame.get_by_text("first-try").first).to_be_visible(timeout=60_000)
    finally:
        shot(page, output_dir, "runs")

    assert refused_cross_site_post(page, lab_hub) == 403
    names = call(owner, "POST", f"{API}/experiments/search", json={"max_results": 100})
    assert "planted-by-another-site" not in names.text
