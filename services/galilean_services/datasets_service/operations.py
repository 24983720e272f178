"""Running one dataset operation as its owner: a worker (datasets_service.worker) started
in the execution plane with the owner's folder, given one JSON request, its one JSON reply
read back, its errors turned into the one error shape (invalid 400 naming the field, missing
404, conflict 409, too slow 504)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from ..datasets.locate import STORES as STORES_PATH
from ..execution.plane import Plane
from ..kit.errors import GalileanError, NotFound, ValidationError
from .config import ServiceConfig

log = logging.getLogger("galilean.datasets")
WORKER = "galilean_services.datasets_service.worker"
STORES = STORES_PATH.as_posix()  # inside the owner's folder (datasets/locate.py)


def store_of(dataset: dict[str, Any]) -> str:
    return f"{STORES}/{dataset['name']}"


def error_of(error: dict[str, Any]) -> GalileanError:
    named = [
        {
            "field": error.get("field") or "item",
            **({"item": error["item"]} if error.get("item") else {}),
        }
    ]
    if error["kind"] == "not_found":
        return NotFound(error["message"], named)
    if error["kind"] == "conflict":
        return GalileanError(error["message"], named, status=409)
    return ValidationError(error["message"], named)


def _reply(out: bytes, err: bytes, dataset: dict[str, Any], op: str) -> dict[str, Any]:
    lines = out.decode(errors="replace").strip().splitlines()
    try:
        reply = json.loads(lines[-1])
    except (IndexError, ValueError):
        log.error(
            "dataset %s, %s: the worker gave no answer; its errors: %s",
            dataset["id"],
            op,
            err.decode(errors="replace")[-4000:],
        )
        raise GalileanError(
            f"dataset {dataset['id']}: the {op} failed in its worker (see the service's log)",
            status=500,
        ) from None
    return dict(reply)


class Operations:
    def __init__(self, config: ServiceConfig, plane: Plane) -> None:
        self.config = config
        self.plane = plane

    async def run(
        self, dataset: dict[str, Any], op: str, args: dict[str, Any] | None = None
    ) -> Any:
        owner = dataset["owner"]
        folder = self.config.files_of(owner)
        request = {
            "op": op,
            "driver": dataset["driver"],
            "folder": dataset["folder"],
            "store": store_of(dataset),
            "args": args or {},
        }
        child = await self.plane.spawn(
            WORKER, folder, owner, f"dataset-{dataset['id']}-{op}", network=False
        )
        try:
            out, err = await asyncio.wait_for(
                child.communicate(json.dumps(request).encode() + b"\n"),
                self.config.operation_timeout,
            )
        except TimeoutError:
            child.kill()
            with contextlib.suppress(Exception):
                await child.wait()
            raise GalileanError(
                f"dataset {dataset['id']}: the {op} took longer than "
                f"{self.config.operation_timeout} s and was stopped",
                status=504,
            ) from None
        reply = _reply(out, err, dataset, op)
        if not reply.get("ok"):
            raise error_of(reply["error"])
        return reply.get("result")
