"""Galilean's hub settings: every variable of `stack.env`, typed and documented.

Each trait carries the environment variable it is read from (``env`` metadata) and its
``help`` text is the documentation (`stack.env.example` is checked against it by a test).
Values come from the process environment first, then from the `stack.env` file, then
from the trait's default. A bad value raises :class:`ConfigError` naming the variable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from traitlets import Bool, Enum, Float, HasTraits, Int, List, TraitError, Unicode

MODES = ("embedded", "docker")
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A setting is missing or wrong; the message says what to set."""


def _env(name: str, group: str, *, required_in: str = "", secret: bool = False) -> dict[str, Any]:
    return {"env": name, "group": group, "required_in": required_in, "secret": secret}


class Settings(HasTraits):
    """All of Galilean's hub-side configuration."""

    # -- the stack -----------------------------------------------------------------------
    mode = Enum(
        MODES,
        default_value="embedded",
        help="How user servers run: 'embedded' (local processes, one OS account, no Docker) "
        "or 'docker' (one container per user and workspace, isolated).",
    ).tag(**_env("GALILEAN_MODE", "stack"))
    data_dir = Unicode(
        "var",
        help="Folder for hub state (SQLite database, cookie secret) and, in embedded mode, "
        "every user's files. Relative paths are taken from the working directory.",
    ).tag(**_env("GALILEAN_DATA_DIR", "stack"))
    bind_url = Unicode(
        "http://127.0.0.1:8000",
        help="Public URL the proxy listens on (what users open in the browser).",
    ).tag(**_env("GALILEAN_BIND_URL", "stack"))
    hub_port = Int(8081, help="Port of the hub's own API, behind the proxy.").tag(
        **_env("GALILEAN_HUB_PORT", "stack")
    )
    hub_ip = Unicode(
        "127.0.0.1",
        help="Address the hub's API binds to; in docker mode the address containers reach.",
    ).tag(**_env("GALILEAN_HUB_IP", "stack"))
    hub_connect_ip = Unicode(
        "",
        help="Address user servers use to reach the hub's API (docker mode: the hub's "
        "container name on the stack's network). Empty: GALILEAN_HUB_IP.",
    ).tag(**_env("GALILEAN_HUB_CONNECT_IP", "stack"))
    proxy_api_port = Int(8001, help="Port of configurable-http-proxy's REST API.").tag(
        **_env("GALILEAN_PROXY_API_PORT", "stack")
    )
    proxy_command = Unicode(
        "",
        help="Path of the configurable-http-proxy program. Empty: the one `make run` "
        "installs under .venv/proxy, else the one on PATH.",
    ).tag(**_env("GALILEAN_PROXY_COMMAND", "stack"))
    db_url = Unicode(
        "",
        help="SQLAlchemy URL of the hub database, e.g. "
        "postgresql+psycopg://hub:PASSWORD@db:5432/jupyterhub (compose sets it). Empty: SQLite "
        "in the data folder.",
    ).tag(**_env("GALILEAN_DB_URL", "stack", required_in="docker", secret=True))
    cookie_secret = Unicode(
        "",
        help="Hex secret signing login cookies (generate with `openssl rand -hex 32`). "
        "Empty in embedded mode: generated once into the data folder.",
    ).tag(**_env("GALILEAN_COOKIE_SECRET", "stack", required_in="docker", secret=True))

    # -- accounts ------------------------------------------------------------------------
    admin_users = List(
        Unicode(),
        default_value=["admin"],
        help="Comma-separated admin user names. An admin signs up like anyone else and is "
        "authorized at once; sign up as the admin before you share the address.",
    ).tag(**_env("GALILEAN_ADMIN_USERS", "accounts"))
    password_min_length = Int(10, help="Shortest password accepted at sign-up.").tag(
        **_env("GALILEAN_PASSWORD_MIN_LENGTH", "accounts")
    )
    check_common_passwords = Bool(
        True, help="Refuse passwords found in a list of common passwords."
    ).tag(**_env("GALILEAN_CHECK_COMMON_PASSWORDS", "accounts"))
    login_max_failures = Int(
        5,
        help="Failed logins for one account from one address after which that address must "
        "wait before trying that account again (0: never). Other addresses are not "
        "affected, so nobody can lock the owner out; an admin can unlock on /hub/authorize.",
    ).tag(**_env("GALILEAN_LOGIN_MAX_FAILURES", "accounts"))
    login_lockout_seconds = Int(
        600,
        help="The first wait; each further failure after it doubles the wait, up to "
        "GALILEAN_LOGIN_LOCKOUT_MAX_SECONDS. A successful login from the address clears it.",
    ).tag(**_env("GALILEAN_LOGIN_LOCKOUT_SECONDS", "accounts"))
    login_lockout_max_seconds = Int(
        86400,
        help="The longest wait after failed logins; failures older than this are forgotten.",
    ).tag(**_env("GALILEAN_LOGIN_LOCKOUT_MAX_SECONDS", "accounts"))
    trusted_proxies = List(
        Unicode(),
        default_value=[],
        help="Comma-separated addresses, networks (CIDR) or host names of reverse proxies in "
        "front of the hub's proxy (compose sets traefik) whose X-Forwarded-For entries are "
        "believed: failed logins count against the client address they report. Other "
        "clients' claims are ignored, so nobody can pick the address their failures count "
        "against. Empty: the address that connects to the hub's proxy.",
    ).tag(**_env("GALILEAN_TRUSTED_PROXIES", "accounts"))
    totp = Bool(
        False,
        help="Offer TOTP two-factor authentication at sign-up (users scan a code into an "
        "authenticator app and type its 6 digits at login).",
    ).tag(**_env("GALILEAN_TOTP", "accounts"))

    # -- workspaces and servers ----------------------------------------------------------
    max_workspaces = Int(
        5, help="Named workspaces a user may have besides the default one (0: no limit)."
    ).tag(**_env("GALILEAN_MAX_WORKSPACES", "servers"))
    spawn_timeout = Int(
        180, help="Seconds a user server may take to start before the spawn fails."
    ).tag(**_env("GALILEAN_SPAWN_TIMEOUT", "servers"))
    cull_idle_seconds = Int(
        3600,
        help="Stop a server (any workspace) idle for this many seconds (0: never).",
    ).tag(**_env("GALILEAN_CULL_IDLE_SECONDS", "servers"))
    cull_every_seconds = Int(
        0, help="How often the idle culler checks (0: a tenth of the idle timeout, 5-300 s)."
    ).tag(**_env("GALILEAN_CULL_EVERY_SECONDS", "servers"))
    user_env_keep = List(
        Unicode(),
        default_value=["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OLLAMA_API_BASE"],
        help="Comma-separated variables of the hub's environment passed on to user servers "
        "(the hub strips the rest): model keys for the AI chat.",
    ).tag(**_env("GALILEAN_USER_ENV_KEEP", "servers"))
    singleuser_python = Unicode(
        "",
        help="Embedded mode: the Python whose environment runs user servers (it needs "
        "jupyterhub and the user side of Galilean). Empty: the hub's own Python.",
    ).tag(**_env("GALILEAN_SINGLEUSER_PYTHON", "servers"))
    allow_root = Bool(
        False,
        help="Embedded mode: let the hub run as root. Every user's kernels and terminals "
        "would then run as root on this machine (the hub refuses to start as root unless "
        "this is true); run it as an ordinary account instead. Docker mode ignores it.",
    ).tag(**_env("GALILEAN_ALLOW_ROOT", "servers"))
    ai_mcp = Bool(
        False,
        help="Start jupyter-ai's MCP server in user servers. It has no authentication and "
        "can run code in the user's kernels; when on it binds to localhost on a free port.",
    ).tag(**_env("GALILEAN_AI_MCP", "servers"))

    # -- flows service -------------------------------------------------------------------
    flows_port = Int(
        8082, help="Port of the flows service (behind the proxy at /services/flows)."
    ).tag(**_env("GALILEAN_FLOWS_PORT", "flows"))
    flows_db_url = Unicode(
        "",
        help="SQLAlchemy URL of the flows service's database (flows, versions, runs). Empty: "
        "the hub's database when GALILEAN_DB_URL is set (its tables start with galilean_), "
        "else flows.sqlite in the data folder.",
    ).tag(**_env("GALILEAN_FLOWS_DB_URL", "flows", secret=True))
    flows_files_root = Unicode(
        "",
        help="Folder where a user's flows read and write files, with {user} in it. Empty: the "
        "user's home in embedded mode, <data folder>/flows/{user} in docker mode.",
    ).tag(**_env("GALILEAN_FLOWS_FILES_ROOT", "flows"))
    flows_run_timeout = Int(3600, help="Seconds a flow run may take before it is stopped.").tag(
        **_env("GALILEAN_FLOWS_RUN_TIMEOUT", "flows")
    )
    flows_max_parallel_runs = Int(2, help="Runs executing at once; more wait, queued.").tag(
        **_env("GALILEAN_FLOWS_MAX_PARALLEL_RUNS", "flows")
    )
    flows_endpoint_timeout = Int(
        60, help="Seconds a call to a published flow endpoint may take (then 504)."
    ).tag(**_env("GALILEAN_FLOWS_ENDPOINT_TIMEOUT", "flows"))
    flows_endpoint_workers = Int(
        8,
        help="Published endpoints kept warm at once: each has a worker process (about "
        "150-250 MB) holding its compiled plans; the least recently used idle one makes room.",
    ).tag(**_env("GALILEAN_FLOWS_ENDPOINT_WORKERS", "flows"))
    flows_endpoint_concurrency = Int(
        1,
        help="Calls of one endpoint executing at once (one worker process each); more wait. "
        "Endpoints never wait for one another.",
    ).tag(**_env("GALILEAN_FLOWS_ENDPOINT_CONCURRENCY", "flows"))
    flows_endpoint_idle_seconds = Int(
        600, help="Seconds an endpoint's worker stays warm without being called."
    ).tag(**_env("GALILEAN_FLOWS_ENDPOINT_IDLE_SECONDS", "flows"))
    flows_schedule_check_seconds = Float(
        15, help="How often the service looks for scheduled flows that are due."
    ).tag(**_env("GALILEAN_FLOWS_SCHEDULE_CHECK_SECONDS", "flows"))
    flows_memory_limit = Unicode(
        "2GB", help="Memory DuckDB may use per run or endpoint call (it spills to disk beyond)."
    ).tag(**_env("GALILEAN_FLOWS_MEMORY_LIMIT", "flows"))
    flows_engine = Enum(
        ["auto", "duckdb"],
        "auto",
        help="Engine of the service's runs: auto runs a flow on Polars when every node has a "
        "Polars form (faster on one machine), else on DuckDB; duckdb always on DuckDB, the "
        "only one that keeps to GALILEAN_FLOWS_MEMORY_LIMIT (it spills to disk).",
    ).tag(**_env("GALILEAN_FLOWS_ENGINE", "flows"))
    flows_isolation = Enum(
        ["auto", "bubblewrap", "none"],
        "auto",
        help="Embedded mode: where flow runs and endpoints execute. bubblewrap: as their "
        "owner in a sandbox that sees only the owner's folder (Debian package bubblewrap; "
        "the hub refuses to start without it); auto: bubblewrap when it works here, else "
        "none with a warning; none: as the service's own account (for people who trust "
        "each other).",
    ).tag(**_env("GALILEAN_FLOWS_ISOLATION", "flows"))
    flows_network = Enum(
        ["none", "allowed"],
        "none",
        help="Whether isolated flows reach the network: none (no network at all, unless "
        "GALILEAN_FLOWS_HTTP_ALLOW lists hosts) or allowed (public addresses, and the private "
        "ones the allow-list names; checked on the address actually connected to).",
    ).tag(**_env("GALILEAN_FLOWS_NETWORK", "flows"))
    flows_max_processes = Int(
        512,
        help="Processes and threads one run or endpoint worker may have (a cgroup, where "
        "the machine allows): a fork loop stops there.",
    ).tag(**_env("GALILEAN_FLOWS_MAX_PROCESSES", "flows"))
    flows_python_max_memory_mb = Int(
        2048,
        help="The most memory (MB) a Python node may use; a flow may ask for less, never more.",
    ).tag(**_env("GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB", "flows"))
    flows_python_max_seconds = Int(
        300, help="The most seconds a Python node may run; a flow may ask for less, never more."
    ).tag(**_env("GALILEAN_FLOWS_PYTHON_MAX_SECONDS", "flows"))
    flows_http_allow = List(
        Unicode(),
        default_value=[],
        help="Comma-separated hosts (or host:port, IP, IP:port) on a private network that "
        "flows run by the service may reach, over HTTP or as a database server: private, "
        "loopback and link-local addresses (the hub, cloud metadata, your LAN) only when "
        "listed here, checked on the address actually connected to. A non-empty list gives "
        "runs the network, as GALILEAN_FLOWS_NETWORK=allowed does; public addresses are then "
        "reachable too.",
    ).tag(**_env("GALILEAN_FLOWS_HTTP_ALLOW", "flows"))

    # -- docker mode ---------------------------------------------------------------------
    docker_image = Unicode(
        "galilean/notebook:latest",
        help="Image of user servers in docker mode (built from images/notebook).",
    ).tag(**_env("GALILEAN_DOCKER_IMAGE", "docker"))
    docker_network = Unicode(
        "", help="Docker network user containers join (compose sets it to its own network)."
    ).tag(**_env("GALILEAN_DOCKER_NETWORK", "docker", required_in="docker"))
    docker_mem_limit = Unicode("2G", help="Memory limit of a user container.").tag(
        **_env("GALILEAN_DOCKER_MEM_LIMIT", "docker")
    )
    docker_cpu_limit = Float(1.0, help="CPU limit of a user container (cores).").tag(
        **_env("GALILEAN_DOCKER_CPU_LIMIT", "docker")
    )

    docker_shared_dir = Unicode(
        "/srv/galilean/shared",
        help="Absolute folder on the Docker host with one folder per user, mounted at "
        "/home/jovyan/shared in every workspace of that user and read by the flows service: "
        "files the user's flows read and the user's named connections live there. Compose "
        "mounts it into the hub container at the same path.",
    ).tag(**_env("GALILEAN_DOCKER_SHARED_DIR", "docker"))

    docker_start_timeout = Int(
        120, help="Seconds a user container may take to answer before its spawn fails."
    ).tag(**_env("GALILEAN_DOCKER_START_TIMEOUT", "docker"))

    # -- the compose stack (read by docker compose; the hub ignores them) ----------------
    postgres_password = Unicode(
        "",
        help="Password of the stack's PostgreSQL (compose refuses to start without it; "
        "generate with `openssl rand -hex 32`).",
    ).tag(**_env("GALILEAN_POSTGRES_PASSWORD", "compose", secret=True))
    domain = Unicode("", help="Public host name, e.g. hub.example.org (for Let's Encrypt).").tag(
        **_env("GALILEAN_DOMAIN", "compose")
    )
    tls_resolver = Unicode(
        "",
        help="'letsencrypt' for a certificate from Let's Encrypt (needs GALILEAN_DOMAIN and "
        "GALILEAN_ACME_EMAIL, ports 80/443 reachable); empty: a certificate you provide in "
        "compose/traefik/, else Traefik's self-signed one.",
    ).tag(**_env("GALILEAN_TLS_RESOLVER", "compose"))
    acme_email = Unicode("", help="E-mail Let's Encrypt writes to about the certificate.").tag(
        **_env("GALILEAN_ACME_EMAIL", "compose")
    )
    http_port = Int(80, help="Host port for HTTP (redirects to HTTPS).").tag(
        **_env("GALILEAN_HTTP_PORT", "compose")
    )
    https_port = Int(443, help="Host port for HTTPS.").tag(**_env("GALILEAN_HTTPS_PORT", "compose"))
    image_tag = Unicode("latest", help="Tag of the galilean/hub image compose runs.").tag(
        **_env("GALILEAN_IMAGE_TAG", "compose")
    )

    @classmethod
    def env_traits(cls) -> dict[str, Any]:
        """Trait objects keyed by their environment variable, in declaration order."""
        return {t.metadata["env"]: t for t in cls.class_traits(env=lambda e: bool(e)).values()}

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from a mapping of variables; ConfigError names the one at fault."""
        settings = cls()
        for name, trait in cls.class_traits(env=lambda e: bool(e)).items():
            var = trait.metadata["env"]
            if var not in environ:
                continue
            raw = environ[var].strip()
            try:
                setattr(settings, name, _parse(trait, raw))
            except (TraitError, ValueError) as exc:
                raise ConfigError(
                    f"{var}={_show(trait, raw)} is not valid: {_reason(trait, exc)}"
                ) from None
        settings.check_required()
        return settings

    def check_required(self) -> None:
        """Fail naming every variable the chosen mode needs and does not have."""
        missing = sorted(
            trait.metadata["env"]
            for name, trait in self.class_traits(required_in=self.mode).items()
            if not getattr(self, name)
        )
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise ConfigError(
                f"{', '.join(missing)} {verb} required in {self.mode} mode: set "
                f"{'it' if len(missing) == 1 else 'them'} in stack.env (see stack.env.example)"
            )

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser().absolute()


def _parse(trait: Any, raw: str) -> Any:
    if isinstance(trait, Bool):
        word = raw.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError("use true or false")
    if isinstance(trait, Int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError("use a whole number") from None
    if isinstance(trait, Float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError("use a number") from None
    if isinstance(trait, List):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _reason(trait: Any, exc: Exception) -> str:
    if isinstance(trait, Enum):
        return "use one of " + ", ".join(str(v) for v in trait.values or ())
    return str(exc)


def _show(trait: Any, raw: str) -> str:
    return "<hidden>" if trait.metadata.get("secret") else repr(raw)


def parse_env_file(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines (comments, blank lines, `export` and quotes allowed)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE, got {line.split('=')[0]!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def load_settings(environ: Mapping[str, str] | None = None) -> tuple[Settings, list[str]]:
    """Settings from the environment over `stack.env`; returns them and warnings to log.

    The file is `GALILEAN_ENV_FILE` (default `stack.env` in the working directory).
    Variables found in the file but not in the environment are also exported, so
    that other parts of the hub (and its services) see the same values.
    """
    env = dict(os.environ if environ is None else environ)
    warnings: list[str] = []
    env_file = Path(env.get("GALILEAN_ENV_FILE", "stack.env"))
    if env_file.is_file():
        mode = env_file.stat().st_mode
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            warnings.append(
                f"{env_file} is readable by other users and holds secrets: chmod 600 {env_file}"
            )
        for key, value in parse_env_file(env_file).items():
            env.setdefault(key, value)
            if environ is None:
                os.environ.setdefault(key, value)
    elif "GALILEAN_ENV_FILE" in env:
        raise ConfigError(
            f"GALILEAN_ENV_FILE={str(env_file)!r} does not exist: set it to your stack.env"
        )
    return Settings.from_environ(env), warnings
