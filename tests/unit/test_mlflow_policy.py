"""What the MLflow gateway forwards and refuses (mlflow_service/policy.py)."""

from __future__ import annotations

import json

import pytest

from galilean_services.kit.errors import Forbidden, ValidationError
from galilean_services.mlflow_service import policy

API = "api/2.0/mlflow"


def test_client_credentials_and_galilean_headers_never_reach_mlflow() -> None:
    sent = [
        ("Authorization", "token hub-secret"),
        ("Cookie", "jupyterhub-services=abc; mlflow-request-header-X-Galilean-User=alice"),
        ("X-Galilean-User", "alice"),
        ("x-galilean-gateway-secret", "guess"),
        ("Origin", "http://hub.lan"),
        ("Host", "hub.lan"),
        ("Connection", "keep-alive"),
        ("Content-Type", "application/json"),
        ("Content-Length", "12"),
    ]
    headers = policy.upstream_headers(
        sent, user="bob", groups={"team a", "x,y"}, secret="s3", host="127.0.0.1:5000"
    )
    assert headers == {
        "Content-Type": "application/json",
        "Content-Length": "12",
        "Host": "127.0.0.1:5000",
        "X-Galilean-User": "bob",
        "X-Galilean-Groups": "team%20a,x%2Cy",  # a group name may hold a comma
        "X-Galilean-Gateway-Secret": "s3",
    }


def test_redirects_stay_under_the_prefix() -> None:
    out = policy.response_headers(
        [("Location", "/static-files/x"), ("Server", "uvicorn"), ("X-Frame-Options", "SAMEORIGIN")],
        "/services/mlflow/",
    )
    assert out == [
        ("Location", "/services/mlflow/static-files/x"),
        ("X-Frame-Options", "SAMEORIGIN"),
    ]
    assert policy.response_headers([("Location", "//evil/x")], "/p/") == [("Location", "//evil/x")]


@pytest.mark.parametrize(
    "path",
    [
        "api/3.0/mlflow/roles/list",
        "ajax-api/3.0/mlflow/roles/permissions/add",
        f"{API}/users/list",
        "ajax-api/2.0/mlflow/users/update-admin",
        "api/3.0/mlflow/users/roles/list",
        "signup",
    ],
)
def test_admin_only_routes(path: str) -> None:
    with pytest.raises(Forbidden):
        policy.check_allowed(path, "alice", mlflow_admin=False)
    policy.check_allowed(path, "ops", mlflow_admin=True)


@pytest.mark.parametrize(
    "path",
    [
        "ajax-api/3.0/mlflow/assistant/message",
        "ajax-api/3.0/mlflow/assistant",
        "api/3.0/mlflow/gateway/secrets/create",
        "ajax-api/2.0/mlflow/gateway-proxy",
        "ajax-api/3.0/mlflow/mcp-servers/list",
        "gateway/chat/invocations",
        "ajax-api/3.0/jobs/search",
        "api/3.0/mlflow/prompt-optimization/jobs",
    ],
)
def test_what_runs_work_on_the_server_is_off_for_everyone(path: str) -> None:
    for admin in (False, True):
        with pytest.raises(Forbidden, match="switched off"):
            policy.check_allowed(path, "ops", mlflow_admin=admin)


def test_what_every_user_may_call() -> None:
    for path in (
        f"{API}/experiments/search",
        "api/3.0/mlflow/users/permissions/get",
        "",
        "graphql",
    ):
        policy.check_allowed(path, "alice", mlflow_admin=False)
    with pytest.raises(Forbidden, match="reserved"):
        policy.check_allowed(f"{API}/experiments/search", "_galilean_gateway", mlflow_admin=True)


def test_a_runs_user_is_the_hub_user() -> None:
    body = json.dumps(
        {
            "experiment_id": "1",
            "user_id": "root",
            "tags": [{"key": "mlflow.user", "value": "root"}, {"key": "team", "value": "a"}],
        }
    ).encode()
    sent = json.loads(policy.rewrite_body(f"{API}/runs/create", body, "ana", False))
    assert sent["user_id"] == "ana"
    assert sent["tags"] == [{"key": "team", "value": "a"}, {"key": "mlflow.user", "value": "ana"}]
    with pytest.raises(ValidationError):
        policy.rewrite_body(f"{API}/runs/create", b"[1]", "ana", False)
    with pytest.raises(ValidationError):
        policy.rewrite_body(f"ajax-{API}/runs/create", b"{", "ana", False)


def test_users_names_are_kept_for_them() -> None:
    create = f"{API}/experiments/create"
    mine = json.dumps({"name": "users/ana/default"}).encode()
    assert policy.rewrite_body(create, mine, "ana", False) == mine
    with pytest.raises(Forbidden):
        policy.rewrite_body(create, mine, "bob", False)
    assert policy.rewrite_body(create, mine, "ops", True) == mine  # admins may
    assert policy.default_experiment("ana") == "users/ana/default"


@pytest.mark.parametrize(
    ("headers", "same"),
    [
        ({"Sec-Fetch-Site": "same-origin", "Origin": "http://hub.lan"}, True),
        ({"Sec-Fetch-Site": "same-site", "Origin": "http://other.hub.lan"}, False),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}, False),
        ({"Origin": "http://hub.lan"}, True),
        ({"Origin": "http://hub.lan:80"}, True),
        ({"Origin": "http://evil.example"}, False),
        ({"Origin": "null"}, False),
        ({}, True),
    ],
)
def test_same_origin(headers: dict[str, str], same: bool) -> None:
    assert policy.same_origin(headers, "hub.lan") is same
