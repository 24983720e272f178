"""What the gateway lets through to MLflow and how (no web framework here): which client
headers are dropped and which it sets, which MLflow routes only MLflow admins may call, the
run's user set to the hub user, experiment names reserved for their user, and whether a
browser request comes from the hub's own pages (MLflow's UI cannot send an _xsrf token).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, unquote, urlsplit

from ..kit.errors import Forbidden, ValidationError
from .settings import SERVICE_USER

SECRET_HEADER = "X-Galilean-Gateway-Secret"  # noqa: S105 (a header name)
USER_HEADER = "X-Galilean-User"
GROUPS_HEADER = "X-Galilean-Groups"
# HMAC of the user and groups headers with the secret: a header the client smuggled in
# beside them (servers merge duplicates) breaks it, and MLflow's side refuses the request.
SIGNATURE_HEADER = "X-Galilean-Signature"
# Who MLflow thinks is calling: never loopback (its assistant trusts "local" callers, and
# the gateway is one); an address of the documentation range, reachable by nobody.
FORWARDED_FOR = "192.0.2.1"

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
# Never forwarded from the client: its hub credentials (MLflow must not see them), what
# the gateway sets itself, and what MLflow would judge wrongly behind a proxy (its CORS
# block refuses any Origin but localhost: the gateway checks the origin instead).
DROPPED_REQUEST = HOP_BY_HOP | {
    "host",
    "cookie",
    "authorization",
    "origin",
    "referer",
    "forwarded",
}
DROPPED_RESPONSE = HOP_BY_HOP | {"server", "date"}

API = r"(?:ajax-)?api/[23]\.0/mlflow/"
# Who exists, who holds which role, creating users and admins: MLflow admins only (MLflow
# would show any user every role with its grants, and every user name).
ADMIN_ONLY = re.compile(
    rf"^(?:{API}(?:roles/.*|users/(?:list|create|delete|update-admin|update-password)"
    r"|users/roles/list)|signup|users/create-ui|add-user)/?$"
)
# Off for everyone, MLflow admins included: MLflow's assistant runs a coding agent and
# shell commands on the host for requests it sees from localhost (the gateway is), its AI
# gateway keeps provider keys and calls any base URL from the server (Galilean's AI gateway
# does that job, issue 17), and its job runner is off (MLFLOW_SERVER_ENABLE_JOB_EXECUTION).
SWITCHED_OFF = re.compile(
    rf"^(?:{API}(?:assistant|gateway|gateway-proxy|mcp-servers|prompt-optimization)"
    r"|(?:ajax-)?api/3\.0/jobs|gateway)(?:/.*)?$"
)
RUN_CREATE = re.compile(rf"^{API}runs/create$")
EXPERIMENT_CREATE = re.compile(rf"^{API}experiments/create$")
EXPERIMENT_UPDATE = re.compile(rf"^{API}experiments/update$")  # a rename: new_name
# A body the gateway reads to change (a run's user) or check (an experiment's name).
SMALL_BODY = 1 << 20


def signature(secret: str, user: str, groups: str) -> str:
    message = f"{user}\n{groups}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _dropped(name: str) -> bool:
    lower = name.lower()
    return (
        "_" in lower  # X_Galilean_User reaches a WSGI app as HTTP_X_GALILEAN_USER
        or lower in DROPPED_REQUEST
        or lower.startswith(("x-galilean-", "x-forwarded-"))
    )


def upstream_headers(
    headers: Iterable[tuple[str, str]],
    *,
    user: str,
    groups: Iterable[str],
    secret: str,
    host: str,
) -> dict[str, str]:
    """The request headers MLflow gets: the client's, less credentials, hop-by-hop, any
    name with an underscore, X-Forwarded-* and every X-Galilean-* (MLflow's UI turns
    cookies into headers, so a browser can send any), plus who the hub says the caller is,
    signed with the gateway's secret."""
    kept = {name: value for name, value in headers if not _dropped(name)}
    listed = ",".join(quote(g, safe="") for g in sorted(groups))
    return kept | {
        "Host": host,
        "X-Forwarded-For": FORWARDED_FOR,
        USER_HEADER: user,
        GROUPS_HEADER: listed,
        SECRET_HEADER: secret,
        SIGNATURE_HEADER: signature(secret, user, listed),
    }


# What a path may hold once decoded: nothing that means something else to MLflow's server
# after it decodes again (%, ?, #), nothing its URL parsing drops (controls), no \.
UNSAFE_PATH = re.compile(r"[%?#\\\x00-\x1f\x7f]")


def mlflow_path(raw: str) -> str:
    """The path under the prefix as the client sent it (percent-encoded), decoded once:
    what the rules judge and what MLflow gets (re-encoded, so it decodes to the same)."""
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        path = "%"  # not UTF-8: refused below
    segments = path.split("/")
    if UNSAFE_PATH.search(path) or "" in segments[:-1] or {".", ".."} & set(segments):
        raise ValidationError(
            "the path holds characters or segments MLflow's paths never have",
            [{"field": "path"}],
        )
    return path


def upstream_path(path: str) -> str:
    return quote(path, safe="/-._~!$&'()*+,;=:@")


def response_headers(headers: Iterable[tuple[str, str]], prefix: str) -> list[tuple[str, str]]:
    """MLflow's response headers for the client; a redirect to one of MLflow's own paths
    stays under the service's prefix."""
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower in DROPPED_RESPONSE:
            continue
        if lower == "location" and value.startswith("/") and not value.startswith("//"):
            value = prefix + value.lstrip("/")
        out.append((name, value))
    return out


def check_user(user: str) -> None:
    if user == SERVICE_USER:
        raise Forbidden(f"the user name {user!r} is reserved for the gateway")


def check_allowed(path: str, user: str, mlflow_admin: bool) -> None:
    """403 for what this caller may not ask of MLflow at all (MLflow checks the rest)."""
    check_user(user)
    if SWITCHED_OFF.match(path):
        raise Forbidden(
            f"{path} is switched off in Galilean's MLflow (it would run work or hold keys on "
            "the server)",
            [{"field": "path"}],
        )
    if not mlflow_admin and ADMIN_ONLY.match(path):
        raise Forbidden(
            f"only MLflow admins may call {path} (members of the hub's MLflow admin group)",
            [{"field": "path"}],
        )


def needs_body(path: str) -> bool:
    return any(rule.match(path) for rule in (RUN_CREATE, EXPERIMENT_CREATE, EXPERIMENT_UPDATE))


def rewrite_body(path: str, body: bytes, user: str, mlflow_admin: bool) -> bytes:
    """runs/create: the run's user is the hub user, whatever the client said (MLflow takes
    it from the request). experiments/create and a rename (experiments/update's new_name):
    `users/<other>/...` names are refused."""
    try:
        message = json.loads(body or b"{}")
    except ValueError:
        raise ValidationError("the request body is not JSON", [{"field": "body"}]) from None
    if not isinstance(message, dict):
        raise ValidationError("the request body must be a JSON object", [{"field": "body"}])
    if RUN_CREATE.match(path):
        message["user_id"] = user
        tags = [t for t in message.get("tags") or [] if isinstance(t, dict)]
        tags = [t for t in tags if t.get("key") != "mlflow.user"]
        message["tags"] = [*tags, {"key": "mlflow.user", "value": user}]
        return json.dumps(message).encode()
    name = message.get("new_name" if EXPERIMENT_UPDATE.match(path) else "name")
    if isinstance(name, str) and not mlflow_admin:
        match = re.match(r"^/?users/([^/]+)/", name)
        if match and match.group(1) != user:
            raise Forbidden(
                f"experiment names starting users/{match.group(1)}/ are kept for that user",
                [{"field": "new_name" if EXPERIMENT_UPDATE.match(path) else "name"}],
            )
    return body


def same_origin(headers: Mapping[str, str], host: str) -> bool:
    """Whether a cookie-authenticated request that changes something comes from the hub's
    own pages: the browser's Sec-Fetch-Site says so, or (older browsers) its Origin names
    this host. A request with neither is not a browser's cross-site request."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = headers.get("Origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    return _strip_default_port(urlsplit(origin).netloc) == _strip_default_port(host)


def _strip_default_port(netloc: str) -> str:
    netloc = netloc.lower()
    for port in (":80", ":443"):
        if netloc.endswith(port):
            return netloc[: -len(port)]
    return netloc
