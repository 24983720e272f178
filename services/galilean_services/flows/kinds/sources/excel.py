"""`source.excel`: a sheet of an Excel workbook."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ...issues import NodeError
from ...paths import file_identity, flow_file, path_problem
from ...registry import Columns, CompileContext
from .base import EagerSource, to_arrow


class ExcelSource(EagerSource):
    name = "source.excel"
    title = "Excel file"
    params_schema = {
        "type": "object",
        "required": ["path"],
        "properties": {
            "path": {"type": "string", "minLength": 1},
            "sheet": {"type": ["string", "integer"], "default": 0},
            "header_row": {"type": "integer", "minimum": 0, "default": 0},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return path_problem(params["path"])

    def fingerprint(self, params: dict[str, Any], ctx: CompileContext) -> str:
        return file_identity(ctx, params["path"])

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        import pandas as pd

        path = flow_file(ctx, params["path"])
        try:
            frame = pd.read_excel(
                path, sheet_name=params.get("sheet", 0), header=params.get("header_row", 0)
            )
        except FileNotFoundError:
            raise NodeError(f"no file {path.name!r} in the flow's folder") from None
        except (ValueError, KeyError) as exc:
            raise NodeError(f"cannot read {path.name!r}: {exc}") from None
        return to_arrow(frame)
