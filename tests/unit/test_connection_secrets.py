"""A connection whose password is one of the user's secrets (issue 17): the file keeps the
secret's name only, an engine gets the value, and edits keep or drop the secret as the
form says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from galilean_services.connections import ConnectionStore
from galilean_services.errors import ValidationError
from galilean_services.secrets.readers import given

SERVER = {
    "dialect": "postgresql",
    "host": "db.example",
    "user": "ann",
    "database": "shop",
}


vault = given  # the owner's secrets, as a run is handed them


def test_the_file_keeps_the_name_and_an_engine_gets_the_value(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path, environ={}, secrets=vault({"SHOP_PW": "pw-9f3"}))
    saved = store.save("shop", {**SERVER, "password": "typed", "password_secret": "SHOP_PW"})
    assert saved.password_secret == "SHOP_PW"
    text = (tmp_path / ".galilean" / "connections.json").read_text()
    assert "typed" not in text
    assert "pw-9f3" not in text
    assert json.loads(text)["connections"]["shop"]["password_secret"] == "SHOP_PW"
    public = store.get("shop").public()
    assert public["password_secret"] == "SHOP_PW"
    assert public["has_password"] is True
    assert store.get("shop").url.password is None  # listing never reads the vault
    used = store.for_use("shop")
    assert used.url.password == "pw-9f3"
    assert "pw-9f3" not in json.dumps(used.public())


def test_edits_keep_or_drop_the_secret_as_the_form_says(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path, environ={}, secrets=vault({"A": "1", "B": "2"}))
    store.save("shop", {**SERVER, "password_secret": "A"})
    # The form says nothing of the password: the secret stays.
    assert store.save("shop", {**SERVER, "port": 6543}).password_secret == "A"
    # Another secret.
    assert store.save("shop", {**SERVER, "password_secret": "B"}).password_secret == "B"
    assert store.for_use("shop").url.password == "2"
    # A typed password instead: no secret any more, the password in the file.
    typed = store.save("shop", {**SERVER, "password_secret": None, "password": "pw"})
    assert typed.password_secret is None
    assert store.for_use("shop").url.password == "pw"
    # A typed password with no word about the secret also replaces it.
    store.save("shop", {**SERVER, "password_secret": "A"})
    assert store.save("shop", {**SERVER, "password": "new"}).password_secret is None


def test_a_missing_or_unreadable_secret_is_400_naming_the_field(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path, environ={}, secrets=vault({}))
    store.save("shop", {**SERVER, "password_secret": "GONE"})
    with pytest.raises(ValidationError) as missing:
        store.for_use("shop")
    assert missing.value.errors == [{"field": "password_secret"}]
    assert "GONE" in missing.value.message
    assert "Secrets panel" in missing.value.message
    nowhere = ConnectionStore(tmp_path, environ={})  # no vault here
    with pytest.raises(ValidationError) as unreadable:
        nowhere.for_use("shop")
    assert unreadable.value.errors == [{"field": "password_secret"}]
    for bad in ("no way", "1ABC", "", "x" * 65):
        if bad == "":
            continue  # empty: no secret
        with pytest.raises(ValidationError) as refused:
            store.save("other", {**SERVER, "password_secret": bad})
        assert refused.value.errors == [{"field": "password_secret"}]
    assert store.save("other", {**SERVER, "password_secret": ""}).password_secret is None
