"""What the MLflow gateway forwards and refuses (mlflow_service/policy.py)."""

from __future__ import annotations

import json

import pytest

from galilean_services.experiment_names import default_experiment
from galilean_services.kit.errors import Forbidden, ValidationError
from galilean_services.mlflow_service import policy

API = "api/2.0/mlflow"


def test_client_credentials_and_galilean_headers_never_reach_mlflow() -> None:
    sent = [
        ("Authorization", "token hub-secret"),
        ("Cookie", "jupyterhub-services=abc; mlflow-request-header-X-Galilean-User=alice"),
        ("X-Galilean-User", "alice"),
        ("x-galilean-gateway-secret", "guess"),
        # Underscores reach a WSGI app as dashes, merged with the gateway's own header.
        ("X_Galilean_Groups", "mlflow-admins"),
        ("X-Forwarded-For", "127.0.0.1"),
        ("Forwarded", "for=127.0.0.1"),
        ("Origin", "http://hub.lan"),
        ("Host", "hub.lan"),
        ("Connection", "keep-alive"),
        ("Content-Type", "application/json"),
        ("Content-Length", "12"),
    ]
    headers = policy.upstream_headers(
        sent, user="bob", groups={"team a", "x,y"}, secret="s3", host="127.0.0.1:5000"
    )
    groups = "team%20a,x%2Cy"  # a group name may hold a comma
    assert headers == {
        "Content-Type": "application/json",
        "Content-Length": "12",
        "Host": "127.0.0.1:5000",
        "X-Forwarded-For": "192.0.2.1",  # never loopback: MLflow's assistant trusts that
        "X-Galilean-User": "bob",
        "X-Galilean-Groups": groups,
        "X-Galilean-Gateway-Secret": "s3",
        "X-Galilean-Signature": policy.signature("s3", "bob", groups),
    }
    assert policy.signature("s3", "bob", groups) != policy.signature("s3", "bob", groups + ",x")


@pytest.mark.parametrize(
    "raw",
    [
        "ajax-api/3.0/mlflow/%2561ssistant/config",  # decoded twice: assistant
        "api/2.0/mlflow/users/list%3F",  # ? after decoding: users/list
        "api/2.0/mlflow/runs/create%23",
        "api/2.0/mlflow//runs/create",
        "api/2.0/mlflow/./runs/create",
        "api/2.0/mlflow/x/../runs/create",
        "api/2.0/mlflow/runs%2Fcreate%00",
        "api/2.0/mlflow/%5Cruns",
        "api/2.0/mlflow/%ff",
    ],
)
def test_paths_are_judged_as_mlflow_will_read_them(raw: str) -> None:
    with pytest.raises(ValidationError) as refused:
        policy.mlflow_path(raw)
    assert refused.value.errors == [{"field": "path"}]


def test_ordinary_paths_pass_decoded_once_and_go_on_re_encoded() -> None:
    path = policy.mlflow_path("api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/my%20model.pkl")
    assert path == "api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/my model.pkl"
    assert policy.upstream_path(path).endswith("/my%20model.pkl")
    assert (
        policy.mlflow_path("ajax-api/2.0/mlflow/runs/search") == "ajax-api/2.0/mlflow/runs/search"
    )
    assert policy.mlflow_path("") == ""
    assert policy.mlflow_path("static-files/") == "static-files/"


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
    # Nor by renaming one of theirs.
    rename = f"{API}/experiments/update"
    taken = json.dumps({"experiment_id": "7", "new_name": "users/ana/default"}).encode()
    with pytest.raises(Forbidden) as refused:
        policy.rewrite_body(rename, taken, "bob", False)
    assert refused.value.errors == [{"field": "new_name"}]
    assert policy.rewrite_body(rename, taken, "ana", False) == taken
    assert default_experiment("ana") == "users/ana/default"


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
