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

from galilean_services.ai_service.catalogue import Catalogue
from galilean_services.experiment_names import default_experiment
from galilean_services.folders import HOME_ENV, SHARED_MOUNT, shared_template, users_root
from galilean_services.secrets.keys import VaultKeyError, parse_keys
from galilean_services.storage import parse_quota

from .group_shares import install as install_group_shares
from .hub_pages import configure_pages
from .limits import ServerSizer
from .profiles import Profiles
from .published import VIEWS
from .published_api import SCOPES as PUBLISH_SCOPES
from .server_tokens import AI_TOKEN, VAULT_ENV, VAULT_TOKEN, revoke_server_tokens
from .services import (
    ai_url_for_servers,
    datasets_url_for_servers,
    declared,
    flows_url_for_servers,
    mlflow_url_for_servers,
    register,
    shared_connections,
)
from .settings import ConfigError, Settings
from .sharing import SHARED_ENV, private_only, shared_flag
from .sharing_marks import SharedMarks
from .spawners import docker_pre_spawn
from .storage_quota import SCOPES as STORAGE_SCOPES
from .storage_quota import QuotaGate, StorageMeter
from .vault_api import SCOPES as VAULT_SCOPES
from .vault_api import LazyVault
from .workspaces import WorkspaceOptions, workspace_env_name, workspace_env_title

REPO_ROOT = Path(__file__).resolve().parents[2]
# Single-user servers go down quickly when asked: SIGINT is ignored without a terminal,
# so SIGTERM (a clean stop: kernels shut down) follows at once, not after the default 10 s.
STOP_INTERRUPT_SECONDS = 0
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"


def configure(c: Any, settings: Settings) -> None:
    """Fill the hub's traitlets config object `c` from `settings`."""
    data = prepare_data_dir(settings)
    _configure_hub(c, settings, data)
    _configure_auth(c, settings)
    profiles = Profiles.from_settings(settings.profiles, settings.default_profile)
    configure_pages(c, profiles)
    install_group_shares()  # a group share reaches its members' tokens (group_shares.py)
    vault = LazyVault(c.JupyterHub.db_url, checked_vault_key(settings), data)
    c.HubAuthenticator.galilean_vault = vault
    # Workspaces ever shared (sharing_marks.py), in the hub's database like the vault.
    marks = SharedMarks()
    c.HubAuthenticator.galilean_shared_marks = marks
    c.HubAuthenticator.galilean_published = VIEWS
    _configure_spawner(c, settings, data, profiles)
    # Storage quotas: measured by the hub, checked at every start (storage_quota.py).
    meter = storage_meter(settings, data)
    c.HubAuthenticator.galilean_storage = meter
    c.Spawner.pre_spawn_hook = QuotaGate(meter, c.Spawner.pre_spawn_hook)
    register(
        c,
        declared(settings),
        hub_api=[VAULT_SCOPES, PUBLISH_SCOPES, STORAGE_SCOPES],
        # A private server publishes its notebooks' views and reads its owner's storage
        # with its hub token (a shared one's has JupyterHub's own scopes only).
        server_hub_api=[PUBLISH_SCOPES, STORAGE_SCOPES],
        secrets_folder=settings.data_path / "services",
    )
    c.Spawner.server_token_scopes.marks = marks


def storage_meter(settings: Settings, data: Path) -> StorageMeter:
    try:
        quota = parse_quota(settings.storage_quota)
    except ValueError as error:
        raise ConfigError(
            f"GALILEAN_STORAGE_QUOTA={settings.storage_quota!r} is not a size ({error}): "
            "use e.g. 20G, or leave it empty for no quota"
        ) from None
    shared = shared_template(settings.docker_shared_dir) if settings.mode == "docker" else ""
    return StorageMeter(
        settings.mode, users_root(data), shared, quota, float(settings.storage_every_seconds)
    )


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


def checked_vault_key(settings: Settings) -> str:
    """GALILEAN_VAULT_KEY, refused at start (naming it, never echoing it) when unusable."""
    if settings.vault_key.strip():
        try:
            parse_keys(settings.vault_key)
        except VaultKeyError as error:
            raise ConfigError(str(error)) from None
    return settings.vault_key


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
# Jupyternaut's, litellm's, the ACP client's and nbdime's extensions (~4 s of imports) are not
# loaded at start: the Galilean server extension loads them once the server answers
# (galilean_server.deferred_extensions.DEFERRED: the same names, in user images only).
DEFERRED_EXTENSIONS = (
    "jupyter_ai_acp_client",
    "jupyter_ai_litellm",
    "jupyter_ai_jupyternaut",
    "nbdime",
    "jupyter_server_proxy",  # marimo notebooks (+1.2 s of a start: bench/spawn_tools.py)
    "marimo_jupyter_extension.handlers",
)
AI_CHAT_ARGS = (
    "--PersonaManagerExtension.persona_manager_class="
    "galilean_server.ai_persona.GalileanPersonaManager",
    *(f"--ServerApp.jpserver_extensions={name}=False" for name in DEFERRED_EXTENSIONS),
)


# jupyter-collaboration's store of the rooms' updates (SQLite), out of the files' root, where
# its journal, made and deleted with each write, failed listings of the root that caught it
# vanishing (JupyterLab: "Directory not found"); its folder is made by galilean_server.
COLLABORATION_STORE = ".local/share/jupyter/collaboration.db"


def singleuser_args(settings: Settings) -> list[str]:
    """Arguments every user server gets, whatever spawns it."""
    args = [
        "--ServerApp.shutdown_no_activity_timeout=0",
        f"--SQLiteYStore.db_path={COLLABORATION_STORE}",
        *AI_CHAT_ARGS,
        # The status bar: memory and CPU of the server's processes, of the workspace's
        # limits (MEM_LIMIT / CPU_LIMIT); not the host's (other users' load), no metrics
        # endpoint polling in the background. No CPU warning: jupyter-resource-usage 1.3
        # compares the limit in cores with the use in percent, so it warns (the status bar
        # turns red) at any use above a few percent.
        "--ResourceUseDisplay.track_cpu_percent=True",
        "--ResourceUseDisplay.cpu_warning_threshold=0",
        "--ResourceUseDisplay.show_host_usage=False",
        "--ResourceUseDisplay.enable_prometheus_metrics=False",
        # marimo notebooks (marimo-jupyter-extension, through jupyter-server-proxy): marimo
        # runs in the server's environment, with the notebooks' packages, started when the
        # first one opens; not in a per-notebook environment that uv would download at
        # every open (its sandbox, the default), and without asking PyPI for updates.
        "--MarimoProxyConfig.sandbox=None",
        "--MarimoProxyConfig.skip_update_check=True",
    ]
    model = default_chat_model(settings)
    if model:
        # The chat starts with the gateway's default model: nothing for a user to set.
        args.append(f"--JupyternautExtension.initial_language_model=openai/{model}")
    if settings.ai_mcp:
        # Unauthenticated by design upstream: never the fixed port 3001, never off-host.
        args += ["--MCPExtensionApp.mcp_port=0", "--MCPServer.host=127.0.0.1"]
    else:
        args += ["--ServerApp.jpserver_extensions=jupyter_server_mcp=False"]
    return args


def default_chat_model(settings: Settings) -> str:
    """The AI gateway's default model ("" without the gateway or a model)."""
    if not settings.ai_enabled:
        return ""
    return Catalogue.from_settings(
        settings.ai_models,
        settings.ai_default_model,
        settings.ai_everyone,
        settings.ai_daily_tokens,
        settings.ai_daily_requests,
    ).default


def ai_environment(settings: Settings) -> dict[str, Any]:
    """jupyter-ai's chat and any OpenAI client in a notebook (`openai.OpenAI()`, litellm)
    reach the AI gateway with a token of the server's own as their key: the providers' keys
    stay with the gateway."""
    if not settings.ai_enabled:
        return {}
    url = ai_url_for_servers(settings)
    return {
        "OPENAI_BASE_URL": f"{url}v1",
        "OPENAI_API_BASE": f"{url}v1",  # what some clients read instead
        # A token that opens the gateway only (server_tokens.py): a client pointed
        # elsewhere sends its key there.
        "OPENAI_API_KEY": private_only(AI_TOKEN),
        "GALILEAN_AI_URL": url,
    }


def mlflow_environment(settings: Settings) -> dict[str, Any]:
    """`import mlflow; mlflow.start_run()` in a notebook reaches the hub's MLflow as its
    owner (the server's own hub token, which holds custom:mlflow:use) and lands in the
    owner's default experiment."""
    if not settings.mlflow_enabled:
        return {}
    return {
        "MLFLOW_TRACKING_URI": mlflow_url_for_servers(settings),
        # A shared workspace's hub token does not reach MLflow (sharing.py): none.
        "MLFLOW_TRACKING_TOKEN": private_only(lambda spawner: spawner.api_token),
        "MLFLOW_EXPERIMENT_NAME": lambda spawner: default_experiment(spawner.user.name),
        # The client in notebooks reports nothing to MLflow's makers either.
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }


def singleuser_environment(settings: Settings) -> dict[str, Any]:
    """Values are strings, or callables JupyterHub calls with the spawner at spawn time."""
    return {
        # LiteLLM otherwise downloads its model price list at start.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "GALILEAN_MODE": settings.mode,
        # Which workspace this server is: JupyterLab shows its title.
        "GALILEAN_WORKSPACE": workspace_env_name,
        "GALILEAN_WORKSPACE_TITLE": workspace_env_title,
        # The designer's previews keep to the budget the flows service's runs keep to.
        "GALILEAN_FLOWS_MEMORY_LIMIT": settings.flows_memory_limit,
        # The designer's bridge (galilean_server/flows_bridge.py) forwards to the service here.
        "GALILEAN_FLOWS_URL": flows_url_for_servers(settings),
        # The Datasets panel's bridge (galilean_server/datasets_bridge.py).
        "GALILEAN_DATASETS_URL": datasets_url_for_servers(settings),
        **mlflow_environment(settings),
        **ai_environment(settings),
        # The vault's own token (server_tokens.py), deleted when the server stops; none in
        # a shared workspace, whose guests run code there as its owner (sharing.py).
        VAULT_ENV: private_only(VAULT_TOKEN),
        SHARED_ENV: shared_flag,
        **shared_connections(),
    }


def _configure_spawner(c: Any, settings: Settings, data: Path, profiles: Profiles) -> None:
    c.Spawner.default_url = "/lab"
    c.Spawner.start_timeout = settings.spawn_timeout
    c.Spawner.http_timeout = settings.spawn_timeout
    c.Spawner.args = singleuser_args(settings)
    c.Spawner.environment = singleuser_environment(settings)
    sizer = ServerSizer(profiles)
    c.Spawner.pre_spawn_hook = sizer
    c.Spawner.post_stop_hook = revoke_server_tokens
    # A workspace's options: its display name and its profile (checked; in user_options).
    c.Spawner.options_from_form = WorkspaceOptions(profiles)
    c.Spawner.options_form = profiles.options_form
    # Only the model keys cross into a container; embedded servers also need the hub's PATH.
    c.Spawner.env_keep = list(settings.user_env_keep)
    if settings.mode == "embedded":
        keep = ["PATH", "LANG", "LC_ALL", "VIRTUAL_ENV", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"]
        c.Spawner.env_keep = keep + list(settings.user_env_keep)
        c.JupyterHub.spawner_class = "galilean_hub.spawners.WorkspaceProcessSpawner"
        c.WorkspaceProcessSpawner.users_root = str(users_root(data))
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
        _configure_docker(c, settings, sizer)


def _configure_docker(c: Any, settings: Settings, sizer: ServerSizer) -> None:
    # DockerSpawner that returns once the server answers (docker_spawner.py); configured
    # as DockerSpawner (traitlets config applies to subclasses).
    c.JupyterHub.spawner_class = "galilean_hub.docker_spawner.ReadyDockerSpawner"
    c.DockerSpawner.image = settings.docker_image
    c.DockerSpawner.network_name = settings.docker_network
    c.DockerSpawner.use_internal_ip = True
    c.DockerSpawner.remove = True
    c.DockerSpawner.pull_policy = "never"
    c.DockerSpawner.notebook_dir = "/home/jovyan"
    shared = settings.docker_shared_dir
    if not shared.startswith("/"):
        raise ConfigError(f"GALILEAN_DOCKER_SHARED_DIR={shared!r} must be an absolute path")
    # The user's folder (all workspaces and the flows service see it) holds the named SQL
    # connections, as the home folder does in embedded mode.
    c.DockerSpawner.environment = {**singleuser_environment(settings), HOME_ENV: SHARED_MOUNT}
    # One volume per user and workspace, kept when the container is removed (DockerSpawner
    # escapes user names with '_' sequences, so '__' cannot occur inside a name); the
    # user's folder is mounted by the pre-spawn hook (folders.shared_template).
    c.DockerSpawner.volumes = {"galilean-{username}__{servername}": "/home/jovyan"}
    c.Spawner.pre_spawn_hook = partial(docker_pre_spawn, shared_template(shared), sizer)
    c.DockerSpawner.mem_limit = settings.docker_mem_limit
    c.DockerSpawner.cpu_limit = settings.docker_cpu_limit
    c.DockerSpawner.start_timeout = settings.docker_start_timeout
    c.DockerSpawner.http_timeout = settings.docker_start_timeout
    c.JupyterHub.hub_connect_ip = settings.hub_connect_ip or settings.hub_ip
