"""Group shares reach the group's members through their tokens too.

JupyterHub 5.5 (`scopes.get_scopes_for`) adds a user's group shares to the *user's*
permissions but, for an API or OAuth token, only the shares made with the user directly:
a member of a group a workspace is shared with logs in to the hub, is sent to the
workspace, and the workspace's server (which checks the OAuth token) refuses them. Galilean
adds what the token asks for and the group shares allow, by the same rules JupyterHub
applies to a user's own shares (its own helpers: `expand_share_scopes`, `expand_scopes`,
`access_scopes`, `_intersect_expanded_scopes`). `install` wraps the function once, at
configuration; nothing changes for tokens of users without group shares.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from jupyterhub import orm, scopes

_ORIGINAL = "_galilean_original"


def group_share_scopes(user: Any) -> frozenset[str]:
    """What the shares with `user`'s groups allow (expanded)."""
    found: set[str] = set()
    for group in user.groups:
        for share in group.shared_with_me:
            found |= set(scopes.expand_share_scopes(share))
    return frozenset(found)


def with_group_shares(original: Any) -> Any:
    def get_scopes_for(orm_object: Any) -> Any:
        found = original(orm_object)
        if not isinstance(orm_object, orm.APIToken) or orm_object.user is None:
            return found
        extra = group_share_scopes(orm_object.user)
        if not extra:
            return found
        requested = set(orm_object.scopes)
        if "inherit" in requested:
            return frozenset(set(found) | extra)
        wanted = set(
            scopes.expand_scopes(
                requested, owner=orm_object.user, oauth_client=orm_object.oauth_client
            )
        )
        if orm_object.client_id != "jupyterhub":
            wanted |= set(scopes.access_scopes(orm_object.oauth_client))
        granted = scopes._intersect_expanded_scopes(
            wanted, extra, db=sa.inspect(orm_object).session
        )
        return frozenset(set(found) | set(granted))

    setattr(get_scopes_for, _ORIGINAL, original)
    return get_scopes_for


def install() -> None:
    """Wrap JupyterHub's `scopes.get_scopes_for` (once)."""
    current = scopes.get_scopes_for
    if not hasattr(current, _ORIGINAL):
        scopes.get_scopes_for = with_group_shares(current)
