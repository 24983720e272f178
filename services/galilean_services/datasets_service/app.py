"""The datasets service as a tornado application: `make_app(config)` (launch.py runs it)."""

from __future__ import annotations

from jupyterhub.services.auth import HubOAuth
from tornado import web

from ..kit.app import service_app
from . import handlers as h
from .config import ServiceConfig
from .service import DatasetsService

ROUTES: list[tuple[str, type[web.RequestHandler]]] = [
    ("health", h.HealthHandler),
    ("api/openapi.json", h.OpenAPIHandler),
    ("api/datasets", h.DatasetsHandler),
    ("api/datasets/{dataset_id}", h.DatasetHandler),
    ("api/datasets/{dataset_id}/snapshots", h.SnapshotsHandler),
    ("api/datasets/{dataset_id}/snapshots/{number}", h.SnapshotHandler),
    ("api/datasets/{dataset_id}/snapshots/{number}/diff", h.DiffHandler),
    ("api/datasets/{dataset_id}/snapshots/{number}/restore", h.RestoreHandler),
    ("api/datasets/{dataset_id}/snapshots/{number}/tags", h.TagHandler),
    ("api/datasets/{dataset_id}/snapshots/{number}/uses", h.UsesHandler),
    ("api/datasets/{dataset_id}/retention", h.RetentionHandler),
    ("api/datasets/{dataset_id}/gc", h.GcHandler),
    ("api/datasets/{dataset_id}/sample", h.SampleHandler),
    ("api/datasets/{dataset_id}/lineage", h.LineageHandler),
    ("api/datasets/{dataset_id}/export", h.ExportHandler),
    ("api/jobs/{job_id}", h.JobHandler),
    ("api/datasets/{dataset_id}/items", h.ItemsHandler),
    ("api/datasets/{dataset_id}/stats", h.StatsHandler),
    ("api/datasets/{dataset_id}/edits", h.EditsHandler),
]
ARGUMENT_PATTERNS = {"dataset_id": r"\d+", "number": r"\d+", "job_id": r"[0-9a-f]{16}"}


def make_app(
    config: ServiceConfig,
    service: DatasetsService | None = None,
    hub_auth: HubOAuth | None = None,
) -> web.Application:
    service = service or DatasetsService(config)
    return service_app(config.prefix, ROUTES, ARGUMENT_PATTERNS, service, hub_auth)
