"""Sharing an experiment or a registered model with a hub group: the group is MLflow role
`hub:<group>` (the authorization function keeps its members in step with the hub), and
the gateway, as MLflow's bootstrap admin, gives that role a permission on one resource —
only after MLflow says the caller holds MANAGE on it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from ..kit.errors import Forbidden, GalileanError, NotFound
from . import policy
from .backend import Backend
from .settings import SERVICE_USER

RESOURCE_TYPES = ("experiment", "registered_model")
PERMISSIONS = ("READ", "USE", "EDIT", "MANAGE")
RANK = {"NO_PERMISSIONS": 0, "READ": 1, "USE": 2, "EDIT": 3, "MANAGE": 4}
ROLE_PREFIX = "hub:"
WORKSPACE = "default"
V3 = "api/3.0/mlflow/"


class Sharing:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.http = AsyncHTTPClient()

    async def call(
        self, method: str, path: str, *, user: str = SERVICE_USER, body: Any = None, **query: str
    ) -> dict[str, Any]:
        url = f"{self.backend.url}/{path}" + (f"?{urlencode(query)}" if query else "")
        headers = policy.upstream_headers(
            [("Content-Type", "application/json")],
            user=user,
            groups=(),
            secret=self.backend.secret,
            host=f"127.0.0.1:{self.backend.port}",
        )
        request = HTTPRequest(
            url,
            method=method,
            headers=headers,
            body=None if body is None else json.dumps(body),
            allow_nonstandard_methods=True,
            request_timeout=30,
        )
        reply = await self.http.fetch(request, raise_error=False)
        if reply.code == 599:
            raise GalileanError("MLflow is starting or not answering: try again", status=503)
        try:
            data = json.loads(reply.body or b"{}")
        except ValueError:
            data = {}
        if reply.code == 404 or data.get("error_code") == "RESOURCE_DOES_NOT_EXIST":
            raise NotFound(str(data.get("message") or "no such resource in MLflow"))
        if reply.code >= 400:
            message = str(data.get("message") or data.get("error") or reply.reason)
            raise GalileanError(f"MLflow refused: {message}", status=reply.code)
        return data

    async def require(self, user: str, admin: bool, kind: str, ident: str, least: str) -> None:
        """MLflow's own word on the caller's permission; a resource they cannot read is
        not confirmed to exist."""
        if admin:
            return
        answer = await self.call(
            "GET",
            V3 + "users/permissions/get",
            username=user,
            resource_type=kind,
            resource_id=ident,
        )
        held = str(answer.get("permission") or "NO_PERMISSIONS")
        if RANK.get(held, 0) < RANK["READ"]:
            raise NotFound(
                f"no {kind.replace('_', ' ')} {ident!r} that you can see",
                [{"field": "resource_id"}],
            )
        if RANK.get(held, 0) < RANK[least]:
            raise Forbidden(
                f"sharing needs {least} on {kind.replace('_', ' ')} {ident!r}; you have {held}"
            )

    async def roles(self) -> dict[str, dict[str, Any]]:
        listed = await self.call("GET", V3 + "roles/list", workspace=WORKSPACE)
        return {
            r["name"]: r
            for r in listed.get("roles", [])
            if str(r.get("name", "")).startswith(ROLE_PREFIX)
        }

    async def role(self, group: str) -> dict[str, Any]:
        name = ROLE_PREFIX + group
        found = (await self.roles()).get(name)
        if found is not None:
            return found
        body = {
            "name": name,
            "workspace": WORKSPACE,
            "description": f"members of the hub group {group}",
        }
        return dict((await self.call("POST", V3 + "roles/create", body=body))["role"])

    async def grants(self, role_id: int) -> list[dict[str, Any]]:
        listed = await self.call("GET", V3 + "roles/permissions/list", role_id=str(role_id))
        return list(listed.get("role_permissions", []))

    async def set(self, kind: str, ident: str, group: str, permission: str) -> None:
        role = await self.role(group)
        current = [
            g
            for g in await self.grants(int(role["id"]))
            if g.get("resource_type") == kind and g.get("resource_pattern") == ident
        ]
        for grant in current:
            if permission == "NO_PERMISSIONS" or grant is not current[0]:
                await self.call(
                    "DELETE",
                    V3 + "roles/permissions/remove",
                    body={"role_permission_id": grant["id"]},
                )
        if permission == "NO_PERMISSIONS":
            return
        if current:
            body = {"role_permission_id": current[0]["id"], "permission": permission}
            await self.call("PATCH", V3 + "roles/permissions/update", body=body)
        else:
            body = {
                "role_id": role["id"],
                "resource_type": kind,
                "resource_pattern": ident,
                "permission": permission,
            }
            await self.call("POST", V3 + "roles/permissions/add", body=body)

    async def groups_of(self, kind: str, ident: str) -> list[dict[str, str]]:
        shared = []
        for name, role in sorted((await self.roles()).items()):
            for grant in await self.grants(int(role["id"])):
                if grant.get("resource_type") == kind and grant.get("resource_pattern") == ident:
                    shared.append(
                        {"group": name[len(ROLE_PREFIX) :], "permission": str(grant["permission"])}
                    )
        return shared
