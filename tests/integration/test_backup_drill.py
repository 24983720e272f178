"""The backup drill, embedded mode, on a real hub: make data (a user, a workspace with a
file, a flow with a schedule, a secret), back up while the hub runs, stop it, wipe its
data folder, restore, start it again, and find everything back."""

from __future__ import annotations

import shutil
from pathlib import Path

from backup_drill import backup_command, workspace_with_a_file
from flows_api import Flows, inline_flow, wait_ready

from conftest import PASSWORD, admin_client, approved_user
from harness.client import HubClient
from harness.hub import Hub

USER = "drillann"
SECRET = "drill-secret-value-5c1f"
VAULT_SCOPES = ["custom:secrets:read", "custom:secrets:write"]


def test_back_up_wipe_restore(tmp_path: Path) -> None:
    hub = Hub(tmp_path / "hub", GALILEAN_CULL_IDLE_SECONDS="0").start()
    try:
        ann = approved_user(hub, admin_client(hub), USER)
        workspace_with_a_file(ann, "notes", "still here")
        ann.stop_server("notes")
        flows = Flows.of(ann)
        flow = flows.ok("POST", "/api/flows", {"flow": inline_flow()}, 201)
        flows.ok("PUT", f"/api/flows/{flow['id']}/schedule", {"cron": "0 6 * * *"})
        vault = HubClient(hub.url)
        assert vault.login(USER, PASSWORD)[0]
        vault.new_token("vault", scopes=VAULT_SCOPES)
        saved = vault.api("PUT", "/galilean/secrets/DRILL_KEY", json={"value": SECRET})
        assert saved.status_code == 201, saved.text

        made = backup_command(hub, "create", "--to", str(tmp_path / "backups"), "--with-secrets")
        assert made.returncode == 0, made.stderr
        archive = Path(made.stdout.strip())
        assert archive.is_file()
        assert "databases/hub.sqlite" in made.stderr  # what it kept, said

        # Restore refuses while the hub runs, and over data.
        refused = backup_command(hub, "restore", str(archive))
        assert refused.returncode == 2
        assert "the hub runs" in refused.stderr
    finally:
        hub.stop()

    shutil.rmtree(hub.data_dir)  # the disk is gone
    restored = backup_command(hub, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "restored: databases/hub.sqlite" in restored.stdout

    hub.start()
    try:
        wait_ready(hub.url)
        ann = HubClient(hub.url)
        logged_in, error = ann.login(USER, PASSWORD)
        assert logged_in, error
        ann.new_token()
        assert "notes" in ann.user_model()["servers"]
        kept = hub.data_dir / "users" / USER / "workspaces" / "notes" / "kept.txt"
        assert kept.read_text() == "still here"
        flows = Flows.of(ann)
        again = flows.ok("GET", f"/api/flows/{flow['id']}")
        assert again["name"] == flow["name"]
        schedule = flows.ok("GET", f"/api/flows/{flow['id']}/schedule")
        assert schedule["cron"] == "0 6 * * *"
        vault = HubClient(hub.url)
        assert vault.login(USER, PASSWORD)[0]
        vault.new_token("vault", scopes=VAULT_SCOPES)
        read = vault.api("GET", "/galilean/secrets/DRILL_KEY")
        assert read.json()["value"] == SECRET, read.text
    finally:
        hub.stop()
