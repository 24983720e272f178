"""The hub's own secrets (issue 17: "admin secrets: usable by the services on a user's behalf,
not readable by users"): values an admin saves for Galilean's services — the AI providers'
keys the gateway uses for everyone's requests, the keys of MLflow's S3 artifact store —
instead of writing them into stack.env and restarting. Kept in the vault (encrypted like
every secret) under an owner no hub user can be (HUB_OWNER: user names start with a letter
or digit). Write-only: the API gives names and times, never a value, not even to an admin; a
service reads the names SERVICE_SECRETS lists for it, with its own token.

    GET    /hub/api/galilean/hub-secrets            names, times, the names allowed    admins
    PUT    /hub/api/galilean/hub-secrets/<name>     {"value": "..."}: add / replace     admins
    DELETE /hub/api/galilean/hub-secrets/<name>                                         admins
    GET    /hub/api/galilean/hub-secrets-for-service   {"secrets": {name: value}}   a service

"Admins" means an admin's token made with the vault's scopes (as for a user's own secrets:
their server's vault token, through the Secrets panel, or a script's token), never the
login cookie.
"""

from __future__ import annotations

from typing import Any

from tornado import web

from galilean_services.kit.errors import GalileanError, ValidationError

from .vault_api import READ, WRITE, LazyVault, SecretsHandler

HUB_OWNER = ":hub"
# What each service may read of the hub's secrets (the AI gateway: the providers' keys;
# MLflow: its S3 artifact store's, mlflow_service/artifact_store.py).
SERVICE_SECRETS: dict[str, tuple[str, ...]] = {
    "ai": ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_API_KEY"),
    "mlflow": ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
}
ALLOWED = tuple(sorted({name for names in SERVICE_SECRETS.values() for name in names}))


class HubSecretsHandler(SecretsHandler):
    def admin_with(self, scope: str) -> str:
        """An admin asking with a vault token (owner_with's checks), or 403."""
        name = self.owner_with(scope)
        if not getattr(self.current_user, "admin", False):
            raise web.HTTPError(403, "only admins manage the hub's secrets")
        return name


class HubSecretListHandler(HubSecretsHandler):
    def get(self) -> None:
        self.admin_with(READ)
        try:
            listed = self.store().names(HUB_OWNER)
        except GalileanError as error:
            self.failed(error)
            return
        self.answer(200, {"secrets": [info.to_json() for info in listed], "names": list(ALLOWED)})


class HubSecretHandler(HubSecretsHandler):
    """Add, replace, delete; there is no GET of a value."""

    def put(self, name: str) -> None:
        admin = self.admin_with(WRITE)
        try:
            check_allowed(name)
            info, created = self.store().put(HUB_OWNER, name, self.body_value())
        except GalileanError as error:
            self.failed(error)
            return
        self.log.info("hub secret %s %s by %s", name, "added" if created else "replaced", admin)
        self.answer(201 if created else 200, info.to_json())

    def delete(self, name: str) -> None:
        admin = self.admin_with(WRITE)
        try:
            self.store().delete(HUB_OWNER, name)
        except GalileanError as error:
            self.failed(error)
            return
        self.log.info("hub secret %s deleted by %s", name, admin)
        self.answer(204)


class HubSecretsForServiceHandler(SecretsHandler):
    """The values of the hub's secrets the calling service may use (SERVICE_SECRETS),
    asked with the service's own token; anyone else: 403."""

    def get(self) -> None:
        service = self.service_with(
            SERVICE_SECRETS, "only Galilean's services read the hub's secrets"
        )
        self.reveal_all(HUB_OWNER, SERVICE_SECRETS[service].__contains__)


def check_allowed(name: str) -> None:
    if name not in ALLOWED:
        raise ValidationError(
            f"name: the hub keeps only the secrets its services use: {', '.join(ALLOWED)}",
            [{"field": "name"}],
        )


def hub_secret_handlers(vault: LazyVault) -> list[tuple[str, Any, dict[str, Any]]]:
    """The routes, relative to the hub's prefix (/hub/)."""
    return [
        (r"/api/galilean/hub-secrets", HubSecretListHandler, {"vault": vault}),
        (r"/api/galilean/hub-secrets/([^/]+)", HubSecretHandler, {"vault": vault}),
        (
            r"/api/galilean/hub-secrets-for-service",
            HubSecretsForServiceHandler,
            {"vault": vault},
        ),
    ]
