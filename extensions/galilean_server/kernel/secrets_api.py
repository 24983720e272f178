"""Your secrets from Python, in a notebook (issue 17): kept encrypted by the hub's vault,
reached as you (the server's own vault token, $GALILEAN_VAULT_TOKEN), never written into
the notebook:

    from galilean_server.kernel.api import secrets
    secrets.set("WAREHOUSE_PASSWORD", getpass())   # add or replace
    secrets.names()                                # ['WAREHOUSE_PASSWORD']: names only
    password = secrets.get("WAREHOUSE_PASSWORD")   # the value, for your code to use
    secrets.delete("WAREHOUSE_PASSWORD")

Errors say what is wrong and which field (SecretsError.field); neither the token nor a
value is ever part of a message."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from galilean_services.kit.errors import GalileanError

from .service_client import FromEnviron, ServiceError, request_json

TIMEOUT = 30


class SecretsError(ServiceError):
    pass


class Secrets(FromEnviron):
    def _call(self, method: str, name: str | None = None, body: Any = None) -> Any:
        api, token = (
            self._env.get("JUPYTERHUB_API_URL", ""),
            self._env.get("GALILEAN_VAULT_TOKEN", ""),
        )
        if not api or not token:
            raise SecretsError(
                "the vault is reachable only from servers the Galilean hub starts for their "
                "owner (JUPYTERHUB_API_URL and GALILEAN_VAULT_TOKEN are not set)",
                status=503,
            )
        url = api.rstrip("/") + "/galilean/secrets"
        if name is not None:
            if not isinstance(name, str):
                raise SecretsError("name: a secret's name is text", "name")
            url += "/" + quote(name, safe="")
        return request_json(
            method,
            url,
            token,
            what="the hub's vault",
            error=SecretsError,
            timeout=TIMEOUT,
            body=body,
        )

    def names(self) -> list[str]:
        """Your secrets' names (never their values)."""
        return [item["name"] for item in self._call("GET")["secrets"]]

    def get(self, name: str) -> str:
        """The value of your secret `name`, for your code to use (SecretsError 404 if you
        have none by that name)."""
        return str(self._call("GET", name)["value"])

    def set(self, name: str, value: str) -> dict[str, Any]:
        """Add or replace a secret; what the vault keeps of it (name and times, no value)."""
        return dict(self._call("PUT", name, {"value": value}))

    def delete(self, name: str) -> None:
        self._call("DELETE", name)

    def __repr__(self) -> str:
        return "<Galilean secrets: secrets.names(), secrets.get(name), secrets.set(name, value)>"


def vault_secret(name: str) -> str:
    """The owner's secret `name`, read as the user (a SecretReader, galilean_services.
    secrets.readers: a connection's password, a flow's `{"$secret": name}` in a preview):
    LookupError when there is none by that name, the vault's own message otherwise."""
    try:
        return Secrets().get(name)
    except SecretsError as exc:
        if exc.status == 404:
            raise LookupError(name) from None
        raise GalileanError(str(exc), [{"field": "password_secret"}], exc.status) from None


secrets = Secrets()
