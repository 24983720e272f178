"""Backups when the databases are PostgreSQL's (embedded mode with GALILEAN_DB_URL): dumped
with pg_dump, put back with pg_restore; a database with tables is dumped aside before it
is replaced, one that is gone is made again; the password is never said."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from installation_env import embedded_installation
from sqlalchemy import create_engine, text

from galilean_hub.backup import create, main
from galilean_hub.restore import restore
from harness.postgres import Postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = Postgres().start()
    yield server
    server.stop()


def sql(url: str, statement: str, database_level: bool = False) -> list[tuple[object, ...]]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT" if database_level else None)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_postgres_databases_are_dumped_and_restored(
    postgres: Postgres,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hub_db, mlflow_db = postgres.url(), postgres.url("mlflow")
    sql(postgres.url("postgres"), "CREATE DATABASE mlflow", database_level=True)
    sql(hub_db, "CREATE TABLE users (name TEXT)")
    sql(hub_db, "INSERT INTO users VALUES ('ann'), ('bob')")
    sql(mlflow_db, "CREATE TABLE experiments (name TEXT)")
    sql(mlflow_db, "INSERT INTO experiments VALUES ('churn')")
    data = tmp_path / "var"
    (data / "users" / "ann" / "home").mkdir(parents=True)
    embedded_installation(monkeypatch, data, GALILEAN_DB_URL=hub_db)

    archive = create(tmp_path / "backups", with_secrets=False)
    assert postgres.password.encode() not in gzip.decompress(archive.read_bytes())

    # Since then: a user gone, MLflow's database dropped.
    sql(hub_db, "DELETE FROM users WHERE name = 'bob'")
    sql(postgres.url("postgres"), "DROP DATABASE mlflow", database_level=True)
    assert main(["restore", str(archive)]) == 2
    refused = capsys.readouterr().err
    assert "database 'jupyterhub'" in refused
    assert "--force" in refused
    assert postgres.password not in refused

    lines = list(restore(archive, force=True))
    assert sorted(sql(hub_db, "SELECT name FROM users")) == [("ann",), ("bob",)]
    assert sql(mlflow_db, "SELECT name FROM experiments") == [("churn",)]
    aside = list(data.glob("jupyterhub.before-restore-*.pgdump"))
    assert len(aside) == 1, lines
    assert aside[0].stat().st_mode & 0o077 == 0
    assert not any(postgres.password in line for line in lines)


def test_a_failing_backup_says_why_without_the_password(
    postgres: Postgres,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = postgres.url().replace(postgres.password, "not-the-password")
    embedded_installation(monkeypatch, tmp_path / "var", GALILEAN_DB_URL=wrong)
    assert main(["create", "--to", str(tmp_path / "backups")]) == 2
    said = capsys.readouterr().err
    assert "the server of database 'jupyterhub' cannot be reached" in said
    assert "not-the-password" not in said
    assert not list((tmp_path / "backups").glob("*"))
