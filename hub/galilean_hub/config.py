"""Turn :class:`Settings` into JupyterHub configuration.

`hub/jupyterhub_config.py` calls :func:`configure` and nothing else, so this module is
the whole description of how Galilean sets up JupyterHub.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from galilean_services.flows_service.access import SCOPE_HELP, scope

from .hub_pages import configure_pages
from .limits import apply_group_limits
from .settings import ConfigError, Settings
from .spawners import SHARED_MOUNT, docker_pre_spawn
from .workspaces import options_from_form, workspace_env_name, workspace_env_title

REPO_ROOT = Path(__file__).resolve().parents[2]
# Single-user servers go down quickly when asked: SIGINT is ignored without a terminal,
# so do not wait the default 10 s before SIGTERM.
STOP_INTERRUPT_SECONDS = 1
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"


def configure(c: Any, settings: Settings) -> None:
    """Fill the hub's traitlets config object `c` from `settings`."""
    data = prepare_data_dir(settings)
    _configure_hub(c, settings, data)
    _configure_auth(c, settings)
    configure_pages(c)
    _configure_spawner(c, settings, data)
    _configure_services(c, settings)


def prepare_data_dir(settings: Settings) -> Path:
    """Create the data folder and prove it is writable, or say what to set."""
    data = settings.data_path
    try:
        data.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data, prefix=".write-test-"):
            pass
        # The hub's secrets and databases live here: the account that runs Galilean only.
        data.chmod(0o700)
        if not settings.db_url:
            private_file(data / "jupyterhub.sqlite")
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ConfigError(
            f"GALILEAN_DATA_DIR={str(data)!r} is not a writable folder ({reason}): "
            "set GALILEAN_DATA_DIR to a folder Galilean can write"
        ) from None
    return data


def private_file(path: Path) -> None:
    """Create `path` empty if missing, and make it 0600 (SQLite keeps a file's mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)


def _configure_hub(c: Any, settings: Settings, data: Path) -> None:
    c.JupyterHub.bind_url = settings.bind_url
    c.JupyterHub.hub_bind_url = f"http://{settings.hub_ip}:{settings.hub_port}"
    c.JupyterHub.db_url = settings.db_url or f"sqlite:///{data / 'jupyterhub.sqlite'}"
    c.JupyterHub.pid_file = str(data / "jupyterhub.pid")
    c.JupyterHub.cookie_secret_file = str(data / "jupyterhub_cookie_secret")
    if settings.cookie_secret:
        try:
            c.JupyterHub.cookie_secret = bytes.fromhex(settings.cookie_secret)
        except ValueError:
            raise ConfigError(
                "GALILEAN_COOKIE_SECRET is not valid: use hex, e.g. `openssl rand -hex 32`"
            ) from None
    c.JupyterHub.allow_named_servers = True
    c.JupyterHub.named_server_limit_per_user = settings.max_workspaces
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.command = [proxy_command(settings)]
    c.ConfigurableHTTPProxy.pid_file = str(data / "proxy.pid")
    # Services and servers stop when the hub stops; nothing is left behind.
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True


def proxy_command(settings: Settings) -> str:
    """configurable-http-proxy: the configured path, the project's copy, or PATH."""
    if settings.proxy_command:
        return settings.proxy_command
    bundled = REPO_ROOT / ".venv" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
    if bundled.exists():
        return str(bundled)
    found = shutil.which("configurable-http-proxy")
    if not found:
        raise ConfigError(
            "configurable-http-proxy not found: run `make install` or set GALILEAN_PROXY_COMMAND"
        )
    return found


def _configure_auth(c: Any, settings: Settings) -> None:
    # galilean_hub.hub_pages.HubAuthenticator, a GalileanAuthenticator (configure_pages).
    # JupyterHub >= 5 lets nobody in unless told; NativeAuthenticator still refuses
    # users the admin has not approved (open_signup stays off).
    c.Authenticator.allow_all = True
    c.Authenticator.admin_users = set(settings.admin_users)
    c.Authenticator.username_pattern = USERNAME_PATTERN
    c.GalileanAuthenticator.open_signup = False
    c.GalileanAuthenticator.minimum_password_length = settings.password_min_length
    c.GalileanAuthenticator.check_common_password = settings.check_common_passwords
    c.GalileanAuthenticator.allowed_failed_logins = settings.login_max_failures
    c.GalileanAuthenticator.seconds_before_next_try = settings.login_lockout_seconds
    c.GalileanAuthenticator.allow_2fa = settings.totp


# jupyter-ai's chat runs Galilean's persona manager (ai_persona.py: Jupyternaut answers
# messages that name nobody, and says what the admin sets when no model is chosen).
# An argument, not a jupyter_server_config.d file: those files only enable extensions.
AI_CHAT_ARGS = (
    "--PersonaManagerExtension.persona_manager_class="
    "galilean_server.ai_persona.GalileanPersonaManager",
)


def singleuser_args(settings: Settings) -> list[str]:
    """Arguments every user server gets, whatever spawns it."""
    args = ["--ServerApp.shutdown_no_activity_timeout=0", *AI_CHAT_ARGS]
    if settings.ai_mcp:
        # Unauthenticated by design upstream: never the fixed port 3001, never off-host.
        args += ["--MCPExtensionApp.mcp_port=0", "--MCPServer.host=127.0.0.1"]
    else:
        args += ["--ServerApp.jpserver_extensions=jupyter_server_mcp=False"]
    return args


def shared_connections() -> dict[str, str]:
    """The admin's SQL connections for everyone (GALILEAN_CONNECTION_<NAME>=<URL>): read-only
    in the UI. Users can use them, so they can read their credentials too."""
    return {k: v for k, v in os.environ.items() if k.startswith("GALILEAN_CONNECTION_") and v}


def singleuser_environment(settings: Settings) -> dict[str, Any]:
    """Values are strings, or callables JupyterHub calls with the spawner at spawn time."""
    return {
        # LiteLLM otherwise downloads its model price list at start.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "GALILEAN_MODE": settings.mode,
        # Which workspace this server is: JupyterLab shows its title.
        "GALILEAN_WORKSPACE": workspace_env_name,
        "GALILEAN_WORKSPACE_TITLE": workspace_env_title,
        **shared_connections(),
    }


def _configure_spawner(c: Any, settings: Settings, data: Path) -> None:
    c.Spawner.default_url = "/lab"
    c.Spawner.start_timeout = settings.spawn_timeout
    c.Spawner.http_timeout = settings.spawn_timeout
    c.Spawner.args = singleuser_args(settings)
    c.Spawner.environment = singleuser_environment(settings)
    c.Spawner.pre_spawn_hook = apply_group_limits
    # A workspace's only option is its display name (checked; stored in user_options).
    c.Spawner.options_from_form = options_from_form
    # Only the model keys cross into a container; embedded servers also need the hub's PATH.
    c.Spawner.env_keep = list(settings.user_env_keep)
    if settings.mode == "embedded":
        keep = ["PATH", "LANG", "LC_ALL", "VIRTUAL_ENV", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"]
        c.Spawner.env_keep = keep + list(settings.user_env_keep)
        c.JupyterHub.spawner_class = "galilean_hub.spawners.WorkspaceProcessSpawner"
        c.WorkspaceProcessSpawner.users_root = str(data / "users")
        # By default the hub's own Python: the embedded environment has both sides installed.
        python = settings.singleuser_python or sys.executable
        if not Path(python).is_file():
            raise ConfigError(
                f"GALILEAN_SINGLEUSER_PYTHON={python!r} does not exist: set it to a Python "
                "with jupyterhub installed, or leave it empty"
            )
        c.Spawner.cmd = [python, "-m", "jupyterhub.singleuser"]
        c.LocalProcessSpawner.interrupt_timeout = STOP_INTERRUPT_SECONDS
        if os.geteuid() == 0:
            c.Spawner.args = [*c.Spawner.args, "--allow-root"]
    else:
        _configure_docker(c, settings)


def _configure_docker(c: Any, settings: Settings) -> None:
    c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
    c.DockerSpawner.image = settings.docker_image
    c.DockerSpawner.network_name = settings.docker_network
    c.DockerSpawner.use_internal_ip = True
    c.DockerSpawner.remove = True
    c.DockerSpawner.pull_policy = "never"
    c.DockerSpawner.notebook_dir = "/home/jovyan"
    shared = settings.docker_shared_dir
    if not shared.startswith("/"):
        raise ConfigError(f"GALILEAN_DOCKER_SHARED_DIR={shared!r} must be an absolute path")
    # The user's shared folder (all workspaces and the flows service see it) holds the
    # named SQL connections, as the home folder does in embedded mode.
    c.DockerSpawner.environment = {
        **singleuser_environment(settings),
        "GALILEAN_USER_HOME": SHARED_MOUNT,
    }
    # One volume per user and workspace, kept when the container is removed (DockerSpawner
    # escapes user names with '_' sequences, so '__' cannot occur inside a name), and the
    # user's folder under GALILEAN_DOCKER_SHARED_DIR on the host, by the user's own name:
    # the flows service finds it by that name (escaped, `bob.x` would be `bob-2ex`, which
    # another user could sign up as). Names are checked to be one safe path segment.
    c.DockerSpawner.volumes = {
        "galilean-{username}__{servername}": "/home/jovyan",
        f"{shared.rstrip('/')}/{{raw_username}}": SHARED_MOUNT,
    }
    c.Spawner.pre_spawn_hook = partial(docker_pre_spawn, Path(shared))
    c.DockerSpawner.mem_limit = settings.docker_mem_limit
    c.DockerSpawner.cpu_limit = settings.docker_cpu_limit
    c.DockerSpawner.start_timeout = settings.docker_start_timeout
    c.DockerSpawner.http_timeout = settings.docker_start_timeout
    c.JupyterHub.hub_connect_ip = settings.hub_connect_ip or settings.hub_ip


def cull_every(settings: Settings) -> int:
    if settings.cull_every_seconds:
        return settings.cull_every_seconds
    return min(300, max(5, settings.cull_idle_seconds // 10))


def _configure_services(c: Any, settings: Settings) -> None:
    services: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    if settings.cull_idle_seconds > 0:
        services.append(
            {
                "name": "idle-culler",
                "command": [
                    sys.executable,
                    "-m",
                    "jupyterhub_idle_culler",
                    f"--timeout={settings.cull_idle_seconds}",
                    f"--cull-every={cull_every(settings)}",
                ],
            }
        )
        roles.append(
            {
                "name": "idle-culler",
                "scopes": [
                    "list:users",
                    "read:users:activity",
                    "read:servers",
                    "delete:servers",
                ],
                "services": ["idle-culler"],
            }
        )
    services.append(flows_service(settings))
    if settings.mode == "docker":
        # Runs take their owner's group limits (galilean.mem_limit / cpu_limit), as the
        # owner's own containers do: the service reads groups, nothing else.
        roles.append(
            {
                "name": "flows-service",
                "scopes": ["read:users:groups", "read:groups"],
                "services": ["flows"],
            }
        )
    c.JupyterHub.custom_scopes = {
        scope(verb): {"description": text} for verb, text in SCOPE_HELP.items()
    }
    roles.append(
        {
            # Every user: their own things, the flows service, and all its verbs (which
            # flows a verb reaches is the service's business: own, shared, or all for admins).
            "name": "user",
            "scopes": ["self", "access:services!service=flows", *FLOW_SCOPE_NAMES],
        }
    )
    c.JupyterHub.services = services
    c.JupyterHub.load_roles = roles


# The flows service's verbs, as the service itself defines and checks them.
FLOW_SCOPE_NAMES = [scope(verb) for verb in SCOPE_HELP]


def flows_files_root(settings: Settings) -> str:
    """Where a user's flows find their files: the folder the user's servers call home
    (embedded) or share between workspaces (docker)."""
    if settings.flows_files_root:
        return settings.flows_files_root
    if settings.mode == "embedded":
        return str(settings.data_path / "users" / "{user}" / "home")
    return f"{settings.docker_shared_dir.rstrip('/')}/{{user}}"


def flows_service(settings: Settings) -> dict[str, Any]:
    """The hub-managed flows service: started and stopped with the hub, behind its login."""
    if (
        settings.mode == "embedded"
        and settings.flows_isolation == "bubblewrap"
        and shutil.which("bwrap") is None
    ):
        raise ConfigError(
            "GALILEAN_FLOWS_ISOLATION=bubblewrap, but bwrap is not installed "
            "(Debian: apt-get install bubblewrap; or set GALILEAN_FLOWS_ISOLATION=auto)"
        )
    env = {
        "GALILEAN_DATA_DIR": str(settings.data_path),
        "GALILEAN_FLOWS_DB_URL": settings.flows_db_url
        or settings.db_url
        or f"sqlite:///{settings.data_path / 'flows.sqlite'}",
        "GALILEAN_FLOWS_FILES_ROOT": flows_files_root(settings),
        "GALILEAN_FLOWS_RUN_TIMEOUT": str(settings.flows_run_timeout),
        "GALILEAN_FLOWS_MAX_PARALLEL_RUNS": str(settings.flows_max_parallel_runs),
        "GALILEAN_FLOWS_ENDPOINT_TIMEOUT": str(settings.flows_endpoint_timeout),
        "GALILEAN_FLOWS_ENDPOINT_WORKERS": str(settings.flows_endpoint_workers),
        "GALILEAN_FLOWS_ENDPOINT_CONCURRENCY": str(settings.flows_endpoint_concurrency),
        "GALILEAN_FLOWS_ENDPOINT_IDLE_SECONDS": str(settings.flows_endpoint_idle_seconds),
        "GALILEAN_FLOWS_ISOLATION": settings.flows_isolation,
        "GALILEAN_FLOWS_NETWORK": settings.flows_network,
        "GALILEAN_FLOWS_MAX_PROCESSES": str(settings.flows_max_processes),
        "GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB": str(settings.flows_python_max_memory_mb),
        "GALILEAN_FLOWS_PYTHON_MAX_SECONDS": str(settings.flows_python_max_seconds),
        "GALILEAN_FLOWS_SCHEDULE_CHECK_SECONDS": str(settings.flows_schedule_check_seconds),
        "GALILEAN_FLOWS_MEMORY_LIMIT": settings.flows_memory_limit,
        "GALILEAN_FLOWS_ENGINE": settings.flows_engine,
        "GALILEAN_FLOWS_HTTP_ALLOW": ",".join(settings.flows_http_allow),
        **shared_connections(),
    }
    if settings.mode == "docker":
        # Runs and endpoint workers are containers from the user's image (docker_plane.py).
        env.update(
            {
                "GALILEAN_FLOWS_ISOLATION": "docker",
                "GALILEAN_DOCKER_IMAGE": settings.docker_image,
                "GALILEAN_DOCKER_NETWORK": settings.docker_network,
                "GALILEAN_DOCKER_MEM_LIMIT": settings.docker_mem_limit,
                "GALILEAN_DOCKER_CPU_LIMIT": str(settings.docker_cpu_limit),
                **{k: v for k, v in os.environ.items() if k.startswith("DOCKER_")},
            }
        )
    return {
        "name": "flows",
        "url": f"http://127.0.0.1:{settings.flows_port}",
        "command": [sys.executable, "-m", "galilean_services.flows_service"],
        "environment": env,
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": FLOW_SCOPE_NAMES,
        "display": True,
    }
