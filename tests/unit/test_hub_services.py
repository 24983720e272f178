"""The hub's service registry (galilean_hub.services): what JupyterHub is told about each
service (entries, roles, custom scopes), and that a service reads back from the
environment the hub gives it the settings the hub has; the user's folder in docker mode."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from traitlets.config import Config

from galilean_hub import spawners
from galilean_hub.limits import ServerSizer
from galilean_hub.profiles import Profiles
from galilean_hub.services import declared, register
from galilean_hub.settings import Settings
from galilean_services.flows_service.config import ServiceConfig
from galilean_services.folders import SHARED_MOUNT, shared_template
from galilean_services.usage import culling

FLOW_SCOPES = [f"custom:flows:{verb}" for verb in ("read", "write", "run", "execute")]
CULLER_ROLE = {
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}
DATASET_SCOPES = [f"custom:datasets:{verb}" for verb in ("read", "write")]
USER_ROLE = {
    "name": "user",
    "scopes": [
        "self",
        "access:services!service=flows",
        *FLOW_SCOPES,
        "access:services!service=datasets",
        *DATASET_SCOPES,
        "access:services!service=mlflow",
        "custom:mlflow:use",
        "access:services!service=ai",
        "custom:ai:use",
    ],
}
# The AI gateway reads its users' groups' properties (their models and budgets).
AI_ROLE = {"name": "ai-service", "scopes": ["read:groups"], "services": ["ai"]}
# The usage dashboard: running workspaces with their spawners' state; stopping them;
# users' profiles and storage quotas (hub groups and their properties).
USAGE_ROLE = {
    "name": "usage-service",
    "scopes": [
        "list:users",
        "read:users",
        "read:servers",
        "admin:server_state",
        "delete:servers",
        "admin:groups",
        "groups",
        "access:services!service=flows",  # every flow's runs and schedules
        "access:services!service=ai",  # everyone's AI usage
    ],
    "services": ["usage"],
}
DOCKER = {
    "GALILEAN_MODE": "docker",
    "GALILEAN_DB_URL": "postgresql+psycopg://hub:x@db/hub",
    "GALILEAN_COOKIE_SECRET": "ab",
    "GALILEAN_DOCKER_NETWORK": "galilean",
}


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_environ({"GALILEAN_DATA_DIR": str(tmp_path), **env})


def registered(tmp_path: Path, **env: str) -> Any:
    c = Config()
    register(c, declared(settings(tmp_path, **env)))
    return c.JupyterHub


FLOWS_TO_MLFLOW = {
    "name": "flows-service",
    "scopes": ["access:services!service=mlflow"],
    "services": ["flows"],
}
MLFLOW_LOOKUP = {
    "name": "mlflow-service",
    "scopes": ["read:users:name", "read:users:groups"],
    "services": ["mlflow"],
}


def test_embedded_registration(tmp_path: Path) -> None:
    hub = registered(tmp_path)
    # The flows service logs trainings to MLflow as their owner (the gateway trusts it);
    # the gateway looks up that owner's groups.
    assert hub.load_roles == [
        CULLER_ROLE,
        FLOWS_TO_MLFLOW,
        MLFLOW_LOOKUP,
        AI_ROLE,
        USAGE_ROLE,
        USER_ROLE,
    ]
    assert sorted(hub.custom_scopes) == sorted(
        [*FLOW_SCOPES, *DATASET_SCOPES, "custom:mlflow:use", "custom:ai:use"]
    )
    assert hub.custom_scopes["custom:flows:run"] == {"description": "Run flows and cancel runs."}
    culler, flows, datasets, mlflow, ai, usage = hub.services
    assert ai["url"] == "http://127.0.0.1:8085"
    assert culler == {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            "--timeout=3600",
            "--cull-every=300",
            f"--config={Path(culling.__file__).parent / 'culler_config.py'}",
        ],
        # Its decisions go through Galilean's arbiter: pins and events in the usage store.
        "environment": {
            "GALILEAN_USAGE_DB_URL": f"sqlite:///{tmp_path}/usage.sqlite",
            "GALILEAN_USAGE_RETENTION_SECONDS": str(48 * 3600),
        },
    }
    # Users are given no access to the usage dashboard (admins reach every service).
    assert usage["url"] == "http://127.0.0.1:8086"
    assert usage["oauth_client_allowed_scopes"] == []
    assert "access:services!service=usage" not in USER_ROLE["scopes"]
    health = usage["environment"]["GALILEAN_USAGE_HEALTH"].split(",")
    assert health[0] == "flows=http://127.0.0.1:8082/services/flows/health"
    assert len(health) == 4
    environment = flows.pop("environment")
    assert flows == {
        "name": "flows",
        "command": [sys.executable, "-m", "galilean_services.flows_service"],
        "url": "http://127.0.0.1:8082",
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": FLOW_SCOPES,
        "display": True,
    }
    assert environment["GALILEAN_FLOWS_FILES_ROOT"] == f"{tmp_path}/users/{{user}}/home"
    assert environment["GALILEAN_FLOWS_DB_URL"] == f"sqlite:///{tmp_path}/flows.sqlite"
    assert not any(k.startswith("GALILEAN_DOCKER_") for k in environment)
    environment = datasets.pop("environment")
    assert datasets == {
        "name": "datasets",
        "command": [sys.executable, "-m", "galilean_services.datasets_service"],
        "url": "http://127.0.0.1:8083",
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": DATASET_SCOPES,
        "display": True,
    }
    assert environment["GALILEAN_DATASETS_FILES_ROOT"] == f"{tmp_path}/users/{{user}}/home"
    assert environment["GALILEAN_DATASETS_DB_URL"] == f"sqlite:///{tmp_path}/datasets.sqlite"
    environment = mlflow.pop("environment")
    assert mlflow == {
        "name": "mlflow",
        "command": [sys.executable, "-m", "galilean_services.mlflow_service"],
        "url": "http://127.0.0.1:8084",
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": ["custom:mlflow:use"],
        "display": True,
    }
    # Its own database (the hub's tables users/roles would clash), never the hub's.
    assert environment["GALILEAN_MLFLOW_DB_URL"] == f"sqlite:///{tmp_path}/mlflow.sqlite"
    assert environment["GALILEAN_MLFLOW_HOME"] == f"{sys.prefix}/mlflow"


def test_mlflow_can_be_turned_off(tmp_path: Path) -> None:
    hub = registered(tmp_path, GALILEAN_MLFLOW_ENABLED="false", GALILEAN_AI_ENABLED="false")
    assert [s["name"] for s in hub.services] == ["idle-culler", "flows", "datasets", "usage"]
    assert "custom:mlflow:use" not in hub.load_roles[-1]["scopes"]
    assert "custom:ai:use" not in hub.load_roles[-1]["scopes"]


def test_docker_registration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///run/docker.sock")
    monkeypatch.setenv("GALILEAN_CONNECTION_WAREHOUSE", "sqlite:///w.db")
    hub = registered(tmp_path, **DOCKER, GALILEAN_CULL_IDLE_SECONDS="0")
    groups = {"name": "flows-service", "scopes": ["read:users:groups", "read:groups"]}
    datasets_groups = {**groups, "name": "datasets-service", "services": ["datasets"]}
    flows_role = {
        **groups,
        "scopes": [*groups["scopes"], "access:services!service=mlflow"],
        "services": ["flows"],
    }
    assert hub.load_roles == [
        flows_role,
        datasets_groups,
        MLFLOW_LOOKUP,
        AI_ROLE,
        USAGE_ROLE,
        USER_ROLE,
    ]
    assert hub.services[0]["environment"]["GALILEAN_FLOWS_MLFLOW_URL"] == (
        "http://127.0.0.1:8084/services/mlflow/"
    )
    flows, datasets, mlflow, ai, usage = hub.services
    # Docker's stats for the dashboard: the engine's variables; measurements in PostgreSQL.
    assert usage["environment"]["DOCKER_HOST"] == "unix:///run/docker.sock"
    assert usage["environment"]["GALILEAN_USAGE_DB_URL"] == DOCKER["GALILEAN_DB_URL"]
    # The providers' keys go to the gateway only (none set here), its usage to PostgreSQL.
    assert ai["environment"]["GALILEAN_AI_DB_URL"] == DOCKER["GALILEAN_DB_URL"]
    # MLflow's database sits next to the hub's on its PostgreSQL (made at the gateway's start).
    mlflow_db = "postgresql+psycopg://hub:x@db/mlflow"
    assert mlflow["environment"]["GALILEAN_MLFLOW_DB_URL"] == mlflow_db
    assert datasets["environment"]["GALILEAN_DATASETS_FILES_ROOT"] == "/srv/galilean/shared/{user}"
    assert datasets["environment"]["GALILEAN_DATASETS_DB_URL"] == DOCKER["GALILEAN_DB_URL"]
    assert "GALILEAN_CONNECTION_WAREHOUSE" not in datasets["environment"]
    env = flows["environment"]
    assert env["GALILEAN_FLOWS_FILES_ROOT"] == "/srv/galilean/shared/{user}"
    assert env["GALILEAN_FLOWS_DB_URL"] == DOCKER["GALILEAN_DB_URL"]
    assert env["GALILEAN_DOCKER_NETWORK"] == "galilean"
    assert env["DOCKER_HOST"] == "unix:///run/docker.sock"
    assert env["GALILEAN_CONNECTION_WAREHOUSE"] == "sqlite:///w.db"


@pytest.mark.parametrize("mode", ["embedded", "docker"])
def test_the_service_reads_what_the_hub_has(tmp_path: Path, mode: str) -> None:
    """Defaults and values are written once: the hub's Settings, through the environment,
    become the service's ServiceConfig."""
    env = {
        **(DOCKER if mode == "docker" else {}),
        "GALILEAN_FLOWS_RUN_TIMEOUT": "77",
        "GALILEAN_FLOWS_SCHEDULE_CHECK_SECONDS": "1.5",
        "GALILEAN_FLOWS_HTTP_ALLOW": "Wiki.lan, 10.0.0.5:8080",
        "GALILEAN_FLOWS_ISOLATION": "none",
    }
    hub = settings(tmp_path, **env)
    (flows,) = [s for s in declared(hub) if s.name == "flows"]
    config = ServiceConfig.from_env(flows.environment)
    assert config.run_timeout == 77
    assert config.schedule_check_seconds == 1.5
    assert config.http_allow == ("wiki.lan", "10.0.0.5:8080")
    assert config.isolation == ("docker" if mode == "docker" else "none")
    assert config.files_root == flows.environment["GALILEAN_FLOWS_FILES_ROOT"]
    assert config.db_url == flows.environment["GALILEAN_FLOWS_DB_URL"]
    assert config.endpoint_workers == hub.flows_endpoint_workers == 8
    assert config.docker_mem_limit == hub.docker_mem_limit
    assert config.port == hub.flows_port == 8082


def test_docker_pre_spawn_mounts_the_users_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owners: list[tuple[Path, int]] = []
    monkeypatch.setattr(spawners.os, "chown", lambda path, uid, gid: owners.append((path, uid)))
    spawner = SimpleNamespace(
        user=SimpleNamespace(name="bob.x", groups=[]),
        volumes={"galilean-{username}__{servername}": "/home/jovyan"},
        log=None,
        mem_limit=None,
        cpu_limit=None,
    )
    sizer = ServerSizer(Profiles([]))
    spawners.docker_pre_spawn(shared_template(str(tmp_path)), sizer, spawner)
    folder = tmp_path / "bob.x"  # the raw name, as the flows service finds it
    assert folder.is_dir()
    assert owners == [(folder, spawners.NOTEBOOK_UID)]
    assert spawner.volumes == {
        "galilean-{username}__{servername}": "/home/jovyan",
        str(folder): SHARED_MOUNT,
    }
    spawner.user.name = "../escape"
    with pytest.raises(ValueError, match="user name"):
        spawners.docker_pre_spawn(shared_template(str(tmp_path)), sizer, spawner)


@pytest.mark.parametrize("mode", ["embedded", "docker"])
def test_the_datasets_service_reads_what_the_hub_has(tmp_path: Path, mode: str) -> None:
    from galilean_services.datasets_service.config import ServiceConfig as DatasetsConfig

    env = {"GALILEAN_DATASETS_OPERATION_TIMEOUT": "77", "GALILEAN_DATASETS_ISOLATION": "none"}
    if mode == "docker":
        env |= DOCKER
    hub = settings(tmp_path, **env)
    (datasets,) = [s for s in declared(hub) if s.name == "datasets"]
    config = DatasetsConfig.from_env(datasets.environment)
    assert config.operation_timeout == 77
    assert config.isolation == ("docker" if mode == "docker" else "none")
    assert config.files_root == datasets.environment["GALILEAN_DATASETS_FILES_ROOT"]
    assert config.db_url == datasets.environment["GALILEAN_DATASETS_DB_URL"]
    assert config.port == hub.datasets_port == 8083
    assert config.plane_config().service == "datasets"
    assert not config.plane_config().needs_network


@pytest.mark.parametrize("variable", ["GALILEAN_FLOWS_ISOLATION", "GALILEAN_DATASETS_ISOLATION"])
def test_bubblewrap_asked_for_and_missing_stops_the_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    from galilean_hub import services
    from galilean_hub.settings import ConfigError

    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match=f"{variable}=bubblewrap, but bwrap is not installed"):
        declared(settings(tmp_path, **{variable: "bubblewrap"}))
