"""The secret vault's API in the real hub, behind the real proxy (issue 17): a user adds,
lists (names only), reads, replaces and deletes secrets; another user reaches none of
them; a token without the vault's scopes, no token and the login cookie (even a plain
GET: the vault answers API tokens only) are refused in Galilean's error shape; bad input
is 400 naming the field; a token that inherits all its owner's rights is refused too (only
tokens made with the vault's scopes open it); neither the hub's log nor its database holds
a value; a deleted user's secrets go with them (a new account of that name starts empty).
From a notebook server: `secrets` with the server's vault token (read from the running
server's environment) reads what the user saved; the server's hub token cannot; the vault
token is deleted when the server stops and a new one is made at the next start. The hub's
own secrets (the AI providers' keys an admin saves): write-only, admins only, read by the
AI gateway's token alone."""

from __future__ import annotations

import contextlib

import psutil
import pytest
import requests
from secret_scan import remember

from conftest import PASSWORD, admin_client, approved_user
from galilean_server.kernel.api import Secrets, SecretsError
from harness.client import HubClient
from harness.hub import Hub

VALUE = "s3cr3t-warehouse-pass-0b7e"
remember(VALUE)  # the lab hub's secret scan looks for it everywhere (secret_scan.py)
ROUTE = "/galilean/secrets"


VAULT_TOKEN_SCOPES = ["custom:secrets:read", "custom:secrets:write"]


def vault_user(hub: Hub, admin: HubClient, name: str) -> HubClient:
    """An approved user whose token was made for the vault (a script's token)."""
    client = approved_user(hub, admin, name)
    client.new_token("vault script", scopes=VAULT_TOKEN_SCOPES)
    return client


def error_of(reply: requests.Response) -> dict[str, object]:
    body = reply.json()
    assert body["ok"] is False, body
    assert body["status"] == reply.status_code
    return dict(body)


def test_a_users_secrets_are_theirs_alone(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    ann = vault_user(lab_hub, admin, "vaultann")
    bob = vault_user(lab_hub, admin, "vaultbob")

    added = ann.api("PUT", f"{ROUTE}/DB_PASSWORD", json={"value": VALUE})
    assert added.status_code == 201, added.text
    assert set(added.json()) == {"name", "created", "updated"}
    replaced = ann.api("PUT", f"{ROUTE}/DB_PASSWORD", json={"value": VALUE + "-2"})
    assert replaced.status_code == 200, replaced.text
    listed = ann.api("GET", ROUTE)
    assert [s["name"] for s in listed.json()["secrets"]] == ["DB_PASSWORD"]
    assert VALUE not in listed.text
    read = ann.api("GET", f"{ROUTE}/DB_PASSWORD")
    assert read.json() == {"name": "DB_PASSWORD", "value": VALUE + "-2"}
    assert read.headers["Cache-Control"] == "no-store"

    # Bob: his own (empty) vault, whatever he asks; he cannot delete or overwrite Ann's.
    assert bob.api("GET", ROUTE).json() == {"secrets": []}
    assert bob.api("GET", f"{ROUTE}/DB_PASSWORD").status_code == 404
    assert bob.api("DELETE", f"{ROUTE}/DB_PASSWORD").status_code == 404
    assert bob.api("PUT", f"{ROUTE}/DB_PASSWORD", json={"value": "bob"}).status_code == 201
    assert ann.api("GET", f"{ROUTE}/DB_PASSWORD").json()["value"] == VALUE + "-2"

    # Refused: no token, a token without the vault's scopes, a login cookie without XSRF.
    anonymous = requests.get(f"{lab_hub.url}/hub/api{ROUTE}", timeout=30)
    assert anonymous.status_code == 403
    error_of(anonymous)
    narrow = HubClient(lab_hub.url)
    narrow.login("vaultann", PASSWORD)
    narrow.new_token("no vault", scopes=["read:users:name!user"])
    refused = narrow.api("GET", f"{ROUTE}/DB_PASSWORD")
    assert refused.status_code == 403
    assert "custom:secrets:read" in str(error_of(refused)["error"])
    cookie_put = narrow.http.put(
        f"{lab_hub.url}/hub/api{ROUTE}/STOLEN", json={"value": "x"}, timeout=30
    )
    assert cookie_put.status_code == 403
    cookie_get = narrow.http.get(
        f"{lab_hub.url}/hub/api{ROUTE}/DB_PASSWORD",
        headers={"X-XSRFToken": narrow.xsrf_cookie(), "Sec-Fetch-Mode": "navigate"},
        timeout=30,
    )
    assert cookie_get.status_code == 403
    assert "API tokens only" in str(error_of(cookie_get)["error"])
    # A token that inherits everything Ann may do was not made for the vault.
    narrow.new_token("inherits")
    for method, path in (("GET", ROUTE), ("GET", f"{ROUTE}/DB_PASSWORD"), ("DELETE", f"{ROUTE}/X")):
        inherits = narrow.api(method, path)
        assert inherits.status_code == 403, inherits.text
        assert "made with the scope" in str(error_of(inherits)["error"])
    assert [s["name"] for s in ann.api("GET", ROUTE).json()["secrets"]] == ["DB_PASSWORD"]

    # Bad input names the field; nothing is half-written.
    for path, body, field in (
        (f"{ROUTE}/has-dash", {"value": "x"}, "name"),
        (f"{ROUTE}/OK", {"value": ""}, "value"),
        (f"{ROUTE}/OK", {"value": 7}, "value"),
        (f"{ROUTE}/OK", {"value": "x", "owner": "vaultbob"}, "owner"),
        (f"{ROUTE}/OK", ["x"], "body"),
    ):
        bad = ann.api("PUT", path, json=body)
        assert bad.status_code == 400, (path, body, bad.text)
        assert error_of(bad)["errors"] == [{"field": field}]
    not_json = ann.api("PUT", f"{ROUTE}/OK", data=b"{nope")
    assert not_json.status_code == 400
    assert error_of(not_json)["errors"] == [{"field": "body"}]
    assert ann.api("GET", f"{ROUTE}/OK").status_code == 404

    assert ann.api("DELETE", f"{ROUTE}/DB_PASSWORD").status_code == 204
    assert ann.api("GET", ROUTE).json() == {"secrets": []}

    # Bob is deleted: his secrets go with him; a new "vaultbob" finds none.
    assert admin.api("DELETE", "/users/vaultbob").status_code == 204
    again = vault_user(lab_hub, admin, "vaultbob")
    assert again.api("GET", ROUTE).json() == {"secrets": []}
    assert VALUE not in lab_hub.log()
    database = b"".join(p.read_bytes() for p in lab_hub.data_dir.glob("jupyterhub.sqlite*"))
    assert VALUE.encode() not in database


def test_a_notebook_server_reads_its_owners_secrets(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    cy = approved_user(lab_hub, admin, "vaultcy")
    cy.start_server()
    try:
        # What a kernel of Cy's server has: its vault token and the hub's API URL.
        environ = lab_hub.server_environment("vaultcy")
        kernel = Secrets(environ)
        vault_token = environ["GALILEAN_VAULT_TOKEN"]
        assert vault_token != environ["JUPYTERHUB_API_TOKEN"]
        hub_token = Secrets({**environ, "GALILEAN_VAULT_TOKEN": environ["JUPYTERHUB_API_TOKEN"]})
        with pytest.raises(SecretsError) as refused:
            hub_token.names()
        assert refused.value.status == 403
        assert kernel.set("WAREHOUSE", VALUE)["name"] == "WAREHOUSE"
        assert kernel.names() == ["WAREHOUSE"]
        assert kernel.get("WAREHOUSE") == VALUE
        with pytest.raises(SecretsError) as missing:
            kernel.get("MISSING")
        assert missing.value.status == 404
        assert missing.value.field == "name"
        with pytest.raises(SecretsError) as bad:
            kernel.set("bad name", "x")
        assert bad.value.status == 400
        assert bad.value.field == "name"
        assert environ["JUPYTERHUB_API_TOKEN"] not in str(bad.value)
        kernel.delete("WAREHOUSE")
        assert kernel.names() == []
        # The vault token reaches nothing else of Cy's: no new token, not the server.
        as_vault = {"Authorization": f"token {vault_token}"}
        minted = requests.post(
            f"{lab_hub.url}/hub/api/users/vaultcy/tokens", json={}, headers=as_vault, timeout=30
        )
        assert minted.status_code == 403, minted.text
        contents = requests.get(
            f"{lab_hub.url}/user/vaultcy/api/contents", headers=as_vault, timeout=30
        )
        assert contents.status_code == 403, contents.text
    finally:
        cy.stop_server()
    # Stopped: its vault token is gone; the next start makes a new one.
    with pytest.raises(SecretsError) as gone:
        kernel.names()
    assert gone.value.status == 403
    cy.start_server()
    try:
        fresh = lab_hub.server_environment("vaultcy")["GALILEAN_VAULT_TOKEN"]
        assert fresh != vault_token
        assert Secrets(lab_hub.server_environment("vaultcy")).names() == []
    finally:
        cy.stop_server()


def test_only_the_flows_service_reads_a_users_secrets_for_a_run(lab_hub: Hub) -> None:
    """GET /hub/api/galilean/secrets-for/<user> (a flow run's connections): users, even the
    admin with every scope, and other services are refused; the flows service's own use is
    tested where a run opens a connection (test_connections_api)."""
    admin = admin_client(lab_hub)
    cas = vault_user(lab_hub, admin, "vaultcas")
    assert cas.api("PUT", f"{ROUTE}/API_KEY", json={"value": VALUE}).status_code == 201
    asked = [
        cas.api("GET", "/galilean/secrets-for/vaultcas"),  # her own, with a vault token
        admin.api("GET", "/galilean/secrets-for/vaultcas"),  # the admin's full token
        requests.get(  # the login cookie of a browser
            f"{lab_hub.url}/hub/api/galilean/secrets-for/vaultcas",
            cookies=admin.http.cookies,
            timeout=30,
        ),
    ]
    for reply in asked:
        assert reply.status_code == 403, reply.text
        assert VALUE not in reply.text
        assert error_of(reply)["error"]
    assert VALUE not in lab_hub.log()


HUB_ROUTE = "/galilean/hub-secrets"
HUB_VALUE = "sk-hub-openai-3e8d71"
remember(HUB_VALUE)
S3_VALUE = "s3-secret-for-mlflow-51c0a9"  # MLflow's artifact store key
remember(S3_VALUE)


def process_environment(hub: Hub, module: str) -> dict[str, str]:
    """The environment of the hub's service process running `module`."""
    for child in psutil.Process(hub.proc.pid).children(recursive=True):  # type: ignore[union-attr]
        with contextlib.suppress(psutil.Error):
            if module in " ".join(child.cmdline()):
                return dict(child.environ())
    raise AssertionError(f"no process runs {module}")


def test_the_hubs_secrets_are_write_only_and_for_services(lab_hub: Hub) -> None:
    """Admins save the AI providers' keys and MLflow's store key as the hub's secrets
    (names and times listed, no value ever given back); users, a token that inherits, the
    cookie are refused; each service's own token reads only its own (the AI gateway the
    providers' keys, MLflow its store's), the flows service's and users' read none."""
    admin = admin_client(lab_hub)
    keeper = admin_client(lab_hub)  # the admin again, with a token made for the vault
    keeper.new_token("vault script", scopes=VAULT_TOKEN_SCOPES)
    user = vault_user(lab_hub, admin, "vaulthubuser")

    saved = keeper.api("PUT", f"{HUB_ROUTE}/OPENAI_API_KEY", json={"value": HUB_VALUE})
    assert saved.status_code == 201, saved.text
    store = keeper.api("PUT", f"{HUB_ROUTE}/AWS_SECRET_ACCESS_KEY", json={"value": S3_VALUE})
    assert store.status_code == 201, store.text
    listed = keeper.api("GET", HUB_ROUTE).json()
    assert [s["name"] for s in listed["secrets"]] == ["AWS_SECRET_ACCESS_KEY", "OPENAI_API_KEY"]
    assert listed["names"] == [
        "ANTHROPIC_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AZURE_API_KEY",
        "OPENAI_API_KEY",
    ]
    read = keeper.api("GET", f"{HUB_ROUTE}/OPENAI_API_KEY")  # write-only: no such read
    assert read.status_code == 405, read.text
    assert HUB_VALUE not in read.text
    bad = keeper.api("PUT", f"{HUB_ROUTE}/WAREHOUSE", json={"value": "x"})
    assert bad.status_code == 400
    assert error_of(bad)["errors"] == [{"field": "name"}]
    for who in (user, admin):  # a user with a vault token; the admin's inheriting token
        for method, path in (("GET", HUB_ROUTE), ("PUT", f"{HUB_ROUTE}/OPENAI_API_KEY")):
            refused = who.api(method, path, json={"value": "mine"})
            assert refused.status_code == 403, refused.text
            assert error_of(refused)["error"]

    def for_service(token: str) -> requests.Response:
        return requests.get(
            f"{lab_hub.url}/hub/api/galilean/hub-secrets-for-service",
            headers={"Authorization": f"token {token}"},
            timeout=30,
        )

    def token_of(service: str) -> str:
        return process_environment(lab_hub, f"galilean_services.{service}")["JUPYTERHUB_API_TOKEN"]

    for service, expected in (
        ("ai_service", {"OPENAI_API_KEY": HUB_VALUE}),
        ("mlflow_service", {"AWS_SECRET_ACCESS_KEY": S3_VALUE}),
    ):
        given = for_service(token_of(service))
        assert given.status_code == 200, given.text
        assert given.json() == {"secrets": expected}
    for token in (token_of("flows_service"), user.token, admin.token):
        refused = for_service(token)
        assert refused.status_code == 403, refused.text
        assert HUB_VALUE not in refused.text
        assert S3_VALUE not in refused.text
    assert keeper.api("DELETE", f"{HUB_ROUTE}/AWS_SECRET_ACCESS_KEY").status_code == 204
    assert keeper.api("DELETE", f"{HUB_ROUTE}/OPENAI_API_KEY").status_code == 204
    assert keeper.api("GET", HUB_ROUTE).json()["secrets"] == []
    assert HUB_VALUE not in lab_hub.log()
