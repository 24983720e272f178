"""`destination.excel`: an Excel workbook."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ...paths import flow_file, written_atomically
from ...registry import CompileContext
from .base import FileDestination


class ExcelWriter(FileDestination):
    name = "destination.excel"
    title = "Write an Excel file"
    writes = True
    params_schema = {
        "type": "object",
        "required": ["path"],
        "properties": {
            "path": {"type": "string", "pattern": r"\.xlsx$"},
            "sheet": {"type": "string", "default": "data"},
        },
        "additionalProperties": False,
    }

    def write(self, params: dict[str, Any], table: pa.Table, ctx: CompileContext) -> str:
        import pandas as pd

        target = flow_file(ctx, params["path"])
        with (
            written_atomically(target, ctx.base_dir) as partial,
            pd.ExcelWriter(partial, engine="openpyxl") as book,
        ):
            table.to_pandas().to_excel(book, sheet_name=params.get("sheet", "data"), index=False)
        return f"wrote {target.name} ({table.num_rows} rows)"
