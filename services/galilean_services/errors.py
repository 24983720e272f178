"""The one JSON error shape: kept here for the modules that import it from this place; it
lives in the service kit (`galilean_services.kit.errors`)."""

from __future__ import annotations

from .kit.errors import Forbidden, GalileanError, NotFound, ValidationError, error_body

__all__ = ["Forbidden", "GalileanError", "NotFound", "ValidationError", "error_body"]
