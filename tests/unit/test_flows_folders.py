"""A designer's flow runs in the service with the files next to its `.flow` file: the
bridge names the service flow by the file's path inside the folder the service sees (and
refuses a file outside it, naming `path`), the service tells the run that folder, and the
worker reads the flow's relative paths there — never outside the owner's folder."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from extension_server import Served, manager_for, serve
from flows_api import document, inline_flow
from flows_app import Service, app_fixture

from galilean_server.base import OWNER
from galilean_server.flows_bridge import LINK, PLACES, Places
from galilean_server.flows_link import FlowsLink, Upstream
from galilean_services.flows_service import worker
from galilean_services.flows_service.flow_folders import flow_folder, folder_of

app = app_fixture("folders")


def test_the_folder_of_a_flow_named_by_its_file() -> None:
    assert folder_of("examples/flows/sales.flow") == "examples/flows"
    assert folder_of("sales.flow") == ""
    assert folder_of("Monthly revenue") == ""
    for outside in ("/etc/x.flow", "../x/y.flow", "a/../../y.flow", "a\\b.flow"):
        assert folder_of(outside) == ""


def test_a_runs_folder_stays_inside_the_owners(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "work").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (home / "out").symlink_to(tmp_path / "elsewhere")
    assert flow_folder(home, "work") == (home / "work").resolve()
    assert flow_folder(home, "") == home
    assert flow_folder(home, "gone") == home
    assert flow_folder(home, "../elsewhere") == home
    assert flow_folder(home, "out") == home


def test_the_worker_reads_the_files_next_to_the_flow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "sales.csv").write_text("region,amount\nnorth,3\nsouth,4\n")
    flow = document(
        [
            {"id": "sales", "kind": "source.file", "params": {"path": "sales.csv"}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("sales", "out")],
    )
    job = {
        "content": json.dumps(flow),
        "base_dir": str(tmp_path),
        "folder": "work",
        "no_cache": True,
    }
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(job)))
    assert worker.main() == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["status"] == "succeeded", result
    assert result["nodes"]["sales"]["rows_out"] == 2


@pytest.fixture(scope="module")
def in_shared(app: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Alice's server whose root is her home, with the service seeing only ~/shared (docker
    mode)."""
    home = tmp_path_factory.mktemp("home")
    (home / "shared" / "work").mkdir(parents=True)
    link = FlowsLink(Upstream(app.url, "alice-token", timeout=5), "alice", "/services/flows/")
    places = Places(home, home / "shared")
    with serve(manager_for(home), **{LINK: link, OWNER: "alice", PLACES: places}) as served:
        yield served


def test_the_service_flow_is_named_inside_the_folder_it_sees(
    app: Service, in_shared: Served
) -> None:
    body = {"path": "shared/work/a.flow", "content": inline_flow()}
    ran = in_shared.call("POST", "/galilean/flows/service/run", body, user="alice")
    assert ran.status_code == 200, ran.text
    run_id = ran.json()["run"]["id"]
    assert app.started_with[run_id]["folder"] == "work"
    state = in_shared.call(
        "GET", "/galilean/flows/service/flow?path=shared/work/a.flow", user="alice"
    ).json()
    assert state["flow"]["name"] == "work/a.flow"
    outside = in_shared.call(
        "POST", "/galilean/flows/service/save", {**body, "path": "notes/a.flow"}, user="alice"
    )
    assert outside.status_code == 400
    assert outside.json()["errors"] == [{"field": "path"}]
    assert "only flows in the folder 'shared'" in outside.json()["error"]
