"""HTTP handlers of the datasets service: each parses the request, calls one
DatasetsService method and writes JSON; errors leave in the one JSON shape."""

from __future__ import annotations

from typing import Any, ClassVar

from ..kit import openapi
from ..kit.body import known_id
from ..kit.handlers import BaseHandler as KitHandler
from .access import SCOPES
from .service import DatasetsService
from .uses import USE_BODY

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
        "groups? (who may read it), writers? (groups who may also snapshot, restore, tag and "
        "edit it)}",
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
                "writers": GROUPS,
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
        "patch": "Describe it or share it with groups: {description?, groups? (read), "
        "writers? (read and change its content)}",
        "delete": "Delete the dataset and its snapshots (a files dataset's folder stays)",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "patch": {
            "type": "object",
            "properties": {"description": TEXT, "groups": GROUPS, "writers": GROUPS},
        }
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


EDIT = {
    "type": "object",
    "required": ["op"],
    "properties": {
        "op": {"enum": ["add", "remove", "move", "relabel"]},
        "item": {"type": "string", "description": "the image's path in the dataset"},
        "from": {
            "type": "string",
            "description": "add: an image's path in the owner's folder; relabel: a label",
        },
        "to": {"type": "string", "description": "relabel: the new label"},
        "split": {"type": "string"},
        "boxes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "x", "y", "width", "height"],
                "properties": {
                    "label": {"type": "string"},
                    "x": {"type": "number"},
                    "y": {"type": "number"},
                    "width": {"type": "number"},
                    "height": {"type": "number"},
                    "score": {"type": "number"},
                },
            },
        },
    },
}


class EditsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Edit a labelled-image dataset as a new snapshot (the old head stays one): "
        "{edits: [{op: add, from, split, boxes?} | {op: remove, item} | {op: move, item, "
        "split} | {op: relabel, item, boxes} | {op: relabel, item, from, to}]}; boxes in "
        "pixels from the image's top-left corner → the new snapshot"
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["edits"],
            "properties": {"edits": {"type": "array", "items": EDIT, "minItems": 1}},
        }
    }

    async def post(self, dataset_id: str) -> None:
        body = self.body_object()
        self.send(await self.service.edit(self.caller, _dataset(dataset_id), body), 201)


class UsesHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "What used this snapshot: MLflow runs trained on it, each with its link",
        "post": "Record your use of this snapshot (anyone who may read the dataset): "
        "{kind: experiment_run, run_id, experiment_id, experiment?, run_name?} → the use "
        "(201; 200 when that run was recorded already)",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {"post": USE_BODY}

    def get(self, dataset_id: str, number: str) -> None:
        self.send(self.service.uses(self.caller, _dataset(dataset_id), _number(number)))

    async def post(self, dataset_id: str, number: str) -> None:
        body = self.body_object()
        found, new = await self.service.record_use(
            self.caller, _dataset(dataset_id), _number(number), body
        )
        self.send(found, 201 if new else 200)


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
        "restores and source datasets that made them, and the MLflow runs trained on them, "
        "as nodes and edges"
    }

    async def get(self, dataset_id: str) -> None:
        self.send(await self.service.lineage(self.caller, _dataset(dataset_id)))


class ExportHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Export a table at a snapshot (the head by default) to a file in your folder: "
        "{table, path, format?: csv|parquet|xlsx (else the path's suffix), snapshot?, "
        "overwrite?} → {path, format, table, snapshot, rows, bytes, seconds}; labelled "
        "images: {path (a folder), format: yolo|coco|voc, snapshot?, overwrite?}. "
        "background: true → 202 with a job (GET api/jobs/{id} for its progress)"
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["path"],
            "properties": {
                "table": {"type": "string", "description": "tables datasets"},
                "path": {"type": "string", "description": "relative to your folder"},
                "format": {"enum": ["csv", "parquet", "xlsx", "yolo", "coco", "voc"]},
                "snapshot": {"type": ["integer", "null"], "minimum": 1},
                "overwrite": {"type": "boolean"},
                "background": {"type": "boolean"},
            },
        }
    }

    async def post(self, dataset_id: str) -> None:
        body = self.body_object()
        made = await self.service.export(self.caller, _dataset(dataset_id), body)
        self.send(made, 202 if body.get("background") is True else 201)


class JobHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "One of your jobs (an export started with background: true): {id, op, state: "
        "running|done|failed, progress: {done, total}, seconds, result (done) or error}"
    }

    def get(self, job_id: str) -> None:
        self.send(self.service.job(self.caller, job_id))


class SampleHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Draw a sample of a snapshot (the head by default) into a new dataset of "
        "yours: tables {table, snapshot?, strategy: random|stratified|threshold or an "
        "installed one, params (by the strategy's schema), into} → a new tables dataset; "
        "labelled images {snapshot?, strategy, params (columns: id, split, label, labels, "
        "boxes, score, width, height), into, folder? (default samples/<into>)} → a new "
        "files dataset over a new folder in the same layout"
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["strategy", "into"],
            "properties": {
                "table": {"type": "string", "description": "tables datasets"},
                "snapshot": {"type": ["integer", "null"], "minimum": 1},
                "strategy": {"type": "string"},
                "params": {"type": "object"},
                "into": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
                "folder": {"type": "string", "description": "labelled images: relative to yours"},
            },
        }
    }

    async def post(self, dataset_id: str) -> None:
        body = self.body_object()
        self.send(await self.service.sample(self.caller, _dataset(dataset_id), body), 201)


class QueryHandler(BaseHandler):
    def query(self) -> dict[str, list[str]]:
        """The URL's query parameters, each with every value given (service.py checks)."""
        args = self.request.query_arguments
        return {name: self.get_query_arguments(name, strip=False) for name in args}


class ItemsHandler(QueryHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "A page of items at a snapshot: ?snapshot (the head by default), offset, limit "
        "(1-1000). Tables: table (needed when there are several), sort, desc, where (JSON "
        "[{column, op: = != < <= > >= contains starts_with in is_null not_null, value}]) → "
        "{table, snapshot, columns, rows, total, offset, limit}. Labelled images: split, "
        "label, min_score, max_score, q, thumbnails (a size in pixels)"
    }

    async def get(self, dataset_id: str) -> None:
        self.send(await self.service.items(self.caller, _dataset(dataset_id), self.query()))


class StatsHandler(QueryHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Statistics at a snapshot (?snapshot, the head by default). Tables (?table): "
        "per column count, nulls, distinct, min, max, mean, stddev, a histogram (numbers, "
        "dates), the top values (text, booleans). Labelled images: counts per split "
        "and class, image sizes, label distribution"
    }

    async def get(self, dataset_id: str) -> None:
        self.send(await self.service.stats(self.caller, _dataset(dataset_id), self.query()))


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
