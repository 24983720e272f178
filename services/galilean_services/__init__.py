"""Galilean's hub-managed services and the kit they share (HubOAuth glue, one JSON error shape)."""

__version__ = "0.1.0"
