"""Running one dataset operation as its owner: a worker (datasets_service.worker) started
in the execution plane with the owner's folder, given one JSON request, its one JSON reply
read back, its errors turned into the one error shape (invalid 400 naming the field, missing
404, conflict 409, too slow 504)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from ..datasets.locate import STORES as STORES_PATH
from ..execution.plane import Plane, PlaneUnavailable
from ..execution.streaming import exchange
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


def _lines(progress: Callable[[dict[str, Any]], None]) -> Callable[[bytes], None]:
    def on_line(line: bytes) -> None:
        if not line.startswith(b'{"progress"'):
            return
        with contextlib.suppress(ValueError):
            report = json.loads(line).get("progress")
            if isinstance(report, dict):
                progress(report)

    return on_line


class Operations:
    def __init__(self, config: ServiceConfig, plane: Plane) -> None:
        self.config = config
        self.plane = plane

    async def run(
        self,
        dataset: dict[str, Any],
        op: str,
        args: dict[str, Any] | None = None,
        progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> Any:
        """`progress`: given each {"progress": …} line the worker prints on the way."""
        owner = dataset["owner"]
        folder = self.config.files_of(owner)
        request = {
            "op": op,
            "driver": dataset["driver"],
            "folder": dataset["folder"],
            "store": store_of(dataset),
            "args": args or {},
        }
        try:
            child = await self.plane.spawn(
                # one name per run: two reads of a dataset at once are two process groups
                WORKER,
                folder,
                owner,
                f"dataset-{dataset['id']}-{op}-{uuid.uuid4().hex[:12]}",
                network=False,
            )
        except PlaneUnavailable as exc:
            raise GalileanError(f"dataset {dataset['id']}: {exc}", status=503) from None
        sent = json.dumps(request).encode() + b"\n"
        talk = (
            child.communicate(sent) if progress is None else exchange(child, sent, _lines(progress))
        )
        try:
            out, err = await asyncio.wait_for(talk, self.config.operation_timeout)
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
