"""What the datasets service does, as plain methods: checks who asks and what they send,
keeps the records, and has the owner's worker do the work (operations.py)."""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from ..datasets.drivers import DRIVERS
from ..datasets.items_query import parse_items, parse_stats
from ..datasets.lineage import lineage
from ..datasets.model import DatasetError, Invalid
from ..execution.plane import Plane, make_plane
from ..kit import body as checks
from ..kit.auth import Caller
from ..kit.errors import GalileanError, NotFound, ValidationError
from .access import access_of, owned, visible, writable
from .config import ServiceConfig
from .jobs import Jobs
from .operations import STORES, Operations
from .store import Store
from .uses import check_use, mlflow_prefix, public_use

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_name(body: dict[str, Any]) -> str:
    name = checks.text(body, "name", limit=64)
    if not NAME.fullmatch(name):
        raise ValidationError(
            "name: lower-case letters, digits, - and _ (at most 64), starting with a letter "
            "or digit",
            [{"field": "name"}],
        )
    return name


def check_folder(body: dict[str, Any], driver: str) -> str | None:
    """A files dataset's working folder: relative to the owner's folder, inside it."""
    if driver != "files":
        if body.get("folder") is not None:
            raise ValidationError(
                "folder: only a files dataset has a folder", [{"field": "folder"}]
            )
        return None
    folder = checks.text(body, "folder", limit=1024)
    path = PurePosixPath(folder)
    if path.is_absolute() or ".." in path.parts or "\x00" in folder:
        raise ValidationError(
            "folder: a folder inside yours, relative to it (no .. and not absolute)",
            [{"field": "folder"}],
        )
    if path.parts[:2] == tuple(PurePosixPath(STORES).parts[:2]) or path.parts[:1] == (".galilean",):
        raise ValidationError("folder: .galilean holds the snapshot stores", [{"field": "folder"}])
    return str(path)


def check_number(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(f"{field}: a snapshot number (1 or more)", [{"field": field}])
    return checks.known_id(value, "snapshot", field)


EXPORT_FIELDS = ("table", "path", "format", "snapshot", "overwrite")
TABLE_FORMATS = ("csv", "parquet", "xlsx")
LABELLED_FORMATS = ("yolo", "coco", "voc")


def check_export(body: dict[str, Any], driver: str) -> dict[str, Any]:
    """An export's fields, each refusal naming its field; the worker checks the path
    against the folder itself (symlinks, an existing file)."""
    unknown = sorted(set(body) - set(EXPORT_FIELDS))
    if unknown:
        raise ValidationError(f"{unknown[0]}: not a field of an export", [{"field": unknown[0]}])
    fmt = body.get("format")
    number = body.get("snapshot")
    common = {
        "path": checks.text(body, "path", limit=1024),
        "format": fmt,
        "snapshot": None if number is None else check_number(number, "snapshot"),
        "overwrite": checks.flag(body, "overwrite", False),
    }
    if driver != "tables":  # labelled images (datasets/labels/convert.py)
        if fmt not in LABELLED_FORMATS:
            raise ValidationError(
                "format: a files dataset exports its labelled images to yolo, coco or voc",
                [{"field": "format"}],
            )
        if "table" in body:
            raise ValidationError("table: a files dataset has no tables", [{"field": "table"}])
        return common
    if fmt is not None and fmt not in TABLE_FORMATS:
        raise ValidationError(
            "format: csv, parquet or xlsx (yolo, coco and voc are for files datasets)",
            [{"field": "format"}],
        )
    return {"table": checks.text(body, "table", limit=255), **common}


def check_query(
    parse: Callable[[Mapping[str, Sequence[str]], str], dict[str, Any]],
    query: Mapping[str, Sequence[str]],
    driver: str,
) -> dict[str, Any]:
    """A route's query parameters (datasets/items_query.py), a 400 naming the bad one."""
    try:
        return parse(query, driver)
    except Invalid as bad:
        raise ValidationError(bad.message, [{"field": bad.field or "query"}]) from None


def _sample_request(body: dict[str, Any], driver: str) -> tuple[Any, str | None]:
    """The checked sample request and, for images, the new dataset's folder."""
    try:
        if driver == "files":
            from ..datasets.labels.sampling import parse_image_request

            request: Any = parse_image_request(body)
            return request, check_folder({"folder": request.folder}, "files")
        from ..datasets.sampling_derive import parse_request  # duckdb: only when asked

        return parse_request(body, driver), None
    except DatasetError as bad:
        raise ValidationError(bad.message, [{"field": bad.field or "body"}]) from None


class DatasetsService:
    def __init__(
        self, config: ServiceConfig, plane: Plane | None = None, store: Store | None = None
    ) -> None:
        self.config = config
        self.store = store or Store(config.db_url)
        self.plane = plane or make_plane(config.plane_config())
        self.ops = Operations(config, self.plane)
        self.jobs = Jobs()
        self.mlflow = mlflow_prefix(config.prefix)  # where the uses' MLflow runs are

    # -- datasets -------------------------------------------------------------------------
    def list(self, caller: Caller) -> list[dict[str, Any]]:
        caller.need("read")
        return [{**d, "access": access_of(caller, d)} for d in self.store.list() if caller.sees(d)]

    async def create(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        name = check_name(body)
        driver = checks.text(body, "driver", "files", limit=16)
        if driver not in DRIVERS:
            raise ValidationError(f"driver: one of {', '.join(DRIVERS)}", [{"field": "driver"}])
        folder = check_folder(body, driver)
        description = checks.text(body, "description", "", limit=10_000)
        groups = checks.names(body, "groups", "group names") or []
        writers = checks.names(body, "writers", "group names") or []
        draft = {
            "id": "new",
            "owner": caller.name,
            "name": name,
            "driver": driver,
            "folder": folder,
        }
        await self.ops.run(draft, "check")
        return self.store.create(caller.name, name, driver, folder, description, groups, writers)

    async def get(self, caller: Caller, dataset_id: int) -> dict[str, Any]:
        caller.need("read")
        dataset = visible(caller, self.store.get(dataset_id))
        head = await self.ops.run(dataset, "head")
        return {**dataset, "access": access_of(caller, dataset), "head": head}

    def update(self, caller: Caller, dataset_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        owned(caller, self.store.get(dataset_id))
        values: dict[str, Any] = {}
        if "description" in body:
            values["description"] = checks.text(body, "description", "", limit=10_000)
        for sharing in ("groups", "writers"):
            names = checks.names(body, sharing, "group names")
            if names is not None:
                values[sharing] = names
        unknown = sorted(set(body) - {"description", "groups", "writers"})
        if unknown:
            raise ValidationError(
                f"{unknown[0]}: not a field of a dataset", [{"field": unknown[0]}]
            )
        return self.store.update(dataset_id, **values) if values else self.store.get(dataset_id)

    async def delete(self, caller: Caller, dataset_id: int) -> None:
        """The dataset's record and its snapshots; a files dataset's folder stays."""
        caller.need("write")
        dataset = owned(caller, self.store.get(dataset_id))
        await self.ops.run(dataset, "destroy")
        self.store.delete(dataset_id)

    # -- snapshots ------------------------------------------------------------------------
    async def snapshots(self, caller: Caller, dataset_id: int) -> Any:
        caller.need("read")
        return await self.ops.run(visible(caller, self.store.get(dataset_id)), "snapshots")

    async def snapshot(self, caller: Caller, dataset_id: int, number: int) -> Any:
        caller.need("read")
        dataset = visible(caller, self.store.get(dataset_id))
        return await self.ops.run(dataset, "get", {"number": number})

    async def take(self, caller: Caller, dataset_id: int, body: dict[str, Any]) -> Any:
        caller.need("write")
        dataset = writable(caller, self.store.get(dataset_id))
        origin = checks.mapping(body, "origin", "texts naming what made it")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in origin.items()):
            raise ValidationError("origin: an object of texts", [{"field": "origin"}])
        args = {
            "message": checks.text(body, "message", "", limit=10_000),
            "author": caller.name,
            "origin": origin,
        }
        return await self.ops.run(dataset, "snapshot", args)

    async def diff(self, caller: Caller, dataset_id: int, number: int, against: str | None) -> Any:
        caller.need("read")
        dataset = visible(caller, self.store.get(dataset_id))
        if against is None or not against.isdigit():
            raise ValidationError(
                "against: the snapshot number to compare with", [{"field": "against"}]
            )
        older = check_number(int(against), "against")
        try:
            return await self.ops.run(dataset, "diff", {"older": older, "newer": number})
        except NotFound as missing:  # named as the request names it: the URL's or ?against
            named = missing.errors[0] if missing.errors else {}
            field = "against" if named.get("item") == str(older) != str(number) else "number"
            raise NotFound(missing.message, [{"field": field}]) from None

    async def edit(self, caller: Caller, dataset_id: int, body: dict[str, Any]) -> Any:
        """Labelled-image edits (add, remove, move, relabel) as a new snapshot
        (datasets/labels/edits.py); the worker checks each edit, naming its field."""
        caller.need("write")
        dataset = writable(caller, self.store.get(dataset_id))
        unknown = sorted(set(body) - {"edits"})
        if unknown:
            raise ValidationError(f"{unknown[0]}: not a field of edits", [{"field": unknown[0]}])
        edits = body.get("edits")
        if not isinstance(edits, list) or not edits:
            raise ValidationError("edits: a list of edits, at least one", [{"field": "edits"}])
        if dataset["driver"] != "files":
            raise ValidationError(
                "edits: only a files dataset of labelled images has edits", [{"field": "edits"}]
            )
        return await self.ops.run(dataset, "edit", {"edits": edits, "author": caller.name})

    async def restore(self, caller: Caller, dataset_id: int, number: int) -> Any:
        caller.need("write")
        dataset = writable(caller, self.store.get(dataset_id))
        return await self.ops.run(dataset, "restore", {"number": number, "author": caller.name})

    async def tag(self, caller: Caller, dataset_id: int, number: int, body: dict[str, Any]) -> Any:
        caller.need("write")
        dataset = writable(caller, self.store.get(dataset_id))
        tag = checks.text(body, "tag", limit=64)
        if not TAG.fullmatch(tag):
            raise ValidationError("tag: letters, digits, . _ - (at most 64)", [{"field": "tag"}])
        return await self.ops.run(dataset, "tag", {"number": number, "tag": tag})

    async def retain(self, caller: Caller, dataset_id: int, body: dict[str, Any]) -> Any:
        caller.need("write")
        dataset = owned(caller, self.store.get(dataset_id))
        keep_last = checks.optional_number(body, "keep_last")
        days = checks.optional_number(body, "older_than_days")
        if keep_last is None and days is None:
            raise ValidationError(
                "keep_last or older_than_days: say which snapshots to keep",
                [{"field": "keep_last"}, {"field": "older_than_days"}],
            )
        return await self.ops.run(
            dataset, "retain", {"keep_last": keep_last, "older_than_days": days}
        )

    async def lineage(self, caller: Caller, dataset_id: int) -> Any:
        """The dataset's snapshots and what made each (datasets/lineage.py)."""
        caller.need("read")
        dataset = visible(caller, self.store.get(dataset_id))
        snapshots = await self.ops.run(dataset, "snapshots")
        return lineage(dataset, snapshots, self.uses(caller, dataset_id))

    # -- uses of snapshots (uses.py): readers record their own ------------------------------
    async def record_use(
        self, caller: Caller, dataset_id: int, number: int, body: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """Record that the caller used snapshot `number` (an MLflow run trained on it);
        the use and whether it is new (the same run is recorded once)."""
        caller.need("read")
        dataset = visible(caller, self.store.get(dataset_id))
        use = check_use(body)
        await self.ops.run(dataset, "get", {"number": number})  # 404 naming it if gone
        found, new = self.store.record_use(dataset_id, number, caller.name, use)
        return public_use(found, self.mlflow), new

    def uses(
        self, caller: Caller, dataset_id: int, number: int | None = None
    ) -> builtins.list[dict[str, Any]]:
        caller.need("read")
        visible(caller, self.store.get(dataset_id))
        return [public_use(u, self.mlflow) for u in self.store.uses_of(dataset_id, number)]

    async def export(self, caller: Caller, dataset_id: int, body: dict[str, Any]) -> Any:
        """A table at a snapshot to a file in the owner's folder (datasets/export.py), or
        labelled images to a YOLO / COCO / VOC folder (labels/convert.py); the owner only:
        written as them, in their folder. `background: true`: answered at once with a job
        whose progress GET api/jobs/{id} shows."""
        caller.need("write")
        dataset = owned(caller, self.store.get(dataset_id))
        fields = dict(body)
        background = checks.flag(fields, "background", False)
        fields.pop("background", None)
        args = check_export(fields, dataset["driver"])
        if not background:
            return await self.ops.run(dataset, "export", args)
        job = self.jobs.start(
            caller.name,
            dataset_id,
            "export",
            lambda report: self.ops.run(dataset, "export", args, report),
        )
        return job.to_json()

    def job(self, caller: Caller, job_id: str) -> Any:
        """One of the caller's jobs: its state, progress, and result or error."""
        caller.need("read")
        return self.jobs.get(caller.name, job_id).to_json()

    async def sample(self, caller: Caller, dataset_id: int, body: dict[str, Any]) -> Any:
        """A sample of a snapshot saved as a new dataset of the owner's, recorded first so
        a taken name is a conflict: a table's rows into a new tables dataset
        (datasets/sampling_derive.py), labelled images into a new folder and files
        dataset (datasets/labels/sampling.py)."""
        caller.need("write")
        dataset = owned(caller, self.store.get(dataset_id))
        request, folder = _sample_request(body, dataset["driver"])
        try:
            made = self.store.create(caller.name, request.into, dataset["driver"], folder)
        except GalileanError as taken:  # as this request names it
            raise GalileanError(taken.message, [{"field": "into"}], status=409) from None
        args = {**request.to_json(), "source": dataset["name"], "author": caller.name}
        try:
            head = await self.ops.run(dataset, "sample", args)
        except BaseException:
            self.store.delete(made["id"])
            raise
        return {**made, "head": head}

    # -- items and statistics (readers: the owner and the groups it is shared with) --------
    async def items(
        self, caller: Caller, dataset_id: int, query: Mapping[str, Sequence[str]]
    ) -> Any:
        """A page of a table's rows or of a labelled-image dataset's items at a snapshot."""
        caller.need("read")
        dataset = visible(caller, self.store.get(dataset_id))
        args = check_query(parse_items, query, dataset["driver"])
        return await self.ops.run(dataset, "items", args)

    async def stats(
        self, caller: Caller, dataset_id: int, query: Mapping[str, Sequence[str]]
    ) -> Any:
        """Per-column statistics of a table, or counts per split and class of images."""
        caller.need("read")
        dataset = visible(caller, self.store.get(dataset_id))
        args = check_query(parse_stats, query, dataset["driver"])
        return await self.ops.run(dataset, "stats", args)

    async def gc(self, caller: Caller, dataset_id: int) -> Any:
        caller.need("write")
        return await self.ops.run(owned(caller, self.store.get(dataset_id)), "gc")
