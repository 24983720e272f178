"""The service's own records: which datasets exist, their owners, drivers, folders and the
groups they are shared with, and what used their snapshots (an MLflow run trained on one,
`uses`). The data and its snapshots live in the owner's folder (the
datasets core's stores), not here. SQLAlchemy Core over SQLite or PostgreSQL."""

from __future__ import annotations

import builtins
import json
import time
from typing import Any

import sqlalchemy as sa

from ..kit.errors import GalileanError, NotFound
from ..kit.sql_store import add_missing_columns, open_engine

metadata = sa.MetaData()
datasets = sa.Table(
    "galilean_datasets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("owner", sa.String(255), nullable=False, index=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("driver", sa.String(16), nullable=False),
    # files: the working folder, relative to the owner's folder; tables: NULL
    sa.Column("folder", sa.Text, nullable=True),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("groups", sa.Text, nullable=False, default="[]"),
    # groups whose members may also change it (snapshot, restore, tag, edit): a subset
    # of `groups`; its work still runs as the owner, in the owner's folder
    sa.Column("writers", sa.Text, nullable=False, server_default="'[]'"),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    sa.UniqueConstraint("owner", "name", name="galilean_datasets_owner_name"),
)
# What used a snapshot (kind "experiment_run": an MLflow run trained on it), recorded by
# whoever used it; gone with its dataset.
uses = sa.Table(
    "galilean_dataset_uses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "dataset_id",
        sa.Integer,
        sa.ForeignKey("galilean_datasets.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("recorded_by", sa.String(255), nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("experiment_id", sa.String(64), nullable=False),
    sa.Column("experiment", sa.String(500), nullable=False),
    sa.Column("run_name", sa.String(255), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.UniqueConstraint("dataset_id", "number", "kind", "run_id", name="galilean_dataset_uses_key"),
)
USE_FIELDS = ("kind", "run_id", "experiment_id", "experiment", "run_name")


def _row(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["groups"] = json.loads(found["groups"])
    found["writers"] = json.loads(found["writers"])
    return found


class Store:
    def __init__(self, url: str) -> None:
        self.engine = open_engine(url)
        metadata.create_all(self.engine)
        add_missing_columns(self.engine, datasets)  # writers: added after the first release

    def close(self) -> None:
        self.engine.dispose()

    def create(
        self,
        owner: str,
        name: str,
        driver: str,
        folder: str | None,
        description: str = "",
        groups: list[str] | None = None,
        writers: list[str] | None = None,
    ) -> dict[str, Any]:
        now = time.time()
        writers = sorted(set(writers or ()))
        try:
            with self.engine.begin() as con:
                key = con.execute(
                    datasets.insert().values(
                        owner=owner,
                        name=name,
                        driver=driver,
                        folder=folder,
                        description=description,
                        groups=json.dumps(sorted(set(groups or ()) | set(writers))),
                        writers=json.dumps(writers),
                        created=now,
                        updated=now,
                    )
                ).inserted_primary_key
        except sa.exc.IntegrityError:
            raise GalileanError(
                f"you already have a dataset named {name}", status=409, errors=[{"field": "name"}]
            ) from None
        assert key is not None
        return self.get(int(key[0]))

    def get(self, dataset_id: int) -> dict[str, Any]:
        with self.engine.connect() as con:
            row = con.execute(datasets.select().where(datasets.c.id == dataset_id)).first()
        if row is None:
            raise NotFound(f"dataset {dataset_id} does not exist", [{"field": "dataset_id"}])
        return _row(row)

    def list(self) -> list[dict[str, Any]]:
        with self.engine.connect() as con:
            rows = con.execute(datasets.select().order_by(datasets.c.owner, datasets.c.name))
            return [_row(row) for row in rows]

    def update(self, dataset_id: int, **values: Any) -> dict[str, Any]:
        if "groups" in values or "writers" in values:
            now = self.get(dataset_id)
            writers = set(values.get("writers", now["writers"]))
            groups = set(values.get("groups", now["groups"]))
            if "groups" in values and "writers" not in values:
                writers &= groups  # a group no longer shared with cannot write either
            values["writers"] = json.dumps(sorted(writers))
            values["groups"] = json.dumps(sorted(groups | writers))
        with self.engine.begin() as con:
            con.execute(
                datasets.update()
                .where(datasets.c.id == dataset_id)
                .values(**values, updated=time.time())
            )
        return self.get(dataset_id)

    def delete(self, dataset_id: int) -> None:
        with self.engine.begin() as con:
            con.execute(uses.delete().where(uses.c.dataset_id == dataset_id))
            con.execute(datasets.delete().where(datasets.c.id == dataset_id))

    # -- uses of snapshots -------------------------------------------------------------------
    def record_use(
        self, dataset_id: int, number: int, recorded_by: str, use: dict[str, str]
    ) -> tuple[dict[str, Any], bool]:
        """The use recorded (`use`: USE_FIELDS) and whether it is new: the same run on
        the same snapshot is recorded once."""
        key = (
            (uses.c.dataset_id == dataset_id)
            & (uses.c.number == number)
            & (uses.c.kind == use["kind"])
            & (uses.c.run_id == use["run_id"])
        )
        values = {field: use[field] for field in USE_FIELDS}
        row = {"dataset_id": dataset_id, "number": number, "recorded_by": recorded_by, **values}
        try:
            with self.engine.begin() as con:
                con.execute(uses.insert().values(**row, created=time.time()))
            new = True
        except sa.exc.IntegrityError:
            new = False
        with self.engine.connect() as con:
            found = con.execute(uses.select().where(key)).first()
        if found is None:  # its dataset was deleted meanwhile
            raise NotFound(f"dataset {dataset_id} does not exist", [{"field": "dataset_id"}])
        return dict(found._mapping), new

    def uses_of(self, dataset_id: int, number: int | None = None) -> builtins.list[dict[str, Any]]:
        """The uses of a dataset's snapshots (of snapshot `number` only), oldest first."""
        query = uses.select().where(uses.c.dataset_id == dataset_id)
        if number is not None:
            query = query.where(uses.c.number == number)
        with self.engine.connect() as con:
            rows = con.execute(query.order_by(uses.c.id))
            return [dict(row._mapping) for row in rows]
