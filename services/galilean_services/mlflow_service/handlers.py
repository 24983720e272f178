"""The gateway's own routes: health (MLflow's, as the hub and tests wait on it) and sharing
an experiment or a registered model with a hub group (MLflow lets only admins give roles
permissions, so the gateway does it for the resource's MANAGE holder)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ..kit.errors import ValidationError, error_body
from .gate import GatewayHandler
from .sharing import PERMISSIONS, RESOURCE_TYPES


class HealthHandler(GatewayHandler):
    public: ClassVar[bool] = True
    docs: ClassVar[dict[str, str]] = {"get": "200 once MLflow answers, 503 before."}

    async def prepare(self) -> None:  # type: ignore[override]
        return

    def get(self) -> None:
        backend = self.gateway.backend
        if backend.problem:
            state, message = "unavailable", backend.problem
        elif backend.exited():
            state, message = "restarting", "MLflow stopped and is being restarted"
        elif backend.ready_after is None:
            state, message = "starting", "MLflow is starting"
        else:
            ready = round(backend.ready_after, 1)
            self.send({"ok": True, "mlflow": "running", "started_in_seconds": ready})
            return
        self.set_status(503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({**error_body(message, 503), "mlflow": state}))


class ShareHandler(GatewayHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Which hub groups have which permission on an experiment or model.",
        "post": "Give a hub group READ, USE, EDIT or MANAGE on your experiment or model "
        "(NO_PERMISSIONS takes it back).",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["resource_type", "resource_id", "group", "permission"],
            "properties": {
                "resource_type": {"enum": list(RESOURCE_TYPES)},
                "resource_id": {"type": "string"},
                "group": {"type": "string"},
                "permission": {"enum": [*PERMISSIONS, "NO_PERMISSIONS"]},
            },
        }
    }

    async def prepare(self) -> None:  # type: ignore[override]
        await self.authenticate()

    async def get(self) -> None:
        kind = self.get_query_argument("resource_type", "")
        ident = self.get_query_argument("resource_id", "")
        check_resource(kind, ident, self.mlflow_admin)
        sharing = self.gateway.sharing
        await sharing.require(self.caller.name, self.mlflow_admin, kind, ident, "READ")
        self.send({"groups": await sharing.groups_of(kind, ident)})

    async def post(self) -> None:
        body = self.body_object()
        unknown = sorted(set(body) - {"resource_type", "resource_id", "group", "permission"})
        if unknown:
            raise ValidationError(f"unknown field {unknown[0]!r}", [{"field": unknown[0]}])
        kind, ident = body.get("resource_type"), body.get("resource_id")
        check_resource(kind, ident, self.mlflow_admin)
        group, permission = body.get("group"), body.get("permission")
        if not isinstance(group, str) or not group.strip() or len(group) > 255:
            raise ValidationError("group must be a hub group's name", [{"field": "group"}])
        if permission not in (*PERMISSIONS, "NO_PERMISSIONS"):
            raise ValidationError(
                "permission must be one of " + ", ".join([*PERMISSIONS, "NO_PERMISSIONS"]),
                [{"field": "permission"}],
            )
        sharing = self.gateway.sharing
        await sharing.require(self.caller.name, self.mlflow_admin, str(kind), str(ident), "MANAGE")
        await sharing.set(str(kind), str(ident), group, str(permission))
        self.send({"groups": await sharing.groups_of(str(kind), str(ident))})


def check_resource(kind: Any, ident: Any, admin: bool) -> None:
    """An experiment by its id, a model by its name; "*" (every one, to MLflow) only for
    MLflow admins."""
    if kind not in RESOURCE_TYPES:
        raise ValidationError(
            "resource_type must be one of " + ", ".join(RESOURCE_TYPES),
            [{"field": "resource_type"}],
        )
    valid = isinstance(ident, str) and 0 < len(ident) <= 500
    if valid and kind == "experiment":
        valid = ident.isdigit() or (ident == "*" and admin)
    elif valid:
        valid = ident != "*" or admin
    if not valid:
        raise ValidationError(
            "resource_id must be the experiment's id or the model's name",
            [{"field": "resource_id"}],
        )
