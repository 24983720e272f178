"""The vault's core (galilean_services.secrets) on a real SQLite database: values are
stored encrypted (the plaintext is nowhere in the database file), listed by name only,
replaced, deleted; names and values are checked with errors naming the field; a value
encrypted under a lost key says so by name; keys rotate; the generated key file is
private and reused; a bad key setting names the setting and never echoes the key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet

from galilean_hub.config import checked_vault_key
from galilean_hub.settings import ConfigError, load_settings
from galilean_hub.vault_api import LazyVault
from galilean_services.kit.errors import NotFound, ValidationError
from galilean_services.kit.sql_store import open_engine
from galilean_services.secrets import vault as vault_module
from galilean_services.secrets.keys import VaultKeyError, key_from_folder, parse_keys, vault_keys
from galilean_services.secrets.vault import MAX_VALUE_BYTES, Vault

VALUE = "hunter2-correct-horse"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def vault_at(path: Path, keys: MultiFernet | None = None) -> Vault:
    keys = keys or MultiFernet([Fernet(Fernet.generate_key())])
    return Vault(open_engine(f"sqlite:///{path}"), keys, clock=Clock())


def test_values_are_encrypted_listed_by_name_replaced_and_deleted(tmp_path: Path) -> None:
    database = tmp_path / "hub.sqlite"
    vault = vault_at(database)
    info, created = vault.put("ann", "DB_PASSWORD", VALUE)
    assert created
    assert info.to_json() == {"name": "DB_PASSWORD", "created": 1001.0, "updated": 1001.0}
    vault.put("ann", "API_KEY", "k-1")
    vault.put("bob", "DB_PASSWORD", "bob's own")
    assert [i.name for i in vault.names("ann")] == ["API_KEY", "DB_PASSWORD"]
    assert vault.reveal("ann", "DB_PASSWORD") == VALUE
    assert vault.reveal("bob", "DB_PASSWORD") == "bob's own"

    again, created = vault.put("ann", "DB_PASSWORD", "new value")
    assert not created
    assert again.created == 1001.0
    assert again.updated > again.created
    assert vault.reveal("ann", "DB_PASSWORD") == "new value"
    vault.engine.dispose()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("hub.sqlite*"))
    assert b"DB_PASSWORD" in stored  # names are kept as they are
    for value in (VALUE, "new value", "bob's own", "k-1"):
        assert value.encode() not in stored

    vault.delete("ann", "DB_PASSWORD")
    assert [i.name for i in vault.names("ann")] == ["API_KEY"]
    with pytest.raises(NotFound) as missing:
        vault.reveal("ann", "DB_PASSWORD")
    assert missing.value.status == 404
    assert missing.value.errors == [{"field": "name", "name": "DB_PASSWORD"}]
    with pytest.raises(NotFound):
        vault.delete("ann", "DB_PASSWORD")
    assert vault.reveal("bob", "DB_PASSWORD") == "bob's own"  # another owner's is untouched


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("", VALUE, "name"),
        ("1ST", VALUE, "name"),
        ("has-dash", VALUE, "name"),
        ("../etc", VALUE, "name"),
        ("A" * 65, VALUE, "name"),
        (None, VALUE, "name"),
        ("OK", "", "value"),
        ("OK", 42, "value"),
        ("OK", None, "value"),
        ("OK", "x" * (MAX_VALUE_BYTES + 1), "value"),
    ],
)
def test_bad_names_and_values_name_the_field(
    tmp_path: Path, name: object, value: object, field: str
) -> None:
    vault = vault_at(tmp_path / "hub.sqlite")
    with pytest.raises(ValidationError) as refused:
        vault.put("ann", name, value)
    assert refused.value.status == 400
    assert refused.value.errors == [{"field": field}]
    if field == "value" and value:
        assert str(value) not in refused.value.message  # a value is never echoed
    assert vault.names("ann") == []


def test_a_value_under_a_lost_key_says_so_by_name(tmp_path: Path) -> None:
    database = tmp_path / "hub.sqlite"
    vault_at(database).put("ann", "TOKEN", VALUE)
    other = vault_at(database)  # another key
    with pytest.raises(ValidationError) as lost:
        other.reveal("ann", "TOKEN")
    assert lost.value.status == 409
    assert "'TOKEN'" in lost.value.message
    assert "GALILEAN_VAULT_KEY" in lost.value.message


def test_keys_rotate(tmp_path: Path) -> None:
    database = tmp_path / "hub.sqlite"
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    vault_at(database, parse_keys(old)).put("ann", "TOKEN", VALUE)
    both = vault_at(database, parse_keys(f"{new}, {old}"))
    assert both.reveal("ann", "TOKEN") == VALUE  # the old key still decrypts
    assert both.rotate() == 1
    assert vault_at(database, parse_keys(new)).reveal("ann", "TOKEN") == VALUE


def test_the_generated_key_is_private_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first = key_from_folder(folder)
    key_file = folder / "vault.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = first.encrypt(b"x")
    assert key_from_folder(folder).decrypt(token) == b"x"  # the same key, read back
    assert vault_keys("", folder).decrypt(token) == b"x"


def test_bad_key_settings_name_the_setting_not_the_key(tmp_path: Path) -> None:
    with pytest.raises(VaultKeyError) as bad:
        vault_keys("not-a-fernet-key-but-a-secret", tmp_path)
    assert "GALILEAN_VAULT_KEY" in str(bad.value)
    assert "key 1" in str(bad.value)
    assert "not-a-fernet-key-but-a-secret" not in str(bad.value)
    good = Fernet.generate_key().decode()
    with pytest.raises(VaultKeyError) as second:
        vault_keys(f"{good},oops", tmp_path)
    assert "key 2" in str(second.value)
    assert good not in str(second.value)
    with pytest.raises(VaultKeyError, match="GALILEAN_VAULT_KEY is empty"):
        vault_keys(" , ", tmp_path)
    with pytest.raises(VaultKeyError, match="required"):
        vault_keys("", None)


def test_a_lone_surrogate_is_refused_naming_the_value(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        vault_at(tmp_path / "hub.sqlite").put("ann", "OK", "\ud800")
    assert refused.value.errors == [{"field": "value"}]


def test_a_user_keeps_at_most_max_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault_module, "MAX_SECRETS", 2)
    vault = vault_at(tmp_path / "hub.sqlite")
    vault.put("ann", "A", "1")
    vault.put("ann", "B", "2")
    vault.put("ann", "A", "replaced")  # replacing is not adding
    with pytest.raises(ValidationError) as full:
        vault.put("ann", "C", "3")
    assert full.value.status == 409
    assert full.value.errors == [{"field": "name"}]
    vault.put("bob", "C", "3")  # another user's count is theirs


def test_a_value_moved_to_another_owner_or_name_does_not_decrypt(tmp_path: Path) -> None:
    vault = vault_at(tmp_path / "hub.sqlite")
    vault.put("ann", "TOKEN", VALUE)
    vault.put("eve", "TOKEN", "eve's")
    vault.put("ann", "OTHER", "ann's other")
    table = vault_module.secrets_table
    with vault.engine.begin() as connection:  # someone who can write the database
        anns = connection.execute(
            sa.select(table.c.token).where((table.c.owner == "ann") & (table.c.name == "TOKEN"))
        ).scalar()
        connection.execute(table.update().where(table.c.owner == "eve").values(token=anns))
        connection.execute(table.update().where(table.c.name == "OTHER").values(token=anns))
    for owner, name in (("eve", "TOKEN"), ("ann", "OTHER")):
        with pytest.raises(ValidationError) as moved:
            vault.reveal(owner, name)
        assert moved.value.status == 409
    assert vault.reveal("ann", "TOKEN") == VALUE


def test_a_deleted_users_secrets_go_with_them(tmp_path: Path) -> None:
    vault = vault_at(tmp_path / "hub.sqlite")
    vault.put("ann", "A", "1")
    vault.put("ann", "B", "2")
    vault.put("bob", "A", "3")
    assert vault_module.forget(vault.engine, "ann") == 2
    assert vault.names("ann") == []
    assert [i.name for i in vault.names("bob")] == ["A"]
    assert vault_module.forget(open_engine(f"sqlite:///{tmp_path / 'new.sqlite'}"), "ann") == 0


def test_the_hub_refuses_a_new_key_for_secrets_whose_key_file_is_gone(tmp_path: Path) -> None:
    url, data = f"sqlite:///{tmp_path / 'hub.sqlite'}", tmp_path / "data"
    LazyVault(url, "", data).get().put("ann", "A", VALUE)
    assert LazyVault(url, "", data).get().reveal("ann", "A") == VALUE  # the kept key
    (data / "vault.key").unlink()  # a database restored without its key file
    with pytest.raises(VaultKeyError) as missing:
        LazyVault(url, "", data).get()
    assert "vault.key is missing" in str(missing.value)
    assert not (data / "vault.key").exists()  # no new key was made
    assert LazyVault(url, "", data).forget("ann") == 1  # deleting needs no key


def test_a_bad_vault_key_stops_the_hub_at_start_naming_it(tmp_path: Path) -> None:
    secretish = "definitely-not-fernet-0123456789"
    env_file = tmp_path / "stack.env"
    env_file.write_text("")
    env_file.chmod(0o600)
    settings, _ = load_settings(
        {"GALILEAN_VAULT_KEY": secretish, "GALILEAN_ENV_FILE": str(env_file)}
    )
    with pytest.raises(ConfigError) as bad:
        checked_vault_key(settings)
    assert "GALILEAN_VAULT_KEY" in str(bad.value)
    assert secretish not in str(bad.value)
