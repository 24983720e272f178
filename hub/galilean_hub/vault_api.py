"""The secret vault's API, in the hub itself (no process of its own): JupyterHub resolves
who asks (token or login cookie, with its XSRF check) and their scopes; the values live
encrypted in the hub's database (galilean_services.secrets).

    GET    /hub/api/galilean/secrets          your secrets' names and times   custom:secrets:read
    GET    /hub/api/galilean/secrets/<name>   its value, for your code        custom:secrets:read
    PUT    /hub/api/galilean/secrets/<name>   {"value": "..."}: add / replace custom:secrets:write
    DELETE /hub/api/galilean/secrets/<name>                                   custom:secrets:write
    GET    /hub/api/galilean/secrets-for/<user>   a user's secrets, for a flow run of theirs
                                                  (the flows service's own token), or their
                                                  own AI keys only (the AI gateway's)

Everyone reaches only their own secrets (the owner is who asks, never a path part). Every
user holds both scopes, but only API tokens that were made with them are accepted: each
server's vault token (server_tokens.py: a kernel's `secrets.get`, the Secrets panel's
bridge) or a token a user makes for a script. Not the server's hub token, not a token that
inherits its owner's rights, never the hub's login cookie: nothing in a browser needs the
vault directly, so a page on another site cannot make a browser open a value. Errors have
Galilean's one JSON shape; nothing here logs a value. Embedded mode runs every user's code
under one account: there the vault keeps secrets apart in the API and the panels, not from
code (README).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from jupyterhub import orm
from jupyterhub.user import User
from tornado import web

from galilean_services.kit.auth import Scopes
from galilean_services.kit.errors import GalileanError, ValidationError, error_body
from galilean_services.secrets.keys import KEY_FILE, VaultKeyError, vault_keys
from galilean_services.secrets.names import AI_KEY_PREFIX
from galilean_services.secrets.vault import MAX_VALUE_BYTES, Vault, forget, holds_secrets

from .api_base import GalileanAPIHandler

SCOPES = Scopes(
    "secrets",
    {
        "read": "List your secrets' names and read their values (your code's secrets.get)",
        "write": "Add, replace and delete your secrets",
    },
)
READ, WRITE = SCOPES.scope("read"), SCOPES.scope("write")
PREFIX = r"/api/galilean/secrets"
SERVER_TOKEN_NOTE = "Server at "  # noqa: S105 (how JupyterHub notes a server's hub token)
MAX_BODY_BYTES = MAX_VALUE_BYTES * 6 + 1024  # the largest value, each byte JSON-escaped
# Services that use a user's secrets on their behalf, each with its own hub token, and which
# of them (names starting with the prefix; "": all): the flows service hands a run its
# owner's secrets (connections' passwords, `$secret` values); the AI gateway reads only the
# user's own provider keys (AI_KEY_OPENAI, …), used for that user's requests.
RESOLVING_SERVICES = {"flows": "", "ai": AI_KEY_PREFIX}


class LazyVault:
    """The vault, opened on the first request: the hub's database exists by then (a
    table made before JupyterHub's own would make it think the database is not new)."""

    def __init__(self, db_url: str, key_setting: str, key_folder: Path | None) -> None:
        self.db_url, self.key_setting, self.key_folder = db_url, key_setting, key_folder
        self._vault: Vault | None = None
        self._engine: sa.engine.Engine | None = None

    @property
    def engine(self) -> sa.engine.Engine:
        """The hub's own database: a plain engine (no pragmas changed on JupyterHub's
        file), statement parameters (names, ciphertext) kept out of its errors."""
        if self._engine is None:
            self._engine = sa.create_engine(self.db_url, hide_parameters=True)
        return self._engine

    def get(self) -> Vault:
        if self._vault is None:
            if not self.key_setting.strip() and self.key_folder is not None:
                self._check_key_file(self.engine)
            self._vault = Vault(self.engine, vault_keys(self.key_setting, self.key_folder))
        return self._vault

    def forget(self, owner: str) -> int:
        """Delete a user's secrets (no key needed)."""
        return forget(self.engine, owner)

    def _check_key_file(self, engine: sa.engine.Engine) -> None:
        """A generated key is made only for an empty vault: secrets without their key file
        (a database restored without vault.key) must not get a new key silently."""
        assert self.key_folder is not None
        if (self.key_folder / KEY_FILE).exists():
            return
        if holds_secrets(engine):
            raise VaultKeyError(
                f"the vault holds secrets but {self.key_folder / KEY_FILE} is missing: "
                "restore it from your backup (or set GALILEAN_VAULT_KEY)"
            )


class SecretsHandler(GalileanAPIHandler):
    vault: LazyVault

    def initialize(self, vault: LazyVault) -> None:
        self.vault = vault

    def answer(self, status: int, body: Any = None) -> None:
        self.set_status(status)
        if body is None:
            self.finish()
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def store(self) -> Vault:
        """The vault; a key that cannot be used answers 503 saying what to set."""
        try:
            return self.vault.get()
        except VaultKeyError as error:
            raise GalileanError(str(error), [], 503) from None

    def failed(self, error: GalileanError) -> None:
        self.answer(error.status, error_body(error.message, error.status, error.errors))

    def owner_with(self, scope: str) -> str:
        """Who asks, with an API token holding `scope` (checked here rather than with
        JupyterHub's needs_scope, which wants custom scopes defined before this module is
        imported)."""
        user = self.current_user
        if user is None:
            raise web.HTTPError(403, "Missing or invalid credentials.")
        if not getattr(self, "_token_authenticated", False):
            raise web.HTTPError(403, "the vault answers API tokens only, not the login cookie")
        if scope not in getattr(self, "expanded_scopes", set()):
            raise web.HTTPError(403, f"this needs the scope {scope}")
        token = self.get_token()
        if token is None or scope not in (token.scopes or []):
            # Only a token made for the vault opens it: not one that inherits its owner's
            # rights (a user's own such token could make one, being the user; what this
            # keeps out is every token given to something else, e.g. a server).
            raise web.HTTPError(
                403, f"this needs a token made with the scope {scope} (not one that inherits)"
            )
        if (token.note or "").startswith(SERVER_TOKEN_NOTE):
            # A server's hub token (JupyterHub's note): those made before servers had vault
            # tokens of their own list the vault's scopes; everyone using the server holds it.
            raise web.HTTPError(403, "a server reaches the vault with its vault token only")
        if not isinstance(user, User):
            raise web.HTTPError(403, "secrets belong to users: ask with a user's token")
        return str(user.name)

    def service_with(self, services: Any, why: str) -> str:
        """The calling service's name, when it is one of `services` asking with its own
        token (never the login cookie), or 403 saying `why`."""
        caller = self.current_user
        if caller is None:
            raise web.HTTPError(403, "Missing or invalid credentials.")
        if not isinstance(caller, orm.Service) or caller.name not in services:
            raise web.HTTPError(403, why)
        if not getattr(self, "_token_authenticated", False):
            raise web.HTTPError(403, "the vault answers API tokens only, not the login cookie")
        return str(caller.name)

    def reveal_all(self, owner: str, keep: Callable[[str], bool]) -> int | None:
        """Answer the values of `owner`'s secrets whose names `keep` picks (a service's);
        how many (None: the vault's error was answered)."""
        try:
            vault = self.store()
            values = {
                info.name: vault.reveal(owner, info.name)
                for info in vault.names(owner)
                if keep(info.name)
            }
        except GalileanError as error:
            self.failed(error)
            return None
        self.set_header("Cache-Control", "no-store")
        self.answer(200, {"secrets": values})
        return len(values)

    def body_value(self) -> Any:
        if len(self.request.body or b"") > MAX_BODY_BYTES:
            raise ValidationError("value: a secret's value is at most 64 KiB", [{"field": "value"}])
        try:
            body = json.loads(self.request.body or b"null")
        except (ValueError, RecursionError):
            raise ValidationError("body: not JSON", [{"field": "body"}]) from None
        if not isinstance(body, dict):
            raise ValidationError('body: give {"value": "..."}', [{"field": "body"}])
        unknown = sorted(set(body) - {"value"})
        if unknown:
            raise ValidationError(
                f"{unknown[0]}: not a field of a secret (only value)", [{"field": unknown[0]}]
            )
        return body.get("value")


class SecretListHandler(SecretsHandler):
    def get(self) -> None:
        owner = self.owner_with(READ)
        try:
            listed = self.store().names(owner)
        except GalileanError as error:
            self.failed(error)
            return
        self.answer(200, {"secrets": [info.to_json() for info in listed]})


class SecretHandler(SecretsHandler):
    def get(self, name: str) -> None:
        owner = self.owner_with(READ)
        try:
            value = self.store().reveal(owner, name)
        except GalileanError as error:
            self.failed(error)
            return
        self.set_header("Cache-Control", "no-store")
        self.answer(200, {"name": name, "value": value})

    def put(self, name: str) -> None:
        owner = self.owner_with(WRITE)
        try:
            info, created = self.store().put(owner, name, self.body_value())
        except GalileanError as error:
            self.failed(error)
            return
        self.log.info("secret %s of %s %s", name, owner, "added" if created else "replaced")
        self.answer(201 if created else 200, info.to_json())

    def delete(self, name: str) -> None:
        owner = self.owner_with(WRITE)
        try:
            self.store().delete(owner, name)
        except GalileanError as error:
            self.failed(error)
            return
        self.log.info("secret %s of %s deleted", name, owner)
        self.answer(204)


class SecretsForHandler(SecretsHandler):
    """Every secret of a user, for a run of theirs that the flows service starts: the run
    executes as the user (their folder, their connections) and is given them on its
    standard input, never in its environment or its record. Only the services of
    RESOLVING_SERVICES, each with its own token, and never for a user who does not exist."""

    def get(self, owner: str) -> None:
        service = self.service_with(
            RESOLVING_SERVICES, "only Galilean's flows and AI services read a user's secrets"
        )
        if self.find_user(owner) is None:
            raise web.HTTPError(404, f"no user {owner!r}")
        prefix = RESOLVING_SERVICES[service]
        count = self.reveal_all(owner, lambda name: name.startswith(prefix))
        if count is not None:
            self.log.info("secrets of %s read by the %s service (%d)", owner, service, count)


def vault_handlers(vault: LazyVault) -> list[tuple[str, Any, dict[str, Any]]]:
    """The routes, relative to the hub's prefix (/hub/)."""
    return [
        (PREFIX, SecretListHandler, {"vault": vault}),
        (PREFIX + r"/([^/]+)", SecretHandler, {"vault": vault}),
        (r"/api/galilean/secrets-for/([^/]+)", SecretsForHandler, {"vault": vault}),
    ]
