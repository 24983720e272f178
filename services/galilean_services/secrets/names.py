"""What a secret's name may be (like an environment variable: a letter or _, then letters,
digits, _; at most 64), so a secret reads the same in Python, a connection form and a flow.
Apart from the vault (vault.py) so that what only names a secret (a connection) imports no
cipher."""

from __future__ import annotations

import re
from typing import Any

from ..kit.errors import ValidationError

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def check_name(name: Any, field: str = "name") -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValidationError(
            f"{field}: a secret's name is a letter or _, then letters, digits or _ (at most 64)",
            [{"field": field}],
        )
    return name
