"""The user's server as a client of the flows service (the designer's bridge, see
flows_bridge.py): `Upstream` sends one JSON request with the server's hub token
(JUPYTERHUB_API_TOKEN, which the hub gives the service's scopes, so the service sees the
server's owner as the caller) to GALILEAN_FLOWS_URL, and passes the service's errors on in
the one JSON shape; `FlowsLink` links a `.flow` file to the owner's service flow whose
`name` is the file's path (made on first use) and answers the bridge's requests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from galilean_services.kit.errors import NotFound

from .service_upstream import Upstream

RUNS_SHOWN = 50  # the newest runs `state` lists


def canonical(content: dict[str, Any]) -> Any:
    """The document as the service stores it (dump_flow), to compare with a version;
    None when it does not parse (the service then says why)."""
    from galilean_services.flows import FlowFileError, dump_flow, parse_flow  # the engine

    try:
        return json.loads(dump_flow(parse_flow(json.dumps(content))))
    except FlowFileError:
        return None


class FlowsLink:
    """The owner's service flow for each `.flow` path, and what the bridge asks of it."""

    def __init__(self, upstream: Upstream, owner: str, service_url: str) -> None:
        self.upstream = upstream
        self.owner = owner
        self.service_url = service_url

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> FlowsLink:
        base = environ.get("JUPYTERHUB_BASE_URL", "/")
        return cls(
            Upstream(
                environ.get("GALILEAN_FLOWS_URL", ""), environ.get("JUPYTERHUB_API_TOKEN", "")
            ),
            environ.get("JUPYTERHUB_USER", ""),
            f"{base.rstrip('/')}/services/flows/",
        )

    async def call(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        return await self.upstream.call(method, path, body, query or None)

    async def find(self, path: str) -> dict[str, Any] | None:
        """The owner's flow named `path` (the oldest, should two have been made at once)."""
        flows = await self.call("GET", "api/flows")
        mine = [f for f in flows if f.get("owner") == self.owner and f.get("name") == path]
        return min(mine, key=lambda f: int(f["id"])) if mine else None

    async def flow_id(self, path: str) -> int:
        flow = await self.find(path)
        if flow is None:
            raise NotFound(f"{path} has no saved version yet: run or save it", [{"field": "path"}])
        return int(flow["id"])

    async def state(self, path: str) -> dict[str, Any]:
        empty: dict[str, Any] = {"flow": None, "versions": [], "runs": [], "endpoint": None}
        found = await self.find(path)
        if found is None:
            return {**empty, "schedule": None, "service_url": self.service_url}
        base = f"api/flows/{found['id']}"
        flow = await self.call("GET", base)
        versions = await self.call("GET", f"{base}/versions")
        runs = await self.call("GET", f"{base}/runs")
        return {
            "flow": flow,
            "versions": list(reversed(versions)),
            "runs": runs[:RUNS_SHOWN],
            "endpoint": flow.pop("endpoint", None),
            "schedule": flow.pop("schedule", None),
            "service_url": self.service_url,
        }

    async def save(self, path: str, content: dict[str, Any], message: str) -> dict[str, Any]:
        """`content` as a new version unless it is the latest already (the flow made first
        when the path has none)."""
        found = await self.find(path)
        if found is None:
            made = await self.call("POST", "api/flows", {"flow": content, "name": path})
            flow_id = int(made["id"])
            latest = (await self.call("GET", f"api/flows/{flow_id}/versions"))[-1]
            return {"flow_id": flow_id, "version": latest["number"], "new_version": True}
        flow_id = int(found["id"])
        listed = await self.call("GET", f"api/flows/{flow_id}/versions")
        if listed:
            latest = await self.call("GET", f"api/flows/{flow_id}/versions/{listed[-1]['number']}")
            if latest.get("flow") == canonical(content):
                return {"flow_id": flow_id, "version": latest["number"], "new_version": False}
        body = {"flow": content, **({"message": message} if message else {})}
        added = await self.call("POST", f"api/flows/{flow_id}/versions", body)
        return {"flow_id": flow_id, "version": added["number"], "new_version": True}

    async def run(self, path: str, content: dict[str, Any], options: dict[str, Any]) -> Any:
        """Save (when changed), then run that version; `options`: targets, params."""
        saved = await self.save(path, content, options.pop("message", ""))
        body = {"version": saved["version"], **options}
        run = await self.call("POST", f"api/flows/{saved['flow_id']}/runs", body)
        return {**saved, "run": run}

    async def version(
        self, path: str, number: int, action: str = "", body: Any = None, **query: str
    ) -> Any:
        """A version (its document as `content` too), its diff, or its restore (`body`)."""
        flow_id = await self.flow_id(path)
        where = f"api/flows/{flow_id}/versions/{number}" + (f"/{action}" if action else "")
        answer = await self.call("POST" if action == "restore" else "GET", where, body, **query)
        if isinstance(answer, dict) and "flow" in answer and "content" not in answer:
            answer["content"] = answer["flow"]
        return answer

    async def setting(self, path: str, what: str, body: dict[str, Any] | None) -> Any:
        """The flow's endpoint or schedule: read (body None) or set."""
        flow_id = await self.flow_id(path)
        return await self.call(
            "GET" if body is None else "PUT", f"api/flows/{flow_id}/{what}", body
        )

    async def remove(self, path: str, what: str) -> None:
        """Unpublish the flow's endpoint, or remove its schedule (nothing to remove: done)."""
        flow_id = await self.flow_id(path)
        await self.call("DELETE", f"api/flows/{flow_id}/{what}")

    async def run_call(self, run_id: str, cancel: bool = False) -> Any:
        where = f"api/runs/{quote(run_id)}" + ("/cancel" if cancel else "")
        return await self.call("POST" if cancel else "GET", where)
