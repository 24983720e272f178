"""The service's tables (SQLAlchemy Core): flows, immutable numbered versions, runs,
endpoints, their recent calls, schedules. Every name starts with galilean_: they may share
the hub's database."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

flows = sa.Table(
    "galilean_flows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("owner", sa.String(255), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("groups", sa.Text, nullable=False, default="[]"),  # JSON list: shared with
    sa.Column("latest", sa.Integer, nullable=False, default=0),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)

versions = sa.Table(
    "galilean_flow_versions",
    metadata,
    sa.Column("flow_id", sa.ForeignKey("galilean_flows.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("content", sa.Text, nullable=False),  # the .flow JSON, as given
    sa.Column("author", sa.String(255), nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("created", sa.Float, nullable=False),
)

runs = sa.Table(
    "galilean_flow_runs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("flow_id", sa.ForeignKey("galilean_flows.id", ondelete="CASCADE"), index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("caller", sa.String(255), nullable=False),
    sa.Column("trigger", sa.String(32), nullable=False),  # manual | schedule
    sa.Column("status", sa.String(16), nullable=False),  # queued running succeeded failed cancelled
    sa.Column("params", sa.Text, nullable=False, default="{}"),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("started", sa.Float),
    sa.Column("ended", sa.Float),
    sa.Column("nodes", sa.Text, nullable=False, default="{}"),
    sa.Column("error", sa.Text),
    sa.Column("outputs", sa.Text, nullable=False, default="{}"),  # first rows of display nodes
    sa.Column("logs", sa.Text, nullable=False, default=""),
)

endpoints = sa.Table(
    "galilean_flow_endpoints",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("flow_id", sa.ForeignKey("galilean_flows.id", ondelete="CASCADE"), unique=True),
    sa.Column("version", sa.Integer),  # None: the latest version
    sa.Column("public", sa.Boolean, nullable=False, default=False),
    sa.Column("created", sa.Float, nullable=False),
)

schedules = sa.Table(
    "galilean_flow_schedules",
    metadata,
    sa.Column("flow_id", sa.ForeignKey("galilean_flows.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("cron", sa.String(128), nullable=False),
    sa.Column("version", sa.Integer),  # None: the latest version
    sa.Column("params", sa.Text, nullable=False, default="{}"),
    sa.Column("missed", sa.String(8), nullable=False, default="once"),  # once | skip
    sa.Column("enabled", sa.Boolean, nullable=False, default=True),
    sa.Column("next_run", sa.Float),
    sa.Column("last_run", sa.Float),
)

# The last calls of each flow's endpoint (endpoint_calls.py): when, who, the status and
# how long it took; never a body or a token. A table of its own (create_all makes it in
# an older database: no column of another table changes).
endpoint_calls = sa.Table(
    "galilean_flow_endpoint_calls",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("flow_id", sa.ForeignKey("galilean_flows.id", ondelete="CASCADE"), index=True),
    sa.Column("endpoint", sa.String(128), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("caller", sa.String(255), nullable=False),  # a user name, or "public"
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("ms", sa.Float, nullable=False),
)
