"""Sharing a workspace with hub users and groups (issue 18), on JupyterHub's shares.

    GET    /hub/api/galilean/shares/<ws>              who has access, the share codes
    POST   /hub/api/galilean/shares/<ws>              {"user": n} or {"group": n}
    DELETE /hub/api/galilean/shares/<ws>?user=n       (or ?group=n) revoke
    POST   /hub/api/galilean/shares/<ws>/codes        {"expires_in": s}: a link to accept
    DELETE /hub/api/galilean/shares/<ws>/codes/<id>   revoke a code
    GET    /hub/api/galilean/share-candidates?q=…     user and group names to share with

`<ws>` is the workspace's name ("" for the default one: `/shares/`). Only the workspace's
owner manages its shares, with their login (the hub's pages, XSRF-checked by JupyterHub) or
a token of theirs; users do not get JupyterHub's `shares` scope, whose API would share a
running server that holds its owner's tokens. Here:

- a workspace whose server runs *private* (sharing.py) is shared only with `"restart":
  true`: the server stops, and starts again shared, without its owner's tokens; from then
  on it always starts shared (sharing_marks.py);
- revoking restarts a running server too, so that the guest's open connections (a kernel,
  a notebook being edited, processes they started) close at once, and the guest's tokens
  for that server are deleted;
- a share code is JupyterHub's own (accepted at /hub/accept-share, where the guest must be
  logged in), limited in time (EXPIRES_MIN…EXPIRES_MAX).
"""

from __future__ import annotations

import json
from typing import Any

from jupyterhub import orm
from jupyterhub.apihandlers.shares import ServerShareAPIHandler, ServerShareCodeAPIHandler
from jupyterhub.user import User
from jupyterhub.utils import isoformat
from tornado import web

from galilean_services.kit.body import json_object
from galilean_services.kit.errors import GalileanError

from .api_base import GalileanAPIHandler
from .sharing import has_guests, started_shared
from .sharing_marks import SharedMarks

EXPIRES_MIN = 1
EXPIRES_MAX = 30 * 86400
EXPIRES_DEFAULT = 86400
CANDIDATES_MAX = 10


class BadField(GalileanError):
    """Bad input at `field` (400 unless told), in the one error shape."""

    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(message, [{"field": field}], status)


class SharingHandler(GalileanAPIHandler):
    marks: SharedMarks

    def initialize(self, marks: SharedMarks) -> None:
        self.marks = marks

    def answer(self, body: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))

    def asking_user(self) -> User:
        user = self.current_user
        if not isinstance(user, User):
            raise web.HTTPError(403, "sharing is for hub users")
        return user

    def owned(self, name: str) -> tuple[User, Any]:
        """The asking user and their workspace `name`'s spawner; 404 if they have none."""
        user = self.asking_user()
        if not self.has_scope(f"servers!server={user.name}/{name}"):
            raise web.HTTPError(403, "managing a workspace's shares needs access to it")
        if name and name not in user.orm_user.orm_spawners:  # "" (home) is always there
            raise BadField("workspace", f"you have no workspace named {name!r}", 404)
        return user, user.get_spawner(name)

    def body(self, allowed: set[str]) -> dict[str, Any]:
        """The JSON object body, with no field but `allowed` (400 naming the first)."""
        body = json_object(self.request.body)
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise BadField(unknown[0], f"unknown field {unknown[0]!r}")
        return body

    def found(self, kind: str, name: str, status: int = 400) -> Any:
        """The hub's user or group `name` (`kind`), or an error naming the field."""
        if kind == "user":
            found = orm.User.find(self.db, name)
        else:
            found = orm.Group.find(self.db, name=name)
        if found is None:
            raise BadField(kind, f"no {kind} named {name!r}", status)
        return found

    def running_shared(self, user: User, spawner: Any) -> bool:
        if not spawner.active:
            return False
        return started_shared(spawner) or self.marks.marked(self.db, user.name, spawner.name)

    def listing(self, user: User, spawner: Any) -> dict[str, Any]:
        spawner = user.get_spawner(spawner.name)  # a restart may have made a new one
        orm_spawner = spawner.orm_spawner
        self.db.refresh(orm_spawner)
        shares = [
            {
                "kind": "group" if share.group else "user",
                "name": share.group.name if share.group else share.user.name,
                "created_at": isoformat(share.created_at),
            }
            for share in orm_spawner.shares
        ]
        codes = [
            {
                "id": f"sc_{code.id}",
                "created_at": isoformat(code.created_at),
                "expires_at": isoformat(code.expires_at),
                "accepted": code.exchange_count,
                "expired": bool(code.expired),
            }
            for code in orm_spawner.share_codes
        ]
        return {
            "workspace": spawner.name,
            "url": user.server_url(spawner.name),
            "running": bool(spawner.active),
            "shared": has_guests(spawner) or self.marks.marked(self.db, user.name, spawner.name),
            "running_shared": self.running_shared(user, spawner),
            "shares": sorted(shares, key=lambda s: (s["kind"], s["name"])),
            "codes": codes,
        }

    async def open_to_guests(self, user: User, spawner: Any, restart: Any) -> bool:
        """Before a share or a share code is saved: a server running private stops (with
        `restart`; else 409 naming it), is checked stopped right before the caller saves
        (no await after this), and the workspace is marked shared for good. True when it
        was running (the caller starts it again, shared)."""
        name = spawner.name
        was_running = False
        if spawner.active and not self.running_shared(user, spawner):
            if restart is not True:
                raise BadField(
                    "restart",
                    "this workspace runs with your secrets, AI key and connections, which a "
                    'guest could read by running code: share it with "restart": true (it '
                    "restarts without them; running kernels stop)",
                    409,
                )
            await self.stop_single_user(user, name)
            was_running = True
        # Its stop not finished, or started again meanwhile: no guest for a private server.
        now = user.spawners.get(name)
        if now is not None and now.active and not self.running_shared(user, now):
            raise BadField(
                "restart", "the workspace is still running private: try again in a moment", 409
            )
        self.marks.mark(self.db, user.name, name)
        return was_running

    async def restarted(self, user: User, spawner: Any) -> None:
        """Stop the workspace's server and start it again (its mode decided anew)."""
        await self.stop_single_user(user, spawner.name)
        await self.started(user, spawner)

    async def started(self, user: User, spawner: Any) -> None:
        await self.spawn_single_user(user, spawner.name)


class SharesHandler(SharingHandler):
    async def get(self, name: str) -> None:
        user, spawner = self.owned(name)
        self.answer(self.listing(user, spawner))

    async def post(self, name: str) -> None:
        user, spawner = self.owned(name)
        body = self.body({"user", "group", "restart"})
        target = self.share_target(user, body)
        was_running = await self.open_to_guests(user, spawner, body.get("restart"))
        orm.Share.grant(self.db, spawner.orm_spawner, target)
        self.log.info("%s shared %s with %s", user.name, spawner._log_name, target.name)
        if was_running:
            await self.started(user, spawner)
        self.answer(self.listing(user, spawner))

    async def delete(self, name: str) -> None:
        user, spawner = self.owned(name)
        target = self.revoke_target()
        orm.Share.revoke(self.db, spawner.orm_spawner, target)
        gone = forget_guest_tokens(self.db, spawner, target)
        self.log.info(
            "%s revoked %s's access to %s (%d token(s) deleted)",
            user.name,
            target.name,
            spawner._log_name,
            gone,
        )
        if spawner.active:  # open connections and the guest's processes end
            await self.restarted(user, spawner)
        self.answer(self.listing(user, spawner))

    def share_target(self, user: User, body: dict[str, Any]) -> Any:
        kinds = [k for k in ("user", "group") if body.get(k) is not None]
        if len(kinds) != 1:
            raise BadField("user", "give one of user or group")
        kind = kinds[0]
        value = body[kind]
        if not isinstance(value, str) or not value:
            raise BadField(kind, f"{kind} must be a name")
        if kind == "user" and value == user.name:
            raise BadField("user", "a workspace is already its owner's")
        return self.found(kind, value)

    def revoke_target(self) -> Any:
        user_name = self.get_argument("user", "")
        group_name = self.get_argument("group", "")
        if bool(user_name) == bool(group_name):
            raise BadField("user", "give one of user or group")
        if user_name:
            return self.found("user", user_name, 404)
        return self.found("group", group_name, 404)


class ShareCodesHandler(SharingHandler):
    async def post(self, name: str) -> None:
        user, spawner = self.owned(name)
        body = self.body({"expires_in", "restart"})
        expires_in = body.get("expires_in", EXPIRES_DEFAULT)
        if (
            isinstance(expires_in, bool)
            or not isinstance(expires_in, int)
            or not EXPIRES_MIN <= expires_in <= EXPIRES_MAX
        ):
            raise BadField(
                "expires_in", f"expires_in is seconds, from {EXPIRES_MIN} to {EXPIRES_MAX}"
            )
        was_running = await self.open_to_guests(user, spawner, body.get("restart"))
        access = f"access:servers!server={user.name}/{spawner.name}"
        share_code, code = orm.ShareCode.new(
            self.db, spawner.orm_spawner, scopes=[access], expires_in=expires_in
        )
        self.log.info("%s made a share code for %s", user.name, spawner._log_name)
        if was_running:
            await self.started(user, spawner)
        accept = f"{self.hub.base_url}accept-share?code={code}"
        self.answer(
            {
                "id": f"sc_{share_code.id}",
                "code": code,
                "accept_url": accept,
                "expires_at": isoformat(share_code.expires_at),
            },
            201,
        )


class ShareCodeHandler(SharingHandler):
    async def delete(self, name: str, code_id: str) -> None:
        user, spawner = self.owned(name)
        number = code_id.removeprefix("sc_")
        match = [c for c in spawner.orm_spawner.share_codes if str(c.id) == number]
        if not number.isdigit() or not match:
            raise BadField("id", f"no share code {code_id!r} for this workspace", 404)
        self.db.delete(match[0])
        self.db.commit()
        self.answer(self.listing(user, spawner))


class CandidatesHandler(SharingHandler):
    """Names to share with, for the Share dialog's search: users and groups whose name
    starts with `q` (at least one character; at most CANDIDATES_MAX of each)."""

    def get(self) -> None:
        user = self.asking_user()
        if not self.has_scope(f"servers!user={user.name}"):  # not a server's token
            raise web.HTTPError(403, "searching names to share with needs your own token")
        query = self.get_argument("q", "").strip().lower()
        if not query:
            raise BadField("q", "type at least one character")
        users = (
            self.db.query(orm.User.name)
            .filter(orm.User.name.startswith(query, autoescape=True))
            .filter(orm.User.name != user.name)
            .order_by(orm.User.name)
            .limit(CANDIDATES_MAX)
        )
        groups = (
            self.db.query(orm.Group.name)
            .filter(orm.Group.name.startswith(query, autoescape=True))
            .order_by(orm.Group.name)
            .limit(CANDIDATES_MAX)
        )
        self.answer({"users": [r[0] for r in users], "groups": [r[0] for r in groups]})


def forget_guest_tokens(db: Any, spawner: Any, target: Any) -> int:
    """Delete the tokens the workspace's server gave the guest (`target`: a user, or a
    group's members) when they logged in to it."""
    client = spawner.orm_spawner.oauth_client_id
    if not client:
        return 0
    users = list(target.users) if isinstance(target, orm.Group) else [target]
    owner_id = spawner.user.orm_user.id
    tokens = [
        token
        for guest in users
        if guest.id != owner_id
        for token in guest.api_tokens
        if token.client_id == client
    ]
    for token in tokens:
        db.delete(token)
    db.commit()
    return len(tokens)


class NotHereShares(ServerShareAPIHandler):
    """JupyterHub's own share API (admins hold its `shares` scope): reading stays, granting
    goes through Galilean's, which restarts a running private workspace first."""

    async def post(self, *args: Any) -> None:
        raise web.HTTPError(403, "share through /hub/api/galilean/shares (the Share page)")

    patch = post


class NotHereShareCodes(ServerShareCodeAPIHandler):
    async def post(self, *args: Any) -> None:
        raise web.HTTPError(403, "make share links through /hub/api/galilean/shares/<ws>/codes")


def sharing_handlers(marks: SharedMarks) -> list[tuple[str, Any, dict[str, Any]]]:
    """The routes, relative to the hub's prefix (/hub/)."""
    args = {"marks": marks}
    return [
        (r"/api/galilean/share-candidates", CandidatesHandler, args),
        (r"/api/galilean/shares/([^/]*)/codes/([^/]+)", ShareCodeHandler, args),
        (r"/api/galilean/shares/([^/]*)/codes", ShareCodesHandler, args),
        (r"/api/galilean/shares/([^/]*)", SharesHandler, args),
        (r"/api/shares/([^/]+)/([^/]*)", NotHereShares, {}),
        (r"/api/share-codes/([^/]+)/([^/]*)", NotHereShareCodes, {}),
    ]
