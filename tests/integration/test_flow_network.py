"""Where a flow run by the service may connect (flows/net.py, connection_engines.engine_for), with
real local servers: HTTP and HTTPS on port 0, silent TCP ports, SQLite and DuckDB files.

The service's policy is checked on the address actually connected to: URLs that parse two
ways are refused, a name is resolved once and every address checked, the call goes to that
address; database servers are held to the same policy; saved DuckDB and SQLite connections
read and attach nothing outside the owner's folder; every connection has timeouts."""

from __future__ import annotations

import datetime
import itertools
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from galilean_services import connection_engines
from galilean_services.connection_engines import engine_for
from galilean_services.connections import ConnectionStore
from galilean_services.errors import ValidationError
from galilean_services.flows import net, parse_flow
from galilean_services.flows.issues import NodeError
from galilean_services.flows.net import HttpPolicy, http_request
from galilean_services.flows.runner import RunResult, run

CANARY = "canary-7f3a-do-not-leak"


def chain(*nodes: dict[str, Any]) -> Any:
    edges = [
        {"id": f"e{i}", "from": {"node": a["id"]}, "to": {"node": b["id"]}}
        for i, (a, b) in enumerate(itertools.pairwise(nodes))
    ]
    return parse_flow(
        json.dumps({"galilean_flow": 1, "name": "net", "nodes": list(nodes), "edges": edges})
    )


def fetch(url: str) -> Any:
    return chain(
        {"id": "api", "kind": "source.http_json", "params": {"url": url}},
        {"id": "out", "kind": "destination.display", "params": {}},
    )


def query(connection: str, sql: str) -> Any:
    return chain(
        {"id": "q", "kind": "source.sql_query", "params": {"connection": connection, "query": sql}},
        {"id": "out", "kind": "destination.display", "params": {}},
    )


class Web:
    """A real HTTP(S) server on 127.0.0.1, port 0, recording each request's Host header."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.hosts: list[str] = []
        self.server_names: list[str | None] = []
        self.stop = threading.Event()
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                web.hosts.append(self.headers.get("Host", ""))
                if self.path.startswith("/stall-head"):
                    web.stop.wait(10)
                    return
                body = json.dumps({"items": [{"v": 1}, {"v": 2}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path.startswith("/stall-body"):
                    self.wfile.write(body[:5])
                    self.wfile.flush()
                    web.stop.wait(10)
                    return
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if context is not None:
            context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def web() -> Iterator[Web]:
    server = Web()
    try:
        yield server
    finally:
        server.close()


class Silent:
    """A TCP port that accepts connections and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Names of our own: name → the answers for each lookup in turn (the last repeats);
    every lookup of such a name is recorded in `dns["asked"]`. Other names resolve as
    usual (IP literals and localhost need no network)."""
    answers: dict[str, list[list[str]]] = {"asked": []}
    real = socket.getaddrinfo

    def lookup(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in answers:
            return real(host, port, *args, **kwargs)
        answers["asked"].append([name])
        turns = answers[name]
        addresses = turns.pop(0) if len(turns) > 1 else turns[0]
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, int(port or 0)),
            )
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return answers


def failed(outcome: RunResult, node: str) -> str:
    assert outcome.status == "failed", outcome.outputs
    assert outcome.error is not None
    assert outcome.error["node"] == node
    return str(outcome.error["message"])


# --- HTTP -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8181\\@8.8.8.8/", "a backslash is not allowed"),
        ("http://8.8.8.8\\@127.0.0.1/", "a backslash is not allowed"),
        ("http://user@8.8.8.8/", "a user name or password in the URL is not allowed"),
        ("http://user:hunter2@8.8.8.8/", "a user name or password in the URL is not allowed"),
        ("http://127.0.0.1:8181@8.8.8.8/", "a user name or password in the URL is not allowed"),
        ("ftp://8.8.8.8/", "only http:// and https://"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("http://8.8.8.8 /", "spaces and control characters"),
        ("http://2130706433/", "private or local address (127.0.0.1)"),
        ("http://0x7f.1/", "private or local address (127.0.0.1)"),
        ("http://0177.0.0.1/", "private or local address (127.0.0.1)"),
        ("http://127.1/", "private or local address (127.0.0.1)"),
        ("http://[::ffff:127.0.0.1]/", "private or local address"),
        ("http://[::1]/", "private or local address (::1)"),
        ("http://0/", "private or local address (0.0.0.0)"),
        ("http://169.254.169.254/latest/meta-data", "private or local address"),
        ("http://10.0.0.5/", "private or local address"),
        ("http://localhost/", "private or local address"),
    ],
)
def test_urls_that_could_reach_a_local_address_are_refused(url: str, reason: str) -> None:
    with pytest.raises(NodeError) as refused:
        HttpPolicy().check(url)
    assert reason in str(refused.value)
    assert "hunter2" not in str(refused.value)


def test_public_addresses_pass_and_the_check_says_where_to_connect() -> None:
    target = HttpPolicy().check("https://8.8.8.8/path?q=1")
    assert (target.scheme, target.host, target.port, target.address) == (
        "https",
        "8.8.8.8",
        443,
        "8.8.8.8",
    )
    assert HttpPolicy().check("http://[2001:4860:4860::8888]:8080/").host_header == (
        "[2001:4860:4860::8888]:8080"
    )


def test_the_backslash_bypass_never_reaches_the_local_server(tmp_path: Path, web: Web) -> None:
    # Checked for 8.8.8.8 by one parser, connected to 127.0.0.1 by the other, until now.
    for url in (f"http://127.0.0.1:{web.port}\\@8.8.8.8/", f"http://127.0.0.1:{web.port}@8.8.8.8/"):
        outcome = run(fetch(url), base_dir=tmp_path, http_policy=HttpPolicy(("8.8.8.8",)))
        assert "is not allowed" in failed(outcome, "api")
    assert web.hosts == []


def test_an_allow_listed_host_port_reaches_the_real_server(tmp_path: Path, web: Web) -> None:
    policy = HttpPolicy((f"localhost:{web.port}",))
    outcome = run(
        fetch(f"http://localhost:{web.port}/items?x=1"), base_dir=tmp_path, http_policy=policy
    )
    assert outcome.status == "succeeded", outcome.error
    assert outcome.outputs["out"].num_rows == 1  # the answer is one object: one record
    assert web.hosts == [f"localhost:{web.port}"]  # the name, though 127.0.0.1 was dialled
    hook = chain(
        {
            "id": "rows",
            "kind": "source.inline",
            "params": {"columns": [{"name": "a"}], "rows": [[1]]},
        },
        {
            "id": "tell",
            "kind": "destination.webhook",
            "params": {"url": f"http://localhost:{web.port}/hook"},
        },
    )
    assert run(hook, base_dir=tmp_path, http_policy=policy).status == "succeeded"
    # Another port of the same host is not on the list.
    other = run(fetch(f"http://localhost:{web.port + 1}/"), base_dir=tmp_path, http_policy=policy)
    assert "private or local address" in failed(other, "api")
    assert len(web.hosts) == 2


def test_a_name_is_resolved_once_and_every_address_is_checked(
    web: Web, dns: dict[str, list[list[str]]]
) -> None:
    dns["intranet.example"] = [["127.0.0.1"]]
    dns["mixed.example"] = [["8.8.8.8", "10.1.2.3"]]
    for name in ("intranet.example", "mixed.example"):
        with pytest.raises(NodeError, match="private or local address"):
            HttpPolicy().check(f"http://{name}:{web.port}/")
    # Rebinding: checked as 127.0.0.1 (allowed by address), then the name would say
    # 192.0.2.1; the call goes to the checked address and looks the name up only once.
    dns["rebind.example"] = [["127.0.0.1"], ["192.0.2.1"]]
    dns["asked"].clear()
    policy = HttpPolicy((f"127.0.0.1:{web.port}",))
    with http_request(policy, "GET", f"http://rebind.example:{web.port}/items") as reply:
        assert reply.json()["items"][0] == {"v": 1}
    assert dns["asked"] == [["rebind.example"]]
    assert web.hosts == [f"rebind.example:{web.port}"]


def certificates(tmp_path: Path, name: str) -> tuple[Path, ssl.SSLContext]:
    """A CA file and a server context whose certificate is for `name`, signed by it."""
    now = datetime.datetime.now(datetime.UTC)

    def make(subject: str, issuer: x509.Name, key: Any, signer: Any, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Galilean test CA")])
    ca = make("Galilean test CA", ca_name, ca_key, ca_key, True)
    leaf = make(name, ca_name, key, ca_key, False)
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(pem))
    (tmp_path / "leaf.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "leaf.key")
    return tmp_path / "ca.pem", context


def test_https_sends_the_name_and_checks_the_certificate_against_it(
    tmp_path: Path, dns: dict[str, list[list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ca, context = certificates(tmp_path, "secure.example")
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(ca))
    server = Web(context)
    try:
        dns["secure.example"] = dns["other.example"] = [["127.0.0.1"]]
        policy = HttpPolicy((f"127.0.0.1:{server.port}",))
        with http_request(policy, "GET", f"https://secure.example:{server.port}/") as reply:
            assert reply.status_code == 200
        assert server.server_names == ["secure.example"]  # SNI: the name, not the address
        assert server.hosts == [f"secure.example:{server.port}"]
        # Same address, another name: the certificate does not match it.
        with (
            pytest.raises(NodeError, match=r"cannot reach https://other\.example"),
            http_request(policy, "GET", f"https://other.example:{server.port}/"),
        ):
            pass
        assert len(server.hosts) == 1
    finally:
        server.close()


def test_every_call_has_connect_and_read_timeouts(
    tmp_path: Path, web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(net, "READ_TIMEOUT", 1)
    policy = HttpPolicy((f"127.0.0.1:{web.port}",))
    for path, reason in (("/stall-head", "cannot reach"), ("/stall-body", "cannot read")):
        for where in (policy, None):  # the service, and a user's own server
            began = time.monotonic()
            outcome = run(
                fetch(f"http://127.0.0.1:{web.port}{path}"), base_dir=tmp_path, http_policy=where
            )
            message = failed(outcome, "api")
            assert reason in message, message
            assert "Timeout" in message, message
            assert time.monotonic() - began < 5
    assert net.CONNECT_TIMEOUT <= 10


# --- SQL ------------------------------------------------------------------------------


@pytest.fixture
def owner(tmp_path: Path) -> tuple[Path, ConnectionStore]:
    """Alice's folder with a CSV of her own; a canary next to it, outside."""
    (tmp_path / "canary.txt").write_text(CANARY)
    home = tmp_path / "alice"
    home.mkdir()
    (home / "mine.csv").write_text("a,b\n1,2\n")
    store = ConnectionStore(home, environ={})
    store.save("mem", {"url": "duckdb:///:memory:"})
    store.save("file", {"dialect": "duckdb", "database": "local.duckdb"})
    return home, store


def service_run(flow: Any, home: Path, store: ConnectionStore, *allow: str) -> RunResult:
    """As the flows service's worker runs a job (flows_service/worker.py)."""
    return run(flow, base_dir=home, http_policy=HttpPolicy(tuple(allow)), connections=store)


@pytest.mark.parametrize("connection", ["mem", "file"])
def test_a_saved_duckdb_connection_reads_only_the_owners_folder(
    owner: tuple[Path, ConnectionStore], connection: str
) -> None:
    home, store = owner
    canary = home.parent / "canary.txt"
    for sql in (
        f"SELECT * FROM read_text('{canary}')",  # noqa: S608
        f"SELECT * FROM read_blob('{canary}')",  # noqa: S608
        f"SELECT * FROM read_csv('{canary}')",  # noqa: S608
        f"SELECT * FROM read_text('{home}/../canary.txt')",  # noqa: S608
        f"SELECT * FROM read_text('{home.parent}/*.txt')",  # noqa: S608
        "SELECT * FROM read_text('/etc/passwd')",
    ):
        outcome = service_run(query(connection, sql), home, store)
        assert "Permission Error" in failed(outcome, "q"), sql
        assert CANARY not in json.dumps(outcome.error) + json.dumps(outcome.logs)
    own_csv = f"SELECT * FROM read_csv('{home}/mine.csv')"  # noqa: S608
    mine = service_run(query(connection, own_csv), home, store)
    assert mine.status == "succeeded", mine.error
    assert mine.outputs["out"].to_pylist() == [{"a": 1, "b": 2}]


def test_duckdb_limits_hold_against_attach_set_and_url_settings(
    owner: tuple[Path, ConnectionStore],
) -> None:
    home, store = owner
    engine = engine_for(store.get("mem"), home)  # limits apply whenever a folder is given
    for sql in (
        f"ATTACH '{home.parent}/elsewhere.duckdb' AS x",
        "SET enable_external_access = true",
        "SET allowed_directories = ['/']",
        f"COPY (SELECT 1) TO '{home.parent}/out.csv'",
    ):
        with engine.connect() as con, pytest.raises(sa.exc.DBAPIError):
            con.execute(sa.text(sql))
    with engine.connect() as con:
        con.execute(sa.text(f"ATTACH '{home}/inside.duckdb' AS inside"))
    engine.dispose()
    assert not (home.parent / "elsewhere.duckdb").exists()
    assert not (home.parent / "out.csv").exists()
    store.save("lifted", {"url": "duckdb:///:memory:?enable_external_access=true"})
    outcome = service_run(query("lifted", "SELECT 1"), home, store)
    assert "the DuckDB setting 'enable_external_access' cannot be used" in failed(outcome, "q")


def test_confined_file_databases_still_write_and_read_in_the_folder(
    owner: tuple[Path, ConnectionStore],
) -> None:
    home, store = owner
    store.save("lite", {"dialect": "sqlite", "database": "mine.db"})
    for connection in ("file", "lite"):
        write = chain(
            {
                "id": "rows",
                "kind": "source.inline",
                "params": {"columns": [{"name": "a"}], "rows": [[1], [2]]},
            },
            {
                "id": "save",
                "kind": "destination.table",
                "params": {"connection": connection, "table": "t", "mode": "replace"},
            },
        )
        written = service_run(write, home, store)
        assert written.status == "succeeded", written.error
        back = service_run(query(connection, "SELECT SUM(a) AS s FROM t"), home, store)
        assert back.outputs["out"].to_pylist() == [{"s": 3}], back.error


def test_sqlite_attaches_only_databases_in_the_folder(owner: tuple[Path, ConnectionStore]) -> None:
    import sqlite3

    home, store = owner
    sqlite3.connect(home.parent / "hub.sqlite").close()
    store.save("lite", {"dialect": "sqlite", "database": "mine.db"})
    engine = engine_for(store.get("lite"), home, access="create")
    with engine.connect() as con:
        for sql in (
            f"ATTACH '{home.parent}/hub.sqlite' AS hub",
            f"ATTACH 'file:{home.parent}/hub.sqlite' AS hub",
            f"VACUUM INTO '{home.parent}/copy.sqlite'",
        ):
            with pytest.raises(sa.exc.DatabaseError, match=r"not authorized|authorization denied"):
                con.execute(sa.text(sql))
        con.execute(sa.text(f"ATTACH '{home}/other.db' AS other"))
        con.execute(sa.text("ATTACH ':memory:' AS scratch"))
    engine.dispose()
    assert not (home.parent / "copy.sqlite").exists()


def test_database_servers_are_checked_against_the_policy(
    owner: tuple[Path, ConnectionStore], silent: Silent
) -> None:
    home, store = owner
    for dialect in ("postgresql", "mariadb"):
        store.save(
            dialect,
            {
                "dialect": dialect,
                "host": "127.0.0.1",
                "port": silent.port,
                "user": "u",
                "password": "pw-31337",
            },
        )
        outcome = service_run(query(dialect, "SELECT 1"), home, store)
        message = failed(outcome, "q")
        assert "private or local address (127.0.0.1)" in message
        assert "pw-31337" not in message
    assert silent.accepted == []  # refused before connecting: no port scanning
    for url, word in (
        ("postgresql://u@8.8.8.8/db?host=127.0.0.1", "'host'"),
        ("postgresql://u@8.8.8.8/db?service=hub", "'service'"),
        ("mysql://u@8.8.8.8/db?unix_socket=/run/mysqld/mysqld.sock", "'unix_socket'"),
        ("mysql://u@8.8.8.8/db?local_infile=1", "'local_infile'"),
        ("postgresql+pg8000://u@8.8.8.8/db", "uses the psycopg driver"),
        ("mssql+pyodbc://u@8.8.8.8/db", "connects only to PostgreSQL"),
    ):
        store.save("moved", {"url": url})
        assert word in failed(service_run(query("moved", "SELECT 1"), home, store), "q"), url
    assert silent.accepted == []


@pytest.mark.parametrize("dialect", ["mariadb", "postgresql"])
def test_a_server_that_never_answers_fails_within_the_timeout(
    owner: tuple[Path, ConnectionStore],
    silent: Silent,
    web: Web,
    dns: dict[str, list[list[str]]],
    monkeypatch: pytest.MonkeyPatch,
    dialect: str,
) -> None:
    home, store = owner
    monkeypatch.setattr(connection_engines, "CONNECT_TIMEOUT", 2)
    # A name only our resolver knows: reaching the port proves the driver was given the
    # checked address (psycopg's libpq and pymysql would otherwise look it up themselves).
    dns["db.example"] = [["127.0.0.1"]]
    for host, port, allow in (
        ("db.example", silent.port, f"127.0.0.1:{silent.port}"),
        ("127.0.0.1", web.port, ""),
    ):
        store.save("slow", {"dialect": dialect, "host": host, "port": port, "user": "u"})
        began = time.monotonic()
        outcome = (
            service_run(query("slow", "SELECT 1"), home, store, allow)
            if allow
            else run(query("slow", "SELECT 1"), base_dir=home, connections=store)  # own run
        )
        failed(outcome, "q")
        assert time.monotonic() - began < 2 + 3, (host, outcome.error)
    assert len(silent.accepted) >= 1  # the service run did reach the pinned address
    assert dns["asked"] == [["db.example"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dialect": "postgresql", "host": {"a": 1}}, "host"),
        ({"dialect": "postgresql", "host": "h", "port": [1]}, "port"),
        ({"dialect": "postgresql", "host": "h", "user": 5}, "user"),
        ({"dialect": "postgresql", "host": "h", "password": ["x"]}, "password"),
        ({"dialect": "postgresql", "host": "h", "database": 1.5}, "database"),
        ({"dialect": "postgresql", "host": "h", "port": 65536}, "port"),
        ({"dialect": "postgresql", "host": "h", "port": 2**70}, "port"),
        ({"dialect": "postgresql", "host": "h", "port": True}, "port"),
        ({"dialect": ["postgresql"], "host": "h"}, "dialect"),
        ({"url": "postgresql://u@h:abc/db"}, "url"),
        ({"url": "postgresql://u@h:70000/db"}, "url"),
        ({"url": {"a": 1}}, "url"),
    ],
)
def test_wrong_types_in_connection_fields_name_the_field(
    tmp_path: Path, body: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as bad:
        ConnectionStore(tmp_path, environ={}).save("c", body)
    assert bad.value.status == 400
    assert bad.value.errors == [{"field": field}]
    assert bad.value.message.startswith(f"{field}: ")
