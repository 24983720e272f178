"""`destination.file`: a CSV or Parquet file, streamed by the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...paths import flow_file
from ...registry import CompileContext
from .base import FileDestination


class FileWriter(FileDestination):
    """CSV or Parquet, streamed by the engine (the runner's COPY)."""

    name = "destination.file"
    file_sink = True
    title = "Write a file"
    params_schema = {
        "type": "object",
        "required": ["path"],
        "properties": {
            "path": {"type": "string", "minLength": 1},
            "format": {"enum": ["csv", "parquet"], "default": "parquet"},
        },
        "additionalProperties": False,
    }

    def file_target(self, params: dict[str, Any], ctx: CompileContext) -> tuple[Path, str]:
        return flow_file(ctx, params["path"]), params.get("format", "parquet")
