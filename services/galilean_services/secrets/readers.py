"""How a feature reads one of its owner's secrets: a reader, name → value, that raises
LookupError when the owner has none by that name (any other exception's text says why it
could not be read, and holds no value). Connections (a password from a secret) and flows
(`{"$secret": name}`) take one; where it comes from is the caller's: the vault as the user
in their server (galilean_server.kernel.secrets_api.vault_secret), or the values a flow
run or an endpoint worker is handed with its job (`given`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

SecretReader = Callable[[str], str]


def given(values: Mapping[str, str] | None) -> SecretReader:
    """A reader over secrets handed over with a job."""
    known = dict(values or {})

    def read(name: str) -> str:
        if name not in known:
            raise LookupError(name)
        return known[name]

    return read
