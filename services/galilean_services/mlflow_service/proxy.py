"""The gateway's catch-all handler: every path under /services/mlflow/ goes to MLflow as
the hub user, bodies streamed both ways (artifacts of any size), after the hub login, the
scope, the same-origin check and the gateway's own rules (policy.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from tornado import httputil, web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from ..kit.errors import GalileanError, ValidationError
from . import policy
from .gate import GatewayHandler

# Uploads and downloads: MLflow's artifacts can be gigabytes.
MAX_BODY = 1 << 40
UPSTREAM_TIMEOUT = 6 * 3600.0
_client: AsyncHTTPClient | None = None


def client() -> AsyncHTTPClient:
    global _client
    if _client is None:
        _client = AsyncHTTPClient(force_instance=True, max_body_size=MAX_BODY, max_clients=64)
    return _client


@web.stream_request_body
class ProxyHandler(GatewayHandler):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    body_read = False

    async def prepare(self) -> None:  # type: ignore[override]
        self.chunks: asyncio.Queue[bytes | None] | None = None
        self.buffer: list[bytes] = []
        self.upstream: asyncio.Task[Any] | None = None
        self.headers_sent = False
        await self.authenticate()
        self.request.connection.set_max_body_size(MAX_BODY)  # type: ignore[union-attr]
        # Judged as decoded once, sent re-encoded: MLflow decodes it to what was judged.
        self.path = policy.mlflow_path(self.request.path[len(self.prefix) :])
        policy.check_allowed(self.path, self.caller.name, self.mlflow_admin)
        length = self.request.headers.get("Content-Length")
        if length is not None and not length.isdigit():
            raise ValidationError("Content-Length is not a number", [{"field": "Content-Length"}])
        self.streaming = length is not None and int(length) > 0 and not policy.needs_body(self.path)
        if self.streaming:
            self.chunks = asyncio.Queue(maxsize=8)
            self.upstream = asyncio.ensure_future(self.forward(self.producer))

    async def data_received(self, chunk: bytes) -> None:
        if self.chunks is not None:
            await self.chunks.put(chunk)  # waits while MLflow is slower than the client
            return
        self.buffer.append(chunk)
        if sum(map(len, self.buffer)) > policy.SMALL_BODY and policy.needs_body(self.path):
            raise ValidationError("the request body is too large", [{"field": "body"}])

    async def producer(self, write: Callable[[bytes], Awaitable[None]]) -> None:
        assert self.chunks is not None
        while (chunk := await self.chunks.get()) is not None:
            await write(chunk)

    def finish(self, chunk: str | bytes | dict[str, Any] | None = None) -> asyncio.Future[None]:
        if not self.body_read and not self._headers_written:
            # Finished before tornado read the request (a 401, 403 or redirect from
            # prepare): tornado then closes the connection without saying so, and the
            # hub's proxy, which keeps connections open, could send the next request into
            # the closed socket (the user gets the hub's 503 page). Say it.
            self.set_header("Connection", "close")
        return super().finish(chunk)

    async def handle(self, *_path: str) -> None:
        self.body_read = True
        if self.upstream is not None:
            assert self.chunks is not None
            await self.chunks.put(None)
            await self.upstream
        else:
            body = b"".join(self.buffer)
            if policy.needs_body(self.path):
                body = policy.rewrite_body(self.path, body, self.caller.name, self.mlflow_admin)
            await self.forward(body)
        if not self._finished:
            self.finish()

    get = head = post = put = patch = delete = options = handle

    async def forward(self, body: bytes | Callable[..., Awaitable[None]]) -> None:
        backend = self.gateway.backend
        if backend.problem:
            raise GalileanError(backend.problem, status=503)
        query = self.request.query
        path = policy.upstream_path(self.path)
        url = f"{backend.url}/{path}" + (f"?{query}" if query else "")
        headers = policy.upstream_headers(
            self.request.headers.get_all(),
            user=self.caller.name,
            groups=self.caller.groups,
            secret=backend.secret,
            host=f"127.0.0.1:{backend.port}",
        )
        streamed = callable(body)
        if not streamed:
            headers["Content-Length"] = str(len(body))  # type: ignore[arg-type]
        method = self.request.method or "GET"
        carries = method not in ("GET", "HEAD", "OPTIONS") or bool(body)
        request = HTTPRequest(
            url,
            method=method,
            headers=headers,
            body=None if streamed or not carries else body,  # type: ignore[arg-type]
            body_producer=body if streamed else None,  # type: ignore[arg-type]
            allow_nonstandard_methods=True,
            follow_redirects=False,
            decompress_response=False,
            connect_timeout=10,
            request_timeout=UPSTREAM_TIMEOUT,
            header_callback=self.on_header,
            streaming_callback=self.on_chunk,
        )
        try:
            await client().fetch(request, raise_error=False)
        except HTTPClientError as exc:  # pragma: no cover - raise_error=False
            raise GalileanError(f"MLflow did not answer: {exc}", status=502) from None
        if not self.headers_sent and not self._finished:
            message = "MLflow is starting or not answering: try again in a moment"
            raise GalileanError(message, status=503 if backend.ready_after is None else 502)

    def on_header(self, line: str) -> None:
        line = line.rstrip("\r\n")
        if line.startswith("HTTP/"):
            start = httputil.parse_response_start_line(line)
            self.upstream_status = (start.code, start.reason)
            self.upstream_headers = httputil.HTTPHeaders()
            return
        if line:
            self.upstream_headers.parse_line(line)
            return
        code, reason = self.upstream_status
        if code == 100:
            return
        self.headers_sent = True
        self.set_status(code, reason)
        self.clear_header("Content-Type")
        for name, value in policy.response_headers(self.upstream_headers.get_all(), self.prefix):
            self.add_header(name, value)
        self._headers.pop("Server", None)

    def on_chunk(self, chunk: bytes) -> None:
        self.write(chunk)
        self.flush()

    def on_connection_close(self) -> None:
        if self.upstream is not None and not self.upstream.done():
            self.upstream.cancel()


class PrefixRedirect(web.RequestHandler):
    """/services/mlflow → /services/mlflow/ (MLflow's UI works only with the slash)."""

    def initialize(self, service: Any) -> None:
        self.service = service

    def get(self) -> None:
        query = self.request.query
        self.redirect(self.request.path + "/" + (f"?{query}" if query else ""))
