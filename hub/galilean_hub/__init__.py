"""Galilean's hub side: settings, authenticator, spawners and the JupyterHub configuration."""

__version__ = "0.1.0"
