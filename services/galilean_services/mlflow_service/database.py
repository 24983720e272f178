"""MLflow's database on the hub's PostgreSQL: created at the gateway's start when missing
(MLflow migrates its tables itself). SQLite needs nothing."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("galilean.mlflow")


class DatabaseUnavailable(Exception):
    """The message names the database and why (never the password)."""


def ensure_database(url: str) -> None:
    target = make_url(url)
    if not target.drivername.startswith("postgresql") or not target.database:
        return
    # Any database of that server lets us look; the maintenance one is always there.
    maintenance = target.set(database="postgres")
    engine = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if found is None:
                quoted = connection.dialect.identifier_preparer.quote(target.database)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
                log.info("created MLflow's database %s on %s", target.database, target.host)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise DatabaseUnavailable(
            f"cannot prepare MLflow's database {target.database!r} on {target.host}: {reason}"
        ) from None
    finally:
        engine.dispose()
