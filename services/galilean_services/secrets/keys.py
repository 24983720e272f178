"""The vault's encryption key: Fernet (cryptography's authenticated encryption: AES-128-CBC
with an HMAC-SHA256 of the whole token), never a home-made cipher.

`GALILEAN_VAULT_KEY` holds one Fernet key, or several separated by commas to rotate: the
first encrypts, every one decrypts (MultiFernet), so a new key goes first and the old one
stays until `Vault.rotate()` has re-encrypted everything. Embedded mode without the
setting: a key generated once into the data folder (0600), as the cookie secret is.
Errors name the setting and never echo a key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

SETTING = "GALILEAN_VAULT_KEY"
KEY_FILE = "vault.key"


class VaultKeyError(ValueError):
    """A key setting that cannot be used; the message names the setting, not the key."""


def parse_keys(value: str, source: str = SETTING) -> MultiFernet:
    """The keys of a setting (comma-separated Fernet keys, the first encrypting)."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts:
        raise VaultKeyError(f"{source} is empty: give a Fernet key (see stack.env.example)")
    keys = []
    for number, part in enumerate(parts, 1):
        try:
            keys.append(Fernet(part.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise VaultKeyError(
                f"{source}: key {number} is not a Fernet key (32 url-safe base64-encoded "
                'bytes; generate one with `python -c "from cryptography.fernet import '
                'Fernet; print(Fernet.generate_key().decode())"`)'
            ) from None
    return MultiFernet(keys)


def key_from_folder(folder: Path) -> MultiFernet:
    """The key kept in `folder`/vault.key, generated (0600, exclusively) the first time."""
    path = folder / KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made meanwhile by another process: use theirs
            pass
        else:
            with os.fdopen(handle, "wb") as out:
                out.write(Fernet.generate_key())
    return parse_keys(path.read_text(encoding="ascii"), source=str(path))


def vault_keys(setting: str, folder: Path | None) -> MultiFernet:
    """The keys from the setting when given, else from the data folder's key file."""
    if setting.strip():
        return parse_keys(setting)
    if folder is None:
        raise VaultKeyError(f"{SETTING} is required in docker mode (see stack.env.example)")
    return key_from_folder(folder)
