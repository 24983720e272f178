"""Datasets from Python, in a notebook (issue 15), through the datasets service as you
(the server's hub token, which the hub gives the service's scopes):

    from galilean_server.kernel.api import datasets
    datasets.create("photos", "data/photos")          # a folder of yours
    datasets.snapshot("photos", "cleaned the labels")  # → {'number': 2, ...}
    datasets.diff("photos", 1, 2)                      # added / removed / modified
    datasets.restore("photos", 1)                      # a new head; nothing is lost
    datasets.folder("photos", 2)                       # snapshot 2 as a folder to read
    datasets.frame("sales", snapshot=3)                # a table at a snapshot: a DataFrame

A name is one of your datasets; a shared one is `"owner/name"`. Errors say what is wrong
and which field (DatasetsError.field); the token is never shown."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from galilean_services.folders import user_home

from .service_client import FromEnviron, ServiceError, request_json

TIMEOUT = 600  # a snapshot of a big folder takes its time


class DatasetsError(ServiceError):
    pass


class Datasets(FromEnviron):
    def _call(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        url, token = (
            self._env.get("GALILEAN_DATASETS_URL", ""),
            self._env.get("JUPYTERHUB_API_TOKEN", ""),
        )
        if not url or not token:
            raise DatasetsError(
                "the datasets service is reachable only from servers the Galilean hub starts "
                "(GALILEAN_DATASETS_URL and JUPYTERHUB_API_TOKEN are not set)",
                status=503,
            )
        return request_json(
            method,
            url.rstrip("/") + "/api/" + path,
            token,
            what="the datasets service",
            error=DatasetsError,
            timeout=TIMEOUT,
            body=body,
            query=query,
        )

    def _id(self, name: str) -> int:
        owner, _, short = name.rpartition("/")
        me = self._env.get("JUPYTERHUB_USER", "")
        for dataset in self.list():
            if dataset["name"] == short and dataset["owner"] == (owner or me):
                return int(dataset["id"])
        raise DatasetsError(
            f"no dataset {name!r} (yours, or shared with you as owner/name)", "name", 404
        )

    def list(self) -> list[dict[str, Any]]:
        """Your datasets and those shared with your groups."""
        found: list[dict[str, Any]] = self._call("GET", "datasets")
        return found

    def create(
        self,
        name: str,
        folder: str,
        description: str = "",
        groups: builtins.list[str] | None = None,
    ) -> dict[str, Any]:
        """Make `folder` (relative to your folder) a dataset."""
        body = {
            "name": name,
            "driver": "files",
            "folder": folder,
            "description": description,
            "groups": groups or [],
        }
        made: dict[str, Any] = self._call("POST", "datasets", body)
        return made

    def snapshots(self, name: str) -> builtins.list[dict[str, Any]]:
        found: builtins.list[dict[str, Any]] = self._call(
            "GET", f"datasets/{self._id(name)}/snapshots"
        )
        return found

    def snapshot(
        self, name: str, message: str = "", origin: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Snapshot the dataset's folder as it is now; `origin`: what made it."""
        body = {"message": message, "origin": dict(origin or {})}
        made: dict[str, Any] = self._call("POST", f"datasets/{self._id(name)}/snapshots", body)
        return made

    def diff(self, name: str, older: int, newer: int) -> dict[str, Any]:
        changes: dict[str, Any] = self._call(
            "GET", f"datasets/{self._id(name)}/snapshots/{newer}/diff", against=older
        )
        return changes

    def restore(self, name: str, number: int) -> dict[str, Any]:
        """Make snapshot `number` the dataset's content again, as a new head."""
        made: dict[str, Any] = self._call(
            "POST", f"datasets/{self._id(name)}/snapshots/{number}/restore", {}
        )
        return made

    def tag(self, name: str, number: int, tag: str) -> dict[str, Any]:
        made: dict[str, Any] = self._call(
            "POST", f"datasets/{self._id(name)}/snapshots/{number}/tags", {"tag": tag}
        )
        return made

    def frame(
        self,
        name: str,
        table: str | None = None,
        snapshot: int | None = None,
        engine: str = "pandas",
    ) -> Any:
        """A snapshot (None: the head) of one of your datasets as a DataFrame: a tables
        dataset's `table`; a files dataset's labelled items, or its files. `engine`:
        pandas, polars or arrow. Read from your folder directly (datasets_open)."""
        from .datasets_open import OpenError, frame

        try:
            return frame(name, table, snapshot, engine, user_home(self._env))
        except OpenError as error:
            raise DatasetsError(str(error), error.field, error.status) from None

    def folder(self, name: str, snapshot: int | None = None) -> Path:
        """A files dataset's snapshot (None: the head) as a folder to read: copied out of
        its store once per snapshot (the newest three are kept)."""
        from .datasets_open import OpenError, folder

        try:
            return folder(name, snapshot, user_home(self._env))
        except OpenError as error:
            raise DatasetsError(str(error), error.field, error.status) from None

    def __repr__(self) -> str:
        try:
            names = ", ".join(d["name"] for d in self.list()) or "none yet"
        except DatasetsError as exc:
            names = str(exc)
        return f"<Galilean datasets: {names}>"


datasets = Datasets()
