"""Destinations: the result shown to the caller, a file written, a table of a named SQL
connection, or an HTTP call."""

from __future__ import annotations

from ...registry import NodeKind
from .base import FileDestination, PassThrough
from .dataset import DatasetWriter
from .display import Display
from .excel import ExcelWriter
from .file import FileWriter
from .http import HttpRequest
from .table import TableWriter
from .webhook import Webhook

KINDS: list[type[NodeKind]] = [
    Display,
    FileWriter,
    ExcelWriter,
    TableWriter,
    HttpRequest,
    Webhook,
    DatasetWriter,
]

__all__ = ["KINDS", "FileDestination", "PassThrough"]
