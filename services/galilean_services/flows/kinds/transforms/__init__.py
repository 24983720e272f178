"""Transforms: each compiled to one SELECT over its inputs (the Python transform runs
user code in another process instead)."""

from __future__ import annotations

from ...registry import NodeKind
from .add_column import AddColumn
from .aggregate import Aggregate
from .cast import Cast
from .deduplicate import Deduplicate
from .fill_missing import FillMissing
from .filter import Filter
from .join import Join
from .map_values import MapValues
from .melt import Melt
from .pivot import Pivot
from .python import PythonTransform
from .rename import Rename
from .sample import Sample
from .select import Select
from .sort import Sort
from .split_column import SplitColumn
from .sql import SqlTransform
from .train import TrainModel
from .union import Union
from .window import Window

KINDS: list[type[NodeKind]] = [
    Select,
    Filter,
    Rename,
    AddColumn,
    Sort,
    FillMissing,
    Sample,
    Aggregate,
    Join,
    Union,
    Deduplicate,
    Cast,
    MapValues,
    SplitColumn,
    Window,
    Pivot,
    Melt,
    SqlTransform,
    PythonTransform,
    TrainModel,
]
