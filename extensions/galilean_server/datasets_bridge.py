"""The Datasets panel's bridge to the datasets service, under /galilean/datasets/service/:
the browser has no login to the service, so the user's own server forwards with its hub
token (service_upstream.py), as the server's owner only. The service checks every field
itself and its errors pass through (400 naming the field, 404, 409); here the routes are a
fixed list (ids are digits), a body must be a JSON object, and a new dataset's folder may
be given as a path in the file browser (`path`), turned into the folder the service sees."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, cast

from jupyter_server.auth.decorator import authorized
from tornado import web

from galilean_services.kit.errors import NotFound, ValidationError

from .base import OwnerOnlyHandler
from .flows_bridge import PLACES, Places
from .service_upstream import Upstream

UPSTREAM = "galilean_datasets_upstream"  # the web app setting holding the Upstream
BASE = r"/galilean/datasets/service"
ID = r"([^/]+)"  # a dataset id or snapshot number, checked by the handler
NUMBER = re.compile(r"[0-9]{1,9}")
ID_FIELDS = ("dataset_id", "number")
SHAPES = {"dataset_id": NUMBER, "number": NUMBER, "job_id": re.compile(r"[0-9a-f]{16}")}
WHAT = {"dataset_id": "dataset", "number": "snapshot", "job_id": "job"}


def datasets_upstream(environ: Mapping[str, str]) -> Upstream:
    return Upstream(
        environ.get("GALILEAN_DATASETS_URL", ""),
        environ.get("JUPYTERHUB_API_TOKEN", ""),
        service="datasets",
        timeout=600.0,  # a snapshot of a big folder takes its time
    )


def service_folder(places: Places, path: Any) -> str:
    """A folder in the file browser (relative to the server's root) as the service names
    it: relative to the user's folder it sees (the home embedded, ~/shared in docker)."""
    if not isinstance(path, str) or not path.strip() or "\x00" in path:
        raise ValidationError("path: the dataset's folder is required", [{"field": "path"}])
    if PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts:
        raise ValidationError("path: a folder inside yours (no ..)", [{"field": "path"}])
    folder = (places.root / path).resolve()
    seen = places.service_root.resolve()
    if folder != seen and not folder.is_relative_to(seen):
        root = places.root.resolve()
        shown = seen.relative_to(root) if seen.is_relative_to(root) else seen
        raise ValidationError(
            f"path: the datasets service sees only the folder '{shown}': put the dataset there",
            [{"field": "path"}],
        )
    return folder.relative_to(seen).as_posix() if folder != seen else "."


class DatasetsBridgeHandler(OwnerOnlyHandler):
    bridge = "datasets service"

    @property
    def upstream(self) -> Upstream:
        return cast(Upstream, self.settings[UPSTREAM])

    async def forward(self, method: str, path: str) -> None:
        body = None
        if method in ("POST", "PATCH"):
            body = self.body_object() if self.request.body.strip() else {}
        query = {
            name: self.get_query_argument(name)
            for name in self.request.query_arguments
            if not (name.isdigit() and not self.get_query_argument(name))  # a cache buster
        }
        self.send(await self.upstream.call(method, path, body, query or None))

    def send(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))


class DatasetsHandler(DatasetsBridgeHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        await self.forward("GET", "api/datasets")

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body_object()
        if "path" in body:
            places = cast(Places, self.settings[PLACES])
            body = {**body, "folder": service_folder(places, body.pop("path"))}
        self.send(await self.upstream.call("POST", "api/datasets", body))


def passing(
    methods: tuple[str, ...], template: str, fields: tuple[str, ...] = ID_FIELDS
) -> type[DatasetsBridgeHandler]:
    """A handler that forwards `methods` to the service's `template` (with the URL's ids,
    named by `fields`, each checked to have its shape: a 404 naming it otherwise)."""

    async def handle(self: DatasetsBridgeHandler, *ids: str) -> None:
        for value, field in zip(ids, fields, strict=False):
            if not SHAPES[field].fullmatch(value):
                raise NotFound(f"{WHAT[field]} {value[:40]} does not exist", [{"field": field}])
        await self.forward(self.request.method or "GET", template.format(*ids))

    wrapped = web.authenticated(authorized(handle))
    return type(
        "Forwarding",
        (DatasetsBridgeHandler,),
        {method.lower(): wrapped for method in methods},
    )


ROUTES: list[tuple[str, type[Any]]] = [
    (rf"{BASE}/datasets", DatasetsHandler),
    (rf"{BASE}/datasets/{ID}", passing(("GET", "PATCH", "DELETE"), "api/datasets/{}")),
    (rf"{BASE}/datasets/{ID}/snapshots", passing(("GET", "POST"), "api/datasets/{}/snapshots")),
    (
        rf"{BASE}/datasets/{ID}/snapshots/{ID}",
        passing(("GET",), "api/datasets/{}/snapshots/{}"),
    ),
    (
        rf"{BASE}/datasets/{ID}/snapshots/{ID}/diff",
        passing(("GET",), "api/datasets/{}/snapshots/{}/diff"),
    ),
    (
        rf"{BASE}/datasets/{ID}/snapshots/{ID}/restore",
        passing(("POST",), "api/datasets/{}/snapshots/{}/restore"),
    ),
    (
        rf"{BASE}/datasets/{ID}/snapshots/{ID}/tags",
        passing(("POST",), "api/datasets/{}/snapshots/{}/tags"),
    ),
    (rf"{BASE}/datasets/{ID}/retention", passing(("POST",), "api/datasets/{}/retention")),
    (rf"{BASE}/datasets/{ID}/gc", passing(("POST",), "api/datasets/{}/gc")),
    (rf"{BASE}/datasets/{ID}/lineage", passing(("GET",), "api/datasets/{}/lineage")),
    (rf"{BASE}/datasets/{ID}/sample", passing(("POST",), "api/datasets/{}/sample")),
    (rf"{BASE}/datasets/{ID}/export", passing(("POST",), "api/datasets/{}/export")),
    (rf"{BASE}/datasets/{ID}/items", passing(("GET",), "api/datasets/{}/items")),
    (rf"{BASE}/datasets/{ID}/stats", passing(("GET",), "api/datasets/{}/stats")),
    (rf"{BASE}/datasets/{ID}/edits", passing(("POST",), "api/datasets/{}/edits")),
    (rf"{BASE}/jobs/{ID}", passing(("GET",), "api/jobs/{}", fields=("job_id",))),
]
