"""Read-only views of notebooks (issue 18), kept in the hub's database (table
`galilean_published_views`): the HTML the owner's server rendered with nbconvert, who may
read it (users, groups, or anyone signed in who has the link) and when it was published.
One view per notebook of a workspace: publishing the notebook again replaces its HTML and
audience, and keeps its address. Read and written through JupyterHub's own database
session (like sharing_marks.py); the table is made on first use."""

from __future__ import annotations

import functools
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()
views_table = sa.Table(
    "galilean_published_views",
    metadata,
    sa.Column("id", sa.Unicode(32), primary_key=True),
    sa.Column("owner", sa.Unicode(255), nullable=False, index=True),
    sa.Column("workspace", sa.Unicode(255), nullable=False),
    sa.Column("path", sa.Unicode(1024), nullable=False),
    sa.Column("title", sa.Unicode(255), nullable=False),
    sa.Column("code_shown", sa.Boolean, nullable=False),
    sa.Column("html", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),  # the page's bytes (UTF-8)
    sa.Column("published_at", sa.Float, nullable=False),
    sa.Column("render_seconds", sa.Float, nullable=False),
    sa.Column("link", sa.Boolean, nullable=False),
    sa.Column("users", sa.Text, nullable=False),  # JSON lists of names
    sa.Column("groups", sa.Text, nullable=False),
    sa.UniqueConstraint("owner", "workspace", "path", name="galilean_published_one_per_file"),
)


@dataclass(frozen=True)
class View:
    id: str
    owner: str
    workspace: str
    path: str
    title: str
    code_shown: bool
    published_at: float
    render_seconds: float
    link: bool
    users: tuple[str, ...]
    groups: tuple[str, ...]
    size: int

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.published_at))

    def summary(self, base_url: str) -> dict[str, Any]:
        """What the owner's listing shows (no HTML)."""
        return {
            "id": self.id,
            "workspace": self.workspace,
            "path": self.path,
            "title": self.title,
            "code": "shown" if self.code_shown else "hidden",
            "published_at": self.published_at,
            "render_seconds": self.render_seconds,
            "link": self.link,
            "users": list(self.users),
            "groups": list(self.groups),
            "bytes": self.size,
            "url": f"{base_url.rstrip('/')}/hub/galilean/view/{self.id}",
        }

    def readable_by(self, name: str, groups: set[str]) -> bool:
        """Whether a signed-in user may read it (an admin too: only if it is for them)."""
        if name == self.owner or self.link or name in self.users:
            return True
        return bool(groups & set(self.groups))


def _view(row: Any) -> View:
    return View(
        id=row.id,
        owner=row.owner,
        workspace=row.workspace,
        path=row.path,
        title=row.title,
        code_shown=bool(row.code_shown),
        published_at=float(row.published_at),
        render_seconds=float(row.render_seconds),
        link=bool(row.link),
        users=tuple(json.loads(row.users)),
        groups=tuple(json.loads(row.groups)),
        size=int(row.size),
    )


COLUMNS = [c for c in views_table.c if c.name != "html"]  # listings never read the pages


class PublishedViews:
    def __init__(self) -> None:
        self._ready = False

    def _session(self, db: Any) -> Any:
        if not self._ready:
            # Committed at once: made inside a request that then rolls back, PostgreSQL
            # would drop it again.
            metadata.create_all(db.connection())
            db.commit()
            self._ready = True
        return db

    def _select(self) -> Any:
        return sa.select(*COLUMNS)

    def publish(
        self,
        db: Any,
        *,
        owner: str,
        workspace: str,
        path: str,
        title: str,
        code_shown: bool,
        html: str,
        render_seconds: float,
        link: bool,
        users: list[str],
        groups: list[str],
    ) -> View:
        """Publish, or publish again (the same notebook of the same workspace: its address
        is kept)."""
        session = self._session(db)
        table = views_table
        found = session.execute(
            sa.select(table.c.id).where(
                table.c.owner == owner, table.c.workspace == workspace, table.c.path == path
            )
        ).first()
        values = {
            "title": title,
            "code_shown": code_shown,
            "html": html,
            "size": len(html.encode()),
            "published_at": time.time(),
            "render_seconds": render_seconds,
            "link": link,
            "users": json.dumps(sorted(set(users))),
            "groups": json.dumps(sorted(set(groups))),
        }
        if found is None:
            view_id = secrets.token_urlsafe(16)  # the link's secret part: 128 bits
            session.execute(
                table.insert().values(
                    id=view_id, owner=owner, workspace=workspace, path=path, **values
                )
            )
        else:
            view_id = found.id
            session.execute(table.update().where(table.c.id == view_id).values(**values))
        db.commit()
        view = self.get(db, view_id)
        assert view is not None
        return view

    def get(self, db: Any, view_id: str) -> View | None:
        row = self._session(db).execute(self._select().where(views_table.c.id == view_id)).first()
        return None if row is None else _view(row)

    def html(self, db: Any, view_id: str) -> str:
        query = sa.select(views_table.c.html).where(views_table.c.id == view_id)
        row = self._session(db).execute(query).first()
        return "" if row is None else str(row.html)

    def of_owner(self, db: Any, owner: str) -> list[View]:
        query = self._select().where(views_table.c.owner == owner)
        rows = self._session(db).execute(query.order_by(views_table.c.published_at.desc()))
        return [_view(row) for row in rows]

    def readable_by(self, db: Any, name: str, groups: set[str]) -> list[View]:
        """Views others published for `name` (directly or through a group); not the
        link-only ones, which only those given the link find."""
        query = self._select().where(views_table.c.owner != name)
        rows = self._session(db).execute(query.order_by(views_table.c.published_at.desc()))
        views = [_view(row) for row in rows]
        return [v for v in views if name in v.users or groups & set(v.groups)]

    def unpublish(self, db: Any, owner: str, view_id: str) -> bool:
        result = self._session(db).execute(
            views_table.delete().where(views_table.c.id == view_id, views_table.c.owner == owner)
        )
        db.commit()
        return bool(result.rowcount)

    def forget(self, db: Any, owner: str) -> None:
        """A deleted user's views go, and their name leaves every other view's audience
        (whoever signs up under that name later must not read them)."""
        session = self._session(db)
        session.execute(views_table.delete().where(views_table.c.owner == owner))
        quoted = json.dumps(owner)
        rows = session.execute(
            sa.select(views_table.c.id, views_table.c.users).where(
                views_table.c.users.contains(quoted)
            )
        )
        for row in list(rows):
            kept = [name for name in json.loads(row.users) if name != owner]
            session.execute(
                views_table.update()
                .where(views_table.c.id == row.id)
                .values(users=json.dumps(kept))
            )
        db.commit()


VIEWS = PublishedViews()  # the hub's (configure and the home page use this one)


class HomeViews:
    """The views a user published and those published for them (directly or through a
    group), read from the database only when a page uses them: JupyterHub runs
    template_vars for every hub page, and only the home page lists views."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def shown(self, view: View) -> dict[str, Any]:
        audience = [*view.users, *(f"group {g}" for g in view.groups)]
        if view.link:
            audience.append("anyone with the link")
        return {
            **view.summary(self.user.settings.get("base_url", "/")),
            "owner": view.owner,
            "when": view.when,
            "audience": ", ".join(audience) or "you only",
        }

    @functools.cached_property
    def mine(self) -> list[dict[str, Any]]:
        if self.user is None:
            return []
        return [self.shown(v) for v in VIEWS.of_owner(self.user.db, self.user.name)]

    @functools.cached_property
    def for_me(self) -> list[dict[str, Any]]:
        if self.user is None:
            return []
        groups = {g.name for g in self.user.orm_user.groups}
        found = VIEWS.readable_by(self.user.db, self.user.name, groups)
        return [self.shown(v) for v in found]
