"""Workspaces that were ever shared, kept in the hub's database (table
`galilean_shared_workspaces`): such a workspace always starts shared, even once no guest is
left, because its files may hold what a guest left there to run at the next start (a
server config file, a kernel spec, an IPython startup file) and a private start would hand
that code its owner's tokens. For private work the owner makes a new workspace. The marks
go when the user is deleted."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()
marks_table = sa.Table(
    "galilean_shared_workspaces",
    metadata,
    sa.Column("owner", sa.Unicode(255), primary_key=True),
    sa.Column("workspace", sa.Unicode(255), primary_key=True),
)


class SharedMarks:
    """The marks, read and written through JupyterHub's own database session (a second
    connection to its SQLite file would wait on the lock JupyterHub holds while a server
    starts). The table is made on first use, inside that session's transaction."""

    def __init__(self) -> None:
        self._ready = False

    def _session(self, db: Any) -> Any:
        if not self._ready:
            metadata.create_all(db.connection())
            self._ready = True
        return db

    def mark(self, db: Any, owner: str, workspace: str) -> None:
        if self.marked(db, owner, workspace):
            return
        self._session(db).execute(marks_table.insert().values(owner=owner, workspace=workspace))
        db.commit()

    def marked(self, db: Any, owner: str, workspace: str) -> bool:
        query = sa.select(marks_table.c.owner).where(
            marks_table.c.owner == owner, marks_table.c.workspace == workspace
        )
        return self._session(db).execute(query).first() is not None

    def forget(self, db: Any, owner: str) -> None:
        self._session(db).execute(marks_table.delete().where(marks_table.c.owner == owner))
        db.commit()
