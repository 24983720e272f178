"""HTTP handlers of the datasets service: each parses the request, calls one
DatasetsService method and writes JSON; errors leave in the one JSON shape."""

from __future__ import annotations

from typing import Any, ClassVar

from ..kit import openapi
from ..kit.body import known_id
from ..kit.handlers import BaseHandler as KitHandler
from .access import SCOPES
from .service import DatasetsService

TEXT = {"type": "string", "maxLength": 10_000}
GROUPS = {"type": "array", "items": {"type": "string", "minLength": 1}}


def _dataset(text: str) -> int:
    return known_id(int(text), "dataset", "dataset_id")


def _number(text: str) -> int:
    return known_id(int(text), "snapshot", "number")


class BaseHandler(KitHandler):
    scopes = SCOPES
    service: DatasetsService


class HealthHandler(BaseHandler):
    public = True
    docs: ClassVar[dict[str, str]] = {"get": "Liveness: the service answers, its database too"}

    def get(self) -> None:
        self.service.store.list()
        self.send({"ok": True})


class DatasetsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Datasets you own, datasets shared with your groups (admins: all)",
        "post": "Create a dataset: {name, driver: files|tables, folder (files), description?, "
        "groups?}",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
                "driver": {"enum": ["files", "tables"]},
                "folder": {"type": "string", "description": "relative to your folder (files)"},
                "description": TEXT,
                "groups": GROUPS,
            },
        }
    }

    def get(self) -> None:
        self.send(self.service.list(self.caller))

    async def post(self) -> None:
        self.send(await self.service.create(self.caller, self.body_object()), 201)


class DatasetHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "One dataset with its head snapshot",
        "patch": "Describe it or share it with groups (read-only): {description?, groups?}",
        "delete": "Delete the dataset and its snapshots (a files dataset's folder stays)",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "patch": {"type": "object", "properties": {"description": TEXT, "groups": GROUPS}}
    }

    async def get(self, dataset_id: str) -> None:
        self.send(await self.service.get(self.caller, _dataset(dataset_id)))

    def patch(self, dataset_id: str) -> None:
        self.send(self.service.update(self.caller, _dataset(dataset_id), self.body_object()))

    async def delete(self, dataset_id: str) -> None:
        await self.service.delete(self.caller, _dataset(dataset_id))
        self.send({"ok": True})


class SnapshotsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "The dataset's snapshots, oldest first",
        "post": "Take a snapshot of its current state: {message?, origin?} → the new head",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "properties": {
                "message": TEXT,
                "origin": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "what made it: {flow, version, run} or {notebook}",
                },
            },
        }
    }

    async def get(self, dataset_id: str) -> None:
        self.send(await self.service.snapshots(self.caller, _dataset(dataset_id)))

    async def post(self, dataset_id: str) -> None:
        made = await self.service.take(self.caller, _dataset(dataset_id), self.body_object())
        self.send(made, 201)


class SnapshotHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {"get": "One snapshot"}

    async def get(self, dataset_id: str, number: str) -> None:
        found = await self.service.snapshot(self.caller, _dataset(dataset_id), _number(number))
        self.send(found)


class DiffHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "What changed from snapshot ?against=M to this one (files: added, removed, "
        "modified; tables: rows added, removed, changed, and column statistics)"
    }

    async def get(self, dataset_id: str, number: str) -> None:
        against = self.get_query_argument("against", None)
        found = await self.service.diff(self.caller, _dataset(dataset_id), _number(number), against)
        self.send(found)


class RestoreHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Make this snapshot's content the new head (the old head stays a snapshot)"
    }

    async def post(self, dataset_id: str, number: str) -> None:
        made = await self.service.restore(self.caller, _dataset(dataset_id), _number(number))
        self.send(made, 201)


class TagHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {"post": "Tag this snapshot: {tag} (unique per dataset)"}
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {"type": "object", "required": ["tag"], "properties": {"tag": {"type": "string"}}}
    }

    async def post(self, dataset_id: str, number: str) -> None:
        body = self.body_object()
        self.send(await self.service.tag(self.caller, _dataset(dataset_id), _number(number), body))


class RetentionHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Expire snapshots: {keep_last?, older_than_days?}; the head and tagged "
        "snapshots stay"
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "properties": {
                "keep_last": {"type": ["integer", "null"], "minimum": 0},
                "older_than_days": {"type": ["integer", "null"], "minimum": 0},
            },
        }
    }

    async def post(self, dataset_id: str) -> None:
        body = self.body_object()
        self.send(await self.service.retain(self.caller, _dataset(dataset_id), body))


class GcHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Remove stored data no kept snapshot refers to; says how much was freed"
    }

    async def post(self, dataset_id: str) -> None:
        self.send(await self.service.gc(self.caller, _dataset(dataset_id)))


class LineageHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "The dataset's lineage: its snapshots and the flow versions, runs, notebooks, "
        "restores and source datasets that made them, as nodes and edges"
    }

    async def get(self, dataset_id: str) -> None:
        self.send(await self.service.lineage(self.caller, _dataset(dataset_id)))


class ExportHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Export a table at a snapshot (the head by default) to a file in your folder: "
        "{table, path, format?: csv|parquet|xlsx (else the path's suffix), snapshot?, "
        "overwrite?} → {path, format, table, snapshot, rows, bytes, seconds}"
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["table", "path"],
            "properties": {
                "table": {"type": "string"},
                "path": {"type": "string", "description": "relative to your folder"},
                "format": {"enum": ["csv", "parquet", "xlsx"]},
                "snapshot": {"type": ["integer", "null"], "minimum": 1},
                "overwrite": {"type": "boolean"},
            },
        }
    }

    async def post(self, dataset_id: str) -> None:
        body = self.body_object()
        self.send(await self.service.export(self.caller, _dataset(dataset_id), body), 201)


class SampleHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Draw a sample of a table at a snapshot (the head by default) into a new "
        "tables dataset of yours: {table, snapshot?, strategy: random|stratified|threshold "
        "or an installed one, params (by the strategy's schema), into} → the new dataset"
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["table", "strategy", "into"],
            "properties": {
                "table": {"type": "string"},
                "snapshot": {"type": ["integer", "null"], "minimum": 1},
                "strategy": {"type": "string"},
                "params": {"type": "object"},
                "into": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
            },
        }
    }

    async def post(self, dataset_id: str) -> None:
        body = self.body_object()
        self.send(await self.service.sample(self.caller, _dataset(dataset_id), body), 201)


class OpenAPIHandler(BaseHandler):
    public = True
    docs: ClassVar[dict[str, str]] = {"get": "This document"}

    def get(self) -> None:
        from .app import ARGUMENT_PATTERNS  # app imports this module

        self.send(
            openapi.document(
                self.settings["routes"],
                self.service.config.prefix,
                title="Galilean datasets",
                description="Datasets, snapshots, diff, restore, tags, retention. "
                + openapi.access_text(SCOPES, "datasets"),
                patterns=ARGUMENT_PATTERNS,
                schemas={"Error": openapi.error_schema("dataset 7 does not exist", "dataset_id")},
            )
        )
