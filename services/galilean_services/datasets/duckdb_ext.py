"""DuckDB extensions from their PyPI wheels, never downloaded: `duckdb-extension-<name>`
(a package `duckdb_extension_<name>`) holds `<name>.duckdb_extension` built for one DuckDB
version, loaded by its file path. Auto-install and auto-load stay off, so a missing wheel
is an error naming the extension and the package to install, never a download attempt."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb


class MissingExtension(RuntimeError):
    def __init__(self, name: str, reason: str) -> None:
        package = "duckdb-extension-" + name.replace("_", "-")
        super().__init__(
            f"DuckDB extension {name!r} is not available ({reason}): "
            f"install {package}=={duckdb.__version__}"
        )
        self.name = name


def extension_path(name: str) -> Path:
    """The extension file for the running DuckDB, from its wheel."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtension(name, "its package is not installed")
    for folder in spec.submodule_search_locations:
        found = next(Path(folder).rglob(f"v{duckdb.__version__}/{name}.duckdb_extension"), None)
        if found is not None:
            return found
    raise MissingExtension(name, f"no build for DuckDB {duckdb.__version__} in its package")


def offline(connection: duckdb.DuckDBPyConnection) -> None:
    """Never fetch an extension from the network on this connection."""
    connection.execute("SET autoinstall_known_extensions = false")
    connection.execute("SET autoload_known_extensions = false")


def load_extension(connection: duckdb.DuckDBPyConnection, name: str) -> None:
    path = extension_path(name)
    try:
        connection.execute("LOAD '" + str(path).replace("'", "''") + "'")
    except duckdb.Error as error:
        raise MissingExtension(name, f"loading {path} failed: {error}") from error
