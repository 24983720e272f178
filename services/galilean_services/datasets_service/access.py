"""Who may do what with datasets: custom scopes say which verbs a caller may use at all;
ownership and group sharing say on which datasets. Groups a dataset is shared with read
it; its owner, and the members of the groups it is shared with for writing, change its
content (snapshot, restore, tag, edit: the work runs as the owner, in the owner's folder);
only the owner deletes it, shares it, expires snapshots or exports into their folder.
Admins see everything."""

from __future__ import annotations

from typing import Any

from ..kit.auth import Caller, Scopes
from ..kit.errors import Forbidden, NotFound

SCOPES = Scopes(
    "datasets",
    {
        "read": "See datasets shared with you, their snapshots, diffs and lineage.",
        "write": "Create and change your datasets: snapshot, restore, tag, expire.",
    },
)
scope = SCOPES.scope


def visible(caller: Caller, dataset: dict[str, Any]) -> dict[str, Any]:
    """The dataset, or NotFound: one a caller may not see is not confirmed to exist."""
    if not caller.sees(dataset):
        raise NotFound(f"dataset {dataset['id']} does not exist", [{"field": "dataset_id"}])
    return dataset


def owned(caller: Caller, dataset: dict[str, Any]) -> dict[str, Any]:
    """The dataset, for its owner only: its changes run as the owner, with their files."""
    visible(caller, dataset)
    if dataset["owner"] != caller.name:
        raise Forbidden(
            f"dataset {dataset['id']} belongs to {dataset['owner']}: shared datasets can be "
            "read, not changed",
            [{"field": "dataset_id"}],
        )
    return dataset


def access_of(caller: Caller, dataset: dict[str, Any]) -> str:
    """What the caller may do with a dataset they see: owner, write or read."""
    if dataset["owner"] == caller.name:
        return "owner"
    return "write" if caller.groups & set(dataset.get("writers") or ()) else "read"


def writable(caller: Caller, dataset: dict[str, Any]) -> dict[str, Any]:
    """The dataset, for its owner and the members of its writer groups."""
    visible(caller, dataset)
    if access_of(caller, dataset) != "read":
        return dataset
    raise Forbidden(
        f"dataset {dataset['id']} belongs to {dataset['owner']} and is shared with you read-only",
        [{"field": "dataset_id"}],
    )
