"""What the hub gives a user's server for the designer's bridge: a token with JupyterHub's
default server scopes plus the flows service's (so the service sees the owner), and
GALILEAN_FLOWS_URL, where the server reaches the service in either mode."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from traitlets.config import Config

from galilean_hub.config import singleuser_environment
from galilean_hub.services import declared, register
from galilean_hub.settings import Settings
from galilean_hub.vault_api import SCOPES as VAULT_SCOPES
from galilean_services.datasets_service.access import SCOPES as DATASET_SCOPES
from galilean_services.flows_service.access import SCOPES

DOCKER = {
    "GALILEAN_MODE": "docker",
    "GALILEAN_DB_URL": "postgresql+psycopg://hub:x@db/hub",
    "GALILEAN_COOKIE_SECRET": "ab",
    "GALILEAN_DOCKER_NETWORK": "galilean",
    "GALILEAN_BIND_URL": "http://0.0.0.0:8000",
    "GALILEAN_HUB_IP": "0.0.0.0",  # noqa: S104 (as compose sets it)
    "GALILEAN_HUB_CONNECT_IP": "hub",
}


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_environ({"GALILEAN_DATA_DIR": str(tmp_path), **env})


def test_the_servers_token_keeps_the_default_scopes_and_gets_the_services(
    tmp_path: Path,
) -> None:
    c = Config()
    register(c, declared(settings(tmp_path)))
    scopes = c.Spawner.server_token_scopes  # a private start's, and a shared one's
    assert scopes.shared == ["users:activity!user", "access:servers!server"]
    assert scopes.private == [
        "users:activity!user",
        "access:servers!server",
        "access:services!service=flows",
        *SCOPES.names(),
        "access:services!service=datasets",
        *DATASET_SCOPES.names(),
        "access:services!service=mlflow",
        "custom:mlflow:use",
        "access:services!service=ai",
        "custom:ai:use",
    ]
    # Every scope the server's token asks for is one its owner holds (the user role).
    (user_role,) = [r for r in c.JupyterHub.load_roles if r["name"] == "user"]
    assert set(scopes.private[2:]) <= set(user_role["scopes"])


def test_the_vaults_scopes_are_the_users_but_not_the_servers_token(tmp_path: Path) -> None:
    """A server reaches the vault with a token of its own (server_tokens.py), never with
    its hub token, which a guest of a shared workspace also holds."""
    c = Config()
    register(c, declared(settings(tmp_path)), hub_api=[VAULT_SCOPES])
    (user_role,) = [r for r in c.JupyterHub.load_roles if r["name"] == "user"]
    assert set(VAULT_SCOPES.names()) <= set(user_role["scopes"])
    assert not set(VAULT_SCOPES.names()) & set(c.Spawner.server_token_scopes.private)
    assert set(VAULT_SCOPES.names()) <= set(c.JupyterHub.custom_scopes)


def test_embedded_servers_reach_the_service_on_its_own_port(tmp_path: Path) -> None:
    env = singleuser_environment(settings(tmp_path, GALILEAN_FLOWS_PORT="8090"))
    assert env["GALILEAN_FLOWS_URL"] == "http://127.0.0.1:8090/services/flows/"
    based = singleuser_environment(
        settings(tmp_path, GALILEAN_BIND_URL="http://127.0.0.1:8000/lab-hub/")
    )
    assert based["GALILEAN_FLOWS_URL"] == "http://127.0.0.1:8082/lab-hub/services/flows/"
    assert based["GALILEAN_DATASETS_URL"] == "http://127.0.0.1:8083/lab-hub/services/datasets/"


def test_docker_servers_reach_it_through_the_hub_containers_proxy(tmp_path: Path) -> None:
    env = singleuser_environment(settings(tmp_path, **DOCKER))
    assert env["GALILEAN_FLOWS_URL"] == "http://hub:8000/services/flows/"
    assert env["GALILEAN_DATASETS_URL"] == "http://hub:8000/services/datasets/"
    assert env["MLFLOW_TRACKING_URI"] == "http://hub:8000/services/mlflow"


def test_servers_track_to_mlflow_as_their_owner(tmp_path: Path) -> None:
    """The MLflow client in a notebook: the hub's MLflow, the server's own token, the
    owner's default experiment (names under users/<name>/ are the owner's)."""
    env = singleuser_environment(settings(tmp_path, GALILEAN_MLFLOW_PORT="8095"))
    assert env["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:8095/services/mlflow"
    spawner = SimpleNamespace(api_token="tok-1", user=SimpleNamespace(name="ana"))
    assert env["MLFLOW_TRACKING_TOKEN"](spawner) == "tok-1"
    assert env["MLFLOW_EXPERIMENT_NAME"](spawner) == "users/ana/default"
    off = singleuser_environment(settings(tmp_path, GALILEAN_MLFLOW_ENABLED="false"))
    assert not any(name.startswith("MLFLOW_") for name in off)
