"""Sources and a destination over a user's named SQL connections (see connections.py):
a table, a query with bound parameters, and a table writer.

They run with the flow owner's connections: a user's own file, or the admin's. In the flows
service they are held to its network policy and the owner's folder (connection_engines.engine_for).
Errors give the database's reason in one line, never a password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import GalileanError
from ..issues import NodeError
from ..registry import CompileContext

if TYPE_CHECKING:  # SQLAlchemy is imported by the flows that use a connection only
    import sqlalchemy as sa

IDENT = {"type": "string", "minLength": 1, "maxLength": 128}


def connection_engine(params: dict[str, Any], ctx: CompileContext) -> tuple[sa.Engine, Any]:
    from ...connection_engines import engine_for
    from ...connections import ConnectionStore, user_home

    store = ctx.connections or ConnectionStore(user_home())
    try:
        connection = store.for_use(params["connection"])
        # Run for someone else (the service sets a policy), a database server is reached at
        # its checked address only, and file databases must lie in the owner's folder and
        # read nothing outside it: the service would open them with its own rights.
        policy = ctx.http_policy
        confined = ctx.base_dir if policy is not None else None
        return engine_for(connection, confined, policy, access="create"), connection.url
    except GalileanError as exc:
        raise NodeError(exc.message) from None
    except ModuleNotFoundError as exc:
        raise NodeError(f"the database driver is not installed ({exc.name})") from None


def connection_reason(exc: BaseException, url: Any) -> str:
    from ...connections import describe_error

    message = describe_error(exc, url)
    if message in ("not authorized", "authorization denied"):  # SQLite's authorizer
        return f"{message}: a flow run by the service may attach databases only in your folder"
    return message


def sa_table(params: dict[str, Any]) -> sa.Table:
    import sqlalchemy as sa

    return sa.Table(params["table"], sa.MetaData(), schema=params.get("schema") or None)
