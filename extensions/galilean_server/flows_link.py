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
from urllib.parse import quote, urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from galilean_services.kit.errors import GalileanError, NotFound

UNREACHABLE = "The flows service is not reachable from this server"
RUNS_SHOWN = 50  # the newest runs `state` lists


class Unreachable(GalileanError):
    status = 503


class Upstream:
    """JSON requests to the flows service as the server's owner. The token is sent in a
    header and never logged or answered."""

    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.url = url if url.endswith("/") else f"{url}/"
        self.token = token
        self.timeout = timeout

    async def call(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> Any:
        if not self.url.startswith(("http://", "https://")) or not self.token:
            raise Unreachable(
                f"{UNREACHABLE}: GALILEAN_FLOWS_URL and JUPYTERHUB_API_TOKEN are set only in "
                "servers the Galilean hub starts"
            )
        target = self.url + path + (f"?{urlencode(query)}" if query else "")
        # Tornado wants a body for POST, PUT and PATCH, and none for GET or DELETE.
        with_body = method in ("POST", "PUT", "PATCH")
        payload = (json.dumps(body) if body is not None else "") if with_body else None
        request = HTTPRequest(
            target,
            method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
            body=payload,
            connect_timeout=min(5.0, self.timeout),
            request_timeout=self.timeout,
            follow_redirects=False,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError as exc:  # refused, name unknown: nothing is said of the URL's token
            raise Unreachable(f"{UNREACHABLE} ({type(exc).__name__})") from None
        if response.code == 599:  # tornado's "no answer" (timeout, connection lost)
            raise Unreachable(f"{UNREACHABLE} (no answer in {self.timeout:g} s)")
        return _answer(response.code, response.body or b"")


def _answer(code: int, raw: bytes) -> Any:
    """The service's JSON for a 2xx; its error passed on (status and shape) otherwise."""
    try:
        data = json.loads(raw) if raw.strip() else None
    except ValueError:
        data = None
    if 200 <= code < 300:
        return data
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        errors = data.get("errors")
        raise GalileanError(data["error"], errors if isinstance(errors, list) else [], code)
    if code in (502, 503, 504):
        raise Unreachable(f"{UNREACHABLE} (it answered {code})")
    raise GalileanError(f"The flows service answered {code}", [], code if code >= 400 else 502)


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
