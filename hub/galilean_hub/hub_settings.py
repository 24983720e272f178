"""The hub's own settings groups (the services' groups live with them: kit.settings,
flows_service.settings); `settings.Settings` composes them all."""

from __future__ import annotations

from traitlets import Bool, Int, List, Unicode

from galilean_services.kit.settings import SettingsGroup, env


class HubStackSettings(SettingsGroup):
    """Section "stack": the hub, its proxy and its database."""

    bind_url = Unicode(
        "http://127.0.0.1:8000",
        help="Public URL the proxy listens on (what users open in the browser).",
    ).tag(**env("GALILEAN_BIND_URL", "stack"))
    hub_port = Int(8081, help="Port of the hub's own API, behind the proxy.").tag(
        **env("GALILEAN_HUB_PORT", "stack")
    )
    hub_ip = Unicode(
        "127.0.0.1",
        help="Address the hub's API binds to; in docker mode the address containers reach.",
    ).tag(**env("GALILEAN_HUB_IP", "stack"))
    hub_connect_ip = Unicode(
        "",
        help="Address user servers use to reach the hub's API (docker mode: the hub's "
        "container name on the stack's network). Empty: GALILEAN_HUB_IP.",
    ).tag(**env("GALILEAN_HUB_CONNECT_IP", "stack"))
    proxy_api_port = Int(8001, help="Port of configurable-http-proxy's REST API.").tag(
        **env("GALILEAN_PROXY_API_PORT", "stack")
    )
    proxy_command = Unicode(
        "",
        help="Path of the configurable-http-proxy program. Empty: the one `make run` "
        "installs under .venv/proxy, else the one on PATH.",
    ).tag(**env("GALILEAN_PROXY_COMMAND", "stack"))
    db_url = Unicode(
        "",
        help="SQLAlchemy URL of the hub database, e.g. "
        "postgresql+psycopg://hub:PASSWORD@db:5432/jupyterhub (compose sets it). Empty: SQLite "
        "in the data folder.",
    ).tag(**env("GALILEAN_DB_URL", "stack", required_in="docker", secret=True))
    cookie_secret = Unicode(
        "",
        help="Hex secret signing login cookies (generate with `openssl rand -hex 32`). "
        "Empty in embedded mode: generated once into the data folder.",
    ).tag(**env("GALILEAN_COOKIE_SECRET", "stack", required_in="docker", secret=True))
    vault_key = Unicode(
        "",
        help="Fernet key encrypting users' secrets in the hub database (generate with "
        '`python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"`). Several, comma-separated, to rotate: '
        "the first encrypts, all decrypt. Empty: generated once into the data folder "
        "(vault.key) — keep a copy with your backups, secrets cannot be read without it.",
    ).tag(**env("GALILEAN_VAULT_KEY", "stack", secret=True))


class AccountSettings(SettingsGroup):
    """Section "accounts": sign-up, login and its lockout, two-factor authentication."""

    admin_users = List(
        Unicode(),
        default_value=["admin"],
        help="Comma-separated admin user names. An admin signs up like anyone else and is "
        "authorized at once; sign up as the admin before you share the address.",
    ).tag(**env("GALILEAN_ADMIN_USERS", "accounts"))
    password_min_length = Int(10, help="Shortest password accepted at sign-up.").tag(
        **env("GALILEAN_PASSWORD_MIN_LENGTH", "accounts")
    )
    check_common_passwords = Bool(
        True, help="Refuse passwords found in a list of common passwords."
    ).tag(**env("GALILEAN_CHECK_COMMON_PASSWORDS", "accounts"))
    login_max_failures = Int(
        5,
        help="Failed logins for one account from one address after which that address must "
        "wait before trying that account again (0: never). Other addresses are not "
        "affected, so nobody can lock the owner out; an admin can unlock on /hub/authorize.",
    ).tag(**env("GALILEAN_LOGIN_MAX_FAILURES", "accounts"))
    login_lockout_seconds = Int(
        600,
        help="The first wait; each further failure after it doubles the wait, up to "
        "GALILEAN_LOGIN_LOCKOUT_MAX_SECONDS. A successful login from the address clears it.",
    ).tag(**env("GALILEAN_LOGIN_LOCKOUT_SECONDS", "accounts"))
    login_lockout_max_seconds = Int(
        86400,
        help="The longest wait after failed logins; failures older than this are forgotten.",
    ).tag(**env("GALILEAN_LOGIN_LOCKOUT_MAX_SECONDS", "accounts"))
    trusted_proxies = List(
        Unicode(),
        default_value=[],
        help="Comma-separated addresses, networks (CIDR) or host names of reverse proxies in "
        "front of the hub's proxy (compose sets traefik) whose X-Forwarded-For entries are "
        "believed: failed logins count against the client address they report. Other "
        "clients' claims are ignored, so nobody can pick the address their failures count "
        "against. Empty: the address that connects to the hub's proxy.",
    ).tag(**env("GALILEAN_TRUSTED_PROXIES", "accounts"))
    totp = Bool(
        False,
        help="Offer TOTP two-factor authentication at sign-up (users scan a code into an "
        "authenticator app and type its 6 digits at login).",
    ).tag(**env("GALILEAN_TOTP", "accounts"))


class ServerSettings(SettingsGroup):
    """Section "servers": workspaces, their limits and what runs in them."""

    max_workspaces = Int(
        5, help="Named workspaces a user may have besides the default one (0: no limit)."
    ).tag(**env("GALILEAN_MAX_WORKSPACES", "servers"))
    spawn_timeout = Int(
        180, help="Seconds a user server may take to start before the spawn fails."
    ).tag(**env("GALILEAN_SPAWN_TIMEOUT", "servers"))
    profiles = Unicode(
        "",
        help="Resource profiles users pick for a workspace, `name: N cpu, SIZE[, N gpu]` "
        "separated by ';', e.g. `small: 1 cpu, 2G; large: 4 cpu, 16G; gpu: 4 cpu, 16G, 1 "
        "gpu` (GPUs: docker mode). Everyone may use the default; a group's property "
        "galilean.profiles (a list of names) offers more to its members; admins may use "
        "all. Empty: no choice (the Docker limits below, raised by groups' "
        "galilean.mem_limit / galilean.cpu_limit).",
    ).tag(**env("GALILEAN_PROFILES", "servers"))
    default_profile = Unicode(
        "", help="The profile everyone may use, preselected (empty: the first one)."
    ).tag(**env("GALILEAN_DEFAULT_PROFILE", "servers"))
    storage_quota = Unicode(
        "",
        help="How much each user may keep (e.g. `20G`): embedded mode, their folders under "
        "the data folder; docker mode, their workspaces' volumes and their shared folder. "
        "JupyterLab warns at 80%; at 100% no workspace of theirs starts (the message says "
        "what is largest). A group's property galilean.storage_quota raises it for its "
        "members (the largest wins; `none`: no quota); the usage dashboard sets one "
        "person's. Empty: no quota.",
    ).tag(**env("GALILEAN_STORAGE_QUOTA", "servers"))
    storage_every_seconds = Int(
        300,
        help="How old a user's measured storage may be before it is measured again "
        "(JupyterLab asks every minute; a start always measures afresh).",
    ).tag(**env("GALILEAN_STORAGE_EVERY_SECONDS", "servers"))
    cull_idle_seconds = Int(
        3600,
        help="Stop a server (any workspace) idle for this many seconds (0: never).",
    ).tag(**env("GALILEAN_CULL_IDLE_SECONDS", "servers"))
    cull_every_seconds = Int(
        0, help="How often the idle culler checks (0: a tenth of the idle timeout, 5-300 s)."
    ).tag(**env("GALILEAN_CULL_EVERY_SECONDS", "servers"))
    user_env_keep = List(
        Unicode(),
        default_value=[],
        help="Comma-separated variables of the hub's environment passed on to user servers "
        "(the hub strips the rest). The providers' keys need not be: the chat and "
        "notebooks reach the AI gateway, which keeps them.",
    ).tag(**env("GALILEAN_USER_ENV_KEEP", "servers"))
    singleuser_python = Unicode(
        "",
        help="Embedded mode: the Python whose environment runs user servers (it needs "
        "jupyterhub and the user side of Galilean). Empty: the hub's own Python.",
    ).tag(**env("GALILEAN_SINGLEUSER_PYTHON", "servers"))
    allow_root = Bool(
        False,
        help="Embedded mode: let the hub run as root. Every user's kernels and terminals "
        "would then run as root on this machine (the hub refuses to start as root unless "
        "this is true); run it as an ordinary account instead. Docker mode ignores it.",
    ).tag(**env("GALILEAN_ALLOW_ROOT", "servers"))
    ai_mcp = Bool(
        False,
        help="Start jupyter-ai's MCP server in user servers. It has no authentication and "
        "can run code in the user's kernels; when on it binds to localhost on a free port.",
    ).tag(**env("GALILEAN_AI_MCP", "servers"))


class HubDockerSettings(SettingsGroup):
    """Section "docker", the hub's part (the rest: kit.settings.ContainerSettings)."""

    docker_start_timeout = Int(
        120, help="Seconds a user container may take to answer before its spawn fails."
    ).tag(**env("GALILEAN_DOCKER_START_TIMEOUT", "docker"))


class ComposeSettings(SettingsGroup):
    """Section "compose": read by docker compose; the hub ignores them."""

    postgres_password = Unicode(
        "",
        help="Password of the stack's PostgreSQL (compose refuses to start without it; "
        "generate with `openssl rand -hex 32`).",
    ).tag(**env("GALILEAN_POSTGRES_PASSWORD", "compose", secret=True))
    domain = Unicode("", help="Public host name, e.g. hub.example.org (for Let's Encrypt).").tag(
        **env("GALILEAN_DOMAIN", "compose")
    )
    tls_resolver = Unicode(
        "",
        help="'letsencrypt' for a certificate from Let's Encrypt (needs GALILEAN_DOMAIN and "
        "GALILEAN_ACME_EMAIL, ports 80/443 reachable); empty: a certificate you provide in "
        "compose/traefik/, else Traefik's self-signed one.",
    ).tag(**env("GALILEAN_TLS_RESOLVER", "compose"))
    acme_email = Unicode("", help="E-mail Let's Encrypt writes to about the certificate.").tag(
        **env("GALILEAN_ACME_EMAIL", "compose")
    )
    http_port = Int(80, help="Host port for HTTP (redirects to HTTPS).").tag(
        **env("GALILEAN_HTTP_PORT", "compose")
    )
    https_port = Int(443, help="Host port for HTTPS.").tag(**env("GALILEAN_HTTPS_PORT", "compose"))
    image_tag = Unicode("latest", help="Tag of the galilean/hub image compose runs.").tag(
        **env("GALILEAN_IMAGE_TAG", "compose")
    )
