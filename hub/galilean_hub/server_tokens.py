"""Tokens of their own for what a server's code holds in its environment, apart from its
hub token.

A server's hub token ($JUPYTERHUB_API_TOKEN) reaches every service as its owner. What a
server's code is handed for one purpose gets a token for that purpose only: made when the
server starts with just the scopes it needs, given to the server in one variable, deleted
when the server stops (the hub deletes the hub token then too; a start the hub did not see
stop is swept at the next one). Two exist:

- the vault's ($GALILEAN_VAULT_TOKEN, custom:secrets:read|write): a guest of a shared
  workspace, who holds the hub token, does not reach the owner's secrets through it, and
  the vault accepts only tokens that name its scopes (vault_api.py). Workspace sharing
  (issue 18) withholds or revokes it with `revoke`.
- the AI gateway's ($OPENAI_API_KEY, custom:ai:use): any OpenAI client in a notebook sends
  its key wherever it is pointed, so that key opens the gateway and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from galilean_services.ai_service.access import SCOPES as AI_SCOPES

from .vault_api import READ, WRITE


@dataclass(frozen=True)
class ServerToken:
    purpose: str  # in the token's note: "Galilean <purpose> for server <user>/<name>"
    scopes: tuple[str, ...]

    @property
    def cache(self) -> str:
        return f"_galilean_{self.purpose.replace(' ', '_')}_token"

    def note_for(self, spawner: Any) -> str:
        return f"Galilean {self.purpose} for server {spawner.user.name}/{spawner.name}"

    def revoke(self, spawner: Any) -> int:
        """Delete the server's tokens of this purpose; returns how many."""
        setattr(spawner, self.cache, None)
        note = self.note_for(spawner)
        stale = [token for token in spawner.user.orm_user.api_tokens if token.note == note]
        if stale:
            db = spawner.user.db
            for token in stale:
                db.delete(token)
            db.commit()
        return len(stale)

    def __call__(self, spawner: Any) -> str:
        """A value of Spawner.environment (JupyterHub calls it with the spawner at each
        start): the start's one token, made on first use ("" if the owner lacks the scopes,
        e.g. an admin removed them: the server starts without)."""
        token = getattr(spawner, self.cache, None)
        if not token:
            self.revoke(spawner)
            try:
                token = str(
                    spawner.user.new_api_token(
                        note=self.note_for(spawner), scopes=list(self.scopes)
                    )
                )
            except ValueError as error:
                spawner.log.warning(
                    "no %s token for %s: %s", self.purpose, spawner._log_name, error
                )
                return ""
            setattr(spawner, self.cache, token)
        return token


VAULT_TOKEN = ServerToken("vault", (READ, WRITE))
AI_TOKEN = ServerToken("AI key", ("access:services!service=ai", *AI_SCOPES.names()))
VAULT_ENV = "GALILEAN_VAULT_TOKEN"


def revoke_server_tokens(spawner: Any) -> None:
    """Spawner.post_stop_hook: the server's tokens of every purpose."""
    for kind in (VAULT_TOKEN, AI_TOKEN):
        kind.revoke(spawner)
