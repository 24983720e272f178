"""What sources made in Python share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ...registry import Columns, EagerKind

if TYPE_CHECKING:  # pandas is imported by the flows that use this kind only
    import pandas as pd


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    import pandas as pd

    # Mixed-type object columns (common in spreadsheets) become text rather than failing.
    for name in frame.columns:
        if frame[name].dtype == object:
            kinds = {type(v) for v in frame[name].dropna()}
            if len(kinds) > 1:
                frame[name] = frame[name].map(lambda v: None if pd.isna(v) else str(v))
    return pa.Table.from_pandas(frame, preserve_index=False)


class EagerSource(EagerKind):
    category = "source"
    inputs = ()

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return None
