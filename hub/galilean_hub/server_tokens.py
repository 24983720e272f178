"""Each server's own token for the vault, apart from its hub token.

A server's hub token ($JUPYTERHUB_API_TOKEN) reaches the services as its owner, and
everyone who may use the server holds it (a guest of a shared workspace does). Reading
secrets needs a token of its own: made when the server starts, holding the vault's two
scopes and nothing else, given to the server as $GALILEAN_VAULT_TOKEN, and deleted when the
server stops (the hub deletes the hub token then too). The vault accepts only tokens that
name its scopes (vault_api.py), so neither the hub token nor a token that inherits all of
its owner's rights opens a value. Workspace sharing (issue 18) withholds or revokes it
with `revoke_vault_tokens`.
"""

from __future__ import annotations

from typing import Any

from .vault_api import READ, WRITE

ENV = "GALILEAN_VAULT_TOKEN"
_CACHE = "_galilean_vault_token"


def note_for(spawner: Any) -> str:
    return f"Galilean vault for server {spawner.user.name}/{spawner.name}"


def revoke_vault_tokens(spawner: Any) -> int:
    """Spawner.post_stop_hook: delete the server's vault tokens (also those of a start
    the hub did not see stop, e.g. before a crash); returns how many."""
    setattr(spawner, _CACHE, None)
    note = note_for(spawner)
    stale = [token for token in spawner.user.orm_user.api_tokens if token.note == note]
    if stale:
        db = spawner.user.db
        for token in stale:
            db.delete(token)
        db.commit()
    return len(stale)


def vault_token(spawner: Any) -> str:
    """A value of Spawner.environment (JupyterHub calls it with the spawner at each start):
    the start's one vault token, made on first use."""
    token = getattr(spawner, _CACHE, None)
    if not token:
        revoke_vault_tokens(spawner)
        try:
            token = str(spawner.user.new_api_token(note=note_for(spawner), scopes=[READ, WRITE]))
        except ValueError as error:  # the owner lacks the scopes (an admin removed them)
            spawner.log.warning("no vault token for %s: %s", spawner._log_name, error)
            return ""
        setattr(spawner, _CACHE, token)
    return token
