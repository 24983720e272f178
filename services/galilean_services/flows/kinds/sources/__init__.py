"""Sources: rows from the flow itself (inline), files (CSV, Parquet, JSON, Excel), HTTP
APIs, named SQL connections, a published endpoint's request, and your datasets."""

from __future__ import annotations

from ...registry import NodeKind
from .dataset import DatasetSource
from .excel import ExcelSource
from .file import FileSource
from .http_json import HttpJsonSource
from .inline import InlineSource
from .request import RequestBodySource
from .sql import SqlQuery, SqlTable

KINDS: list[type[NodeKind]] = [
    InlineSource,
    FileSource,
    ExcelSource,
    HttpJsonSource,
    SqlTable,
    SqlQuery,
    RequestBodySource,
    DatasetSource,
]
