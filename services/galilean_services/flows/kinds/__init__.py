"""Galilean's built-in node kinds, registered like any third party's."""

from __future__ import annotations

from ..registry import Registry
from . import (
    combine,
    control,
    destinations,
    http_out,
    io,
    python,
    request,
    reshape,
    sources,
    sql_io,
    transforms,
)


def register_builtin(registry: Registry) -> None:
    for module in (
        sources,
        io,
        sql_io,
        request,
        transforms,
        combine,
        reshape,
        python,
        control,
        destinations,
        http_out,
    ):
        for kind in module.KINDS:
            registry.register(kind())
