"""Hub-managed services, each one declaration: what runs, with which environment, which
custom scopes it checks, what it may do in the hub's API, where it answers.

`declared(settings)` lists them; `register(c, services)` turns them into JupyterHub's
`services`, `load_roles` and `custom_scopes`. A new service (datasets, MLflow, AI) is one
more function returning a `Service`, listed in `declared`.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from galilean_services import usage as usage_engine
from galilean_services.ai_service.access import SCOPES as AI_SCOPES
from galilean_services.ai_service.settings import PROVIDER_VARIABLES, AiSettings
from galilean_services.datasets_service.access import SCOPES as DATASET_SCOPES
from galilean_services.datasets_service.settings import DatasetsSettings
from galilean_services.flows_service.access import SCOPES as FLOW_SCOPES
from galilean_services.flows_service.config import MLFLOW_URL_VARIABLE
from galilean_services.flows_service.settings import FlowsSettings
from galilean_services.kit import service_secrets
from galilean_services.kit.auth import Scopes
from galilean_services.kit.handlers import USAGE_DASHBOARD
from galilean_services.kit.settings import CommonSettings, ContainerSettings
from galilean_services.mlflow_service.access import SCOPES as MLFLOW_SCOPES
from galilean_services.mlflow_service.settings import MlflowSettings
from galilean_services.usage.culling import DB_VARIABLE as USAGE_DB_VARIABLE
from galilean_services.usage_service.config import (
    AI_URL_VARIABLE,
    FLOWS_URL_VARIABLE,
    HEALTH_VARIABLE,
    PROFILES_VARIABLE,
)
from galilean_services.usage_service.settings import UsageSettings

from .profiles import Profiles
from .settings import ConfigError, Settings
from .sharing import ServerScopes


@dataclass(frozen=True)
class Service:
    """One service the hub starts, stops and puts behind its login."""

    name: str
    command: list[str]
    environment: dict[str, str] = field(default_factory=dict)
    # Served at /services/<name>/ from this local port, with its own OAuth client; None: a
    # process with no web side (e.g. the idle culler).
    port: int | None = None
    # Its custom scopes (custom:<name>:<verb>): the hub defines them, every user gets them
    # and access to the service, its OAuth client may ask for them.
    scopes: Scopes | None = None
    # What the service itself may do in the hub's API (a role of its own).
    hub_scopes: tuple[str, ...] = ()
    role: str = ""  # that role's name; empty: "<name>-service"
    # Path under its prefix answering 200 once it is ready (tests and operators wait on it).
    health: str = ""

    @property
    def url(self) -> str | None:
        return None if self.port is None else f"http://127.0.0.1:{self.port}"

    def hub_entry(self, secrets_folder: Path | None = None) -> dict[str, Any]:
        """The JupyterHub.services entry. JupyterHub keeps a service's environment in its
        database: with `secrets_folder`, the secret variables go to a file there instead
        (kit/service_secrets.py), and the entry names the file."""
        entry: dict[str, Any] = {"name": self.name, "command": self.command}
        environment, secret = service_secrets.split(self.environment)
        if secret and secrets_folder is not None:
            path = service_secrets.write(secrets_folder, self.name, secret)
            environment[service_secrets.VARIABLE] = str(path)
        elif secret:
            environment = dict(self.environment)
        if self.url is None:  # a process with no web side (the culler)
            return {**entry, "environment": environment} if environment else entry
        return {
            **entry,
            "url": self.url,
            "environment": environment,
            "oauth_no_confirm": True,
            "oauth_client_allowed_scopes": self.scopes.names() if self.scopes else [],
            "display": True,
        }

    def hub_role(self) -> dict[str, Any] | None:
        if not self.hub_scopes:
            return None
        name = self.role or f"{self.name}-service"
        return {"name": name, "scopes": list(self.hub_scopes), "services": [self.name]}


def register(
    c: Any,
    services: list[Service],
    hub_api: Sequence[Scopes] = (),
    secrets_folder: Path | None = None,
    server_hub_api: Sequence[Scopes] = (),
) -> None:
    """Fill JupyterHub's services, roles and custom scopes from the declarations;
    `hub_api`: the scopes of Galilean's routes in the hub itself (the vault's), which every
    user holds; `secrets_folder`: where the services' secret settings are written (not in
    JupyterHub's database); `server_hub_api`: those of `hub_api` a private server's hub
    token holds too (publishing a notebook's view)."""
    roles = [role for role in (s.hub_role() for s in services) if role]
    own = [s.scopes for s in services if s.scopes] + list(hub_api)
    c.JupyterHub.custom_scopes = {
        name: text for scopes in own for name, text in scopes.custom_scopes().items()
    }
    user_scopes = ["self"]
    for service in services:
        if service.scopes:
            user_scopes += [f"access:services!service={service.name}", *service.scopes.names()]
    for scopes in hub_api:
        user_scopes += scopes.names()
    # Every user: their own things, each service with scopes, and all its verbs (which
    # things a verb reaches is the service's business: own, shared, or all for admins).
    roles.append({"name": "user", "scopes": user_scopes})
    # A user's server ($JUPYTERHUB_API_TOKEN) calls the services as its owner (the designer's
    # bridge, galilean_server/flows_bridge.py): JupyterHub's default server scopes, plus the
    # services' (the token gets only what its owner holds).
    # Of the hub API's scopes only `server_hub_api`'s: the vault has a token of its own per
    # server (server_tokens.py).
    # A shared workspace's token: JupyterHub's own server scopes only (sharing.py).
    private = server_scopes(services) + [n for s in server_hub_api for n in s.names()]
    c.Spawner.server_token_scopes = ServerScopes(private, DEFAULT_SERVER_SCOPES)
    c.JupyterHub.services = [s.hub_entry(secrets_folder) for s in services]
    c.JupyterHub.load_roles = roles


# JupyterHub's own `server` role (jupyterhub.roles.get_default_roles), which
# Spawner.server_token_scopes replaces: kept, and the services' scopes added.
DEFAULT_SERVER_SCOPES = ("users:activity!user", "access:servers!server")


def server_scopes(services: list[Service]) -> list[str]:
    scopes = list(DEFAULT_SERVER_SCOPES)
    for service in services:
        if service.scopes:
            scopes += [f"access:services!service={service.name}", *service.scopes.names()]
    return scopes


def service_url_for_servers(settings: Settings, name: str, port: int) -> str:
    """Where a user's server reaches a hub service (GALILEAN_<NAME>_URL). Embedded mode:
    the service's own port on this machine; docker mode: the hub container's proxy by the
    hub's name on the stack's network (the service listens on the container's loopback)."""
    bind = urlsplit(settings.bind_url)
    prefix = f"{bind.path.rstrip('/')}/services/{name}/"
    if settings.mode != "docker":
        return f"http://127.0.0.1:{port}{prefix}"
    host = settings.hub_connect_ip or settings.hub_ip
    public = bind.port or (443 if bind.scheme == "https" else 80)
    return f"{bind.scheme}://{host}:{public}{prefix}"


def flows_url_for_servers(settings: Settings) -> str:
    return service_url_for_servers(settings, "flows", settings.flows_port)


def datasets_url_for_servers(settings: Settings) -> str:
    return service_url_for_servers(settings, "datasets", settings.datasets_port)


def ai_url_for_servers(settings: Settings) -> str:
    """Where a user's server reaches the AI gateway (GALILEAN_AI_URL, ending in /)."""
    return service_url_for_servers(settings, "ai", settings.ai_port)


def mlflow_url_in_hub(settings: Settings) -> str:
    """Where the hub's own services reach the MLflow gateway: its port on this machine (or
    the hub's container), past the proxy."""
    bind = urlsplit(settings.bind_url)
    return f"http://127.0.0.1:{settings.mlflow_port}{bind.path.rstrip('/')}/services/mlflow/"


def mlflow_url_for_servers(settings: Settings) -> str:
    """MLFLOW_TRACKING_URI of user servers (MLflow's client wants no trailing slash)."""
    return service_url_for_servers(settings, "mlflow", settings.mlflow_port).rstrip("/")


def declared(settings: Settings) -> list[Service]:
    """The services of this stack, in the order the hub starts them."""
    culler = idle_culler(settings)
    tracking = [mlflow(settings)] if settings.mlflow_enabled else []
    chat = [ai(settings)] if settings.ai_enabled else []
    web = [flows(settings), datasets(settings), *tracking, *chat]
    return [*([culler] if culler else []), *web, usage(settings, web)]


# -- the declarations -----------------------------------------------------------------------


def cull_every(settings: Settings) -> int:
    if settings.cull_every_seconds:
        return settings.cull_every_seconds
    return min(300, max(5, settings.cull_idle_seconds // 10))


def idle_culler(settings: Settings) -> Service | None:
    """Stops servers idle for GALILEAN_CULL_IDLE_SECONDS (0: none), but those an admin pinned
    on the usage dashboard; its decisions are the dashboard's events (usage/culling.py,
    through jupyterhub-idle-culler's arbiter hook)."""
    if settings.cull_idle_seconds <= 0:
        return None
    data = settings.data_path
    return Service(
        name="idle-culler",
        command=[
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={settings.cull_idle_seconds}",
            f"--cull-every={cull_every(settings)}",
            f"--config={CULLER_CONFIG}",
        ],
        environment={
            USAGE_DB_VARIABLE: settings.usage_database_url(settings.db_url, data),
            "GALILEAN_USAGE_RETENTION_SECONDS": str(settings.usage_retention_hours * 3600),
        },
        hub_scopes=("list:users", "read:users:activity", "read:servers", "delete:servers"),
        role="idle-culler",
    )


CULLER_CONFIG = Path(usage_engine.__file__).parent / "culler_config.py"


def usage(settings: Settings, others: list[Service]) -> Service:
    """The usage dashboard (admins): measures running workspaces (their processes, or
    Docker's stats), keeps a day of it, pins, stops; checks the other services' health."""
    data = settings.data_path
    health = ",".join(f"{s.name}={s.url}/services/{s.name}/{s.health}" for s in others if s.url)
    env = {
        **settings.environ([CommonSettings, UsageSettings]),
        "GALILEAN_DATA_DIR": str(data),
        "GALILEAN_USAGE_DB_URL": settings.usage_database_url(settings.db_url, data),
        HEALTH_VARIABLE: health,
    }
    env |= {k: v for k, v in os.environ.items() if k.startswith("DOCKER_")}
    # A user's profile, set from the dashboard: a group per profile (galilean-profile-<name>,
    # whose galilean.default_profile the hub reads), when the hub offers profiles.
    names = [
        p.name for p in Profiles.from_settings(settings.profiles, settings.default_profile).all
    ]
    env[PROFILES_VARIABLE] = ",".join(names)
    # A user's storage quota, set from the dashboard: a group per size (galilean-quota-<size>);
    # everyone's storage as the hub measures it (galilean/storage/all, read:users).
    groups: tuple[str, ...] = ("admin:groups", "groups")
    # Every flow's runs and schedules; everyone's AI usage (those services let it read).
    env[FLOWS_URL_VARIABLE] = f"http://127.0.0.1:{settings.flows_port}/services/flows/"
    reads: tuple[str, ...] = ("access:services!service=flows",)
    if any(s.name == "ai" for s in others):
        env[AI_URL_VARIABLE] = f"http://127.0.0.1:{settings.ai_port}/services/ai/"
        reads = (*reads, "access:services!service=ai")
    return Service(
        name=USAGE_DASHBOARD,  # the other services let this name read their reports
        command=[sys.executable, "-m", "galilean_services.usage_service"],
        environment=env,
        port=settings.usage_port,
        # No scopes: users get no access (nor a link); admins' role reaches every service.
        # The running workspaces with their spawners' state (a pid, a container), users
        # (how many, admins), stopping one.
        hub_scopes=(
            "list:users",
            "read:users",
            "read:servers",
            "admin:server_state",
            "delete:servers",
            *groups,
            *reads,
        ),
        health="health",
    )


def shared_connections() -> dict[str, str]:
    """The admin's SQL connections for everyone (GALILEAN_CONNECTION_<NAME>=<URL>): read-only
    in the UI. Users can use them, so they can read their credentials too."""
    return {k: v for k, v in os.environ.items() if k.startswith("GALILEAN_CONNECTION_") and v}


# A service whose work runs in containers reads its owners' groups for their limits.
GROUP_LIMITS = ("read:users:groups", "read:groups")


def check_bubblewrap(settings: Settings, variable: str, value: str) -> None:
    """A service told to isolate with bubblewrap refuses to start without it."""
    if settings.mode == "embedded" and value == "bubblewrap" and shutil.which("bwrap") is None:
        raise ConfigError(
            f"{variable}=bubblewrap, but bwrap is not installed "
            f"(Debian: apt-get install bubblewrap; or set {variable}=auto)"
        )


def container_environment(settings: Settings) -> dict[str, str]:
    """Docker mode: what a service needs to start its owners' work in containers from the
    user's image (the image, its limits, the network, the Docker client's variables)."""
    if settings.mode != "docker":
        return {}
    env = settings.environ([ContainerSettings])
    return env | {k: v for k, v in os.environ.items() if k.startswith("DOCKER_")}


def flows(settings: Settings) -> Service:
    """The flows service: flows, versions, runs, endpoints, schedules. Runs as their owners:
    bubblewrap in embedded mode, containers from the user's image in docker mode."""
    check_bubblewrap(settings, "GALILEAN_FLOWS_ISOLATION", settings.flows_isolation)
    data = settings.data_path
    env = {
        **settings.environ([CommonSettings, FlowsSettings]),
        "GALILEAN_DATA_DIR": str(data),
        "GALILEAN_FLOWS_DB_URL": settings.database_url(settings.db_url, data),
        "GALILEAN_FLOWS_FILES_ROOT": settings.files_template(
            settings.mode, data, settings.docker_shared_dir
        ),
        **shared_connections(),
    }
    env |= container_environment(settings)  # runs and endpoints: containers in docker mode
    # Docker mode: runs take their owner's group limits (galilean.mem_limit / cpu_limit),
    # as the owner's own containers do; the service reads groups only.
    hub_scopes = GROUP_LIMITS if settings.mode == "docker" else ()
    if settings.mlflow_enabled:
        # Trainings in runs are logged to MLflow as their owner (flows_service/mlflow_record).
        env[MLFLOW_URL_VARIABLE] = mlflow_url_in_hub(settings)
        hub_scopes = (*hub_scopes, "access:services!service=mlflow")
    return Service(
        name="flows",
        command=[sys.executable, "-m", "galilean_services.flows_service"],
        environment=env,
        port=settings.flows_port,
        scopes=FLOW_SCOPES,
        hub_scopes=hub_scopes,
        health="health",
    )


def datasets(settings: Settings) -> Service:
    """The datasets service: datasets, snapshots, diff, restore. Its work runs as the
    owner, as flows' does (bubblewrap in embedded mode, containers in docker mode)."""
    check_bubblewrap(settings, "GALILEAN_DATASETS_ISOLATION", settings.datasets_isolation)
    data = settings.data_path
    env = {
        **settings.environ([CommonSettings, DatasetsSettings]),
        "GALILEAN_DATA_DIR": str(data),
        "GALILEAN_DATASETS_DB_URL": settings.datasets_database_url(settings.db_url, data),
        "GALILEAN_DATASETS_FILES_ROOT": settings.datasets_files_template(
            settings.mode, data, settings.docker_shared_dir
        ),
    }
    env |= container_environment(settings)
    return Service(
        name="datasets",
        command=[sys.executable, "-m", "galilean_services.datasets_service"],
        environment=env,
        port=settings.datasets_port,
        scopes=DATASET_SCOPES,
        # Docker mode: its workers take their owner's group limits, as flows' runs do.
        hub_scopes=GROUP_LIMITS if settings.mode == "docker" else (),
        health="health",
    )


def mlflow(settings: Settings) -> Service:
    """MLflow behind its gateway: the gateway (this venv) starts MLflow in its own
    environment, on loopback, believing only the gateway; users' work never runs there."""
    data = settings.data_path
    env = {
        **settings.environ([CommonSettings, MlflowSettings]),
        "GALILEAN_DATA_DIR": str(data),
        "GALILEAN_MLFLOW_DB_URL": settings.mlflow_database_url(settings.db_url, data),
        "GALILEAN_MLFLOW_HOME": str(settings.mlflow_environment()),
    }
    return Service(
        name="mlflow",
        command=[sys.executable, "-m", "galilean_services.mlflow_service"],
        environment=env,
        port=settings.mlflow_port,
        scopes=MLFLOW_SCOPES,
        # The groups of the user a trusted service (flows) acts for: MLflow roles.
        hub_scopes=("read:users:name", "read:users:groups"),
        health="galilean/health",
    )


def ai(settings: Settings) -> Service:
    """The AI gateway: the providers' keys (their own variables, PROVIDER_VARIABLES) go to
    this service only; it reads its users' groups' properties (models, budgets)."""
    data = settings.data_path
    env = {
        **settings.environ([CommonSettings, AiSettings]),
        "GALILEAN_DATA_DIR": str(data),
        "GALILEAN_AI_DB_URL": settings.ai_database_url(settings.db_url, data),
        **{k: os.environ[k] for k in PROVIDER_VARIABLES if os.environ.get(k)},
    }
    return Service(
        name="ai",
        command=[sys.executable, "-m", "galilean_services.ai_service"],
        environment=env,
        port=settings.ai_port,
        scopes=AI_SCOPES,
        hub_scopes=("read:groups",),
        health="health",
    )
