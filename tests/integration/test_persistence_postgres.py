"""With PostgreSQL as the hub database, users and workspaces survive a hub restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PASSWORD, admin_client, approved_user
from harness.client import HubClient
from harness.hub import Hub
from harness.postgres import Postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = Postgres().start()
    yield server
    server.stop()


def test_users_and_workspaces_survive_a_restart(postgres: Postgres, tmp_path: Path) -> None:
    settings = {"GALILEAN_DB_URL": postgres.url(), "GALILEAN_CULL_IDLE_SECONDS": "0"}
    first = Hub(tmp_path, **settings).start()
    try:
        admin = admin_client(first)
        erin = approved_user(first, admin, "erin")
        HubClient(first.url).signup("frank", PASSWORD)  # waiting for approval
        erin.start_server("notes")
        erin.api(
            "PUT",
            f"{erin.server_url('notes')}api/contents/kept.txt",
            json={"type": "file", "format": "text", "content": "still here"},
        ).raise_for_status()
        erin.stop_server("notes")
        assert not (tmp_path / "var" / "jupyterhub.sqlite").exists()
    finally:
        first.stop()
    assert postgres.password not in first.log()

    second = Hub(tmp_path, **settings).start()
    try:
        erin = HubClient(second.url)
        logged_in, error = erin.login("erin", PASSWORD)
        assert logged_in, error
        erin.new_token()
        assert "notes" in erin.user_model()["servers"]
        erin.start_server("notes")
        kept = erin.api("GET", f"{erin.server_url('notes')}api/contents/kept.txt")
        assert kept.json()["content"] == "still here"
        erin.stop_server("notes")

        # Sign-ups and approvals are kept too: frank still waits, the admin is still admin.
        assert "waiting" in HubClient(second.url).login("frank", PASSWORD)[1]
        admin = HubClient(second.url)
        assert admin.login("admin", PASSWORD)[0]
        admin.new_token()
        assert admin.user_model()["admin"] is True
    finally:
        second.stop()
