"""MLflow's `authorization_function` behind Galilean's gateway. Runs INSIDE MLflow's own
environment (put on its PYTHONPATH by the gateway): no Galilean imports, only MLflow's.

MLflow's basic-auth app calls `authenticate_gateway()` (no arguments, in a Flask request
context; many times per request, so it must be cheap) and expects a werkzeug
`Authorization` naming the MLflow user, or a Flask `Response` to send instead.

Only the gateway is believed: a request must carry the secret the gateway made at this
start (`X-Galilean-Gateway-Secret`) and its HMAC of the user and groups headers
(`X-Galilean-Signature`: a value smuggled in beside them breaks it), else 401 without
`WWW-Authenticate` (no Basic popup).
The gateway strips any client-sent `X-Galilean-*` header and sets the hub user and groups.
On first sight of a user, or when their hub groups change: the MLflow user is created, its
roles follow the hub groups (role `hub:<group>` in workspace `default`, so an admin can
give a team READ or EDIT), and `is_admin` follows membership of the admin group.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import threading
from typing import Any
from urllib.parse import unquote

from flask import Response, request
from werkzeug.datastructures import Authorization

SECRET_HEADER = "X-Galilean-Gateway-Secret"  # noqa: S105 (a header name)
USER_HEADER = "X-Galilean-User"
GROUPS_HEADER = "X-Galilean-Groups"
SIGNATURE_HEADER = "X-Galilean-Signature"
ROLE_PREFIX = "hub:"
WORKSPACE = "default"

_SECRET = os.environ.get("GALILEAN_MLFLOW_GATEWAY_SECRET", "").encode()
_ADMIN_GROUP = os.environ.get("GALILEAN_MLFLOW_ADMIN_GROUP", "")
# The gateway's own identity (MLflow's bootstrap admin): never synced from groups.
_SERVICE_USER = os.environ.get("MLFLOW_AUTH_ADMIN_USERNAME", "")

_seen: dict[str, frozenset[str]] = {}
_lock = threading.Lock()


def _refuse(message: str) -> Response:
    body = {"ok": False, "error": message, "errors": [], "status": 401}
    return Response(json.dumps(body), status=401, mimetype="application/json")


def _groups(header: str) -> frozenset[str]:
    """Comma-separated, each percent-encoded by the gateway (a group name may hold a comma)."""
    return frozenset(unquote(part) for part in header.split(",") if part)


def authenticate_gateway() -> Authorization | Response:
    given = request.headers.get(SECRET_HEADER, "").encode()
    if not _SECRET or not given or not hmac.compare_digest(given, _SECRET):
        return _refuse("MLflow answers only through the hub: use /services/mlflow/")
    user = request.headers.get(USER_HEADER, "")
    listed = request.headers.get(GROUPS_HEADER, "")
    # Signed by the gateway over exactly these values: a header smuggled in beside them
    # (merged into one value by the server) does not verify.
    expected = hmac.new(_SECRET, f"{user}\n{listed}".encode(), hashlib.sha256).hexdigest()
    given_signature = request.headers.get(SIGNATURE_HEADER, "")
    if not hmac.compare_digest(given_signature.encode(), expected.encode()):
        return _refuse("the gateway's signature does not match")
    if not user:
        return _refuse("no hub user given")
    if user != _SERVICE_USER:
        groups = _groups(listed)
        if _seen.get(user) != groups:
            with _lock:
                if _seen.get(user) != groups:
                    _sync(user, groups)
                    _seen[user] = groups
    return Authorization("basic", {"username": user, "password": ""})


def _sync(user: str, groups: frozenset[str]) -> None:
    """The MLflow user exists, holds the roles of its hub groups and no others, and is an
    admin exactly when in the admin group."""
    from mlflow.exceptions import MlflowException
    from mlflow.server.auth import store

    if not store.has_user(user, use_primary=True):
        try:  # a password nobody knows: login is the hub's, never MLflow's
            store.create_user(user, secrets.token_urlsafe(32))
        except MlflowException:
            if not store.has_user(user, use_primary=True):  # not another worker's doing
                raise
    admin = bool(_ADMIN_GROUP) and _ADMIN_GROUP in groups
    account = store.get_user(user)
    if bool(account.is_admin) != admin:
        store.update_user(user, is_admin=admin)
    wanted = {ROLE_PREFIX + group for group in groups}
    held = {
        role.name: role
        for role in store.list_user_roles_for_workspace(account.id, WORKSPACE)
        if role.name.startswith(ROLE_PREFIX)
    }
    for name in sorted(wanted - held.keys()):
        role = _role(store, name)
        with contextlib.suppress(MlflowException):  # assigned meanwhile by another worker
            store.assign_role_to_user(account.id, role.id)
    for name in sorted(held.keys() - wanted):
        store.unassign_role_from_user(account.id, held[name].id)


def _role(store: Any, name: str) -> Any:
    from mlflow.exceptions import MlflowException

    try:
        return store.get_role_by_name(WORKSPACE, name)
    except MlflowException:
        try:
            return store.create_role(name, WORKSPACE, "members of the hub group " + name[5:])
        except MlflowException:
            return store.get_role_by_name(WORKSPACE, name)
