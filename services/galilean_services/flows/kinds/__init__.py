"""Galilean's built-in node kinds, registered like any third party's."""

from __future__ import annotations

from ..registry import Registry
from . import destinations, io, python, request, reshape, sources, transforms


def register_builtin(registry: Registry) -> None:
    for module in (sources, io, request, transforms, reshape, python, destinations):
        for kind in module.KINDS:
            registry.register(kind())
