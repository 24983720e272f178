"""`{"$secret": "NAME"}` in a node's parameters: one of the flow owner's secrets (the vault,
issue 17), read when the node runs, never written into the flow, a log or an error.

A kind accepts a secret only where its schema says so (`SECRET_REF` among a field's
choices): the values HTTP kinds send (headers, query values), where an API key belongs. A
reference anywhere else fails validation naming the field, so a secret cannot become a
row, a file name or SQL text. The run reads secrets through `CompileContext.secrets` (a
callable name → value, given by whoever starts the run: the flows service hands the run its
owner's secrets on its standard input; the designer's preview asks the vault as the user).
Whatever a run says (logs, errors) goes through `scrub` before it leaves the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..secrets.names import NAME
from ..secrets.readers import SecretReader
from .issues import NodeError
from .registry import CompileContext

SECRET_REF: dict[str, Any] = {
    "type": "object",
    "title": "secret",
    "required": ["$secret"],
    "properties": {"$secret": {"type": "string", "pattern": f"^{NAME.pattern}$"}},
    "additionalProperties": False,
}
PARAM_REF: dict[str, Any] = {"type": "object", "required": ["$param"]}
# A value sent to an HTTP API: text, a flow parameter, or a secret.
# (`x-galilean: sent` makes the designer offer text, a parameter or one of the user's
# secrets; the default is what a new header starts as.)
SENT_TEXT: dict[str, Any] = {
    "x-galilean": "sent",
    "default": "",
    "oneOf": [{"type": "string"}, PARAM_REF, SECRET_REF],
}
SENT_SCALAR: dict[str, Any] = {
    "x-galilean": "sent",
    "default": "",
    "oneOf": [{"type": ["string", "number", "boolean"]}, PARAM_REF, SECRET_REF],
}
HIDDEN = "[secret]"
# Shorter values are not hidden: "[secret]" in place of every "ok" would garble a run's
# whole output, and so short a value protects nothing.
MIN_HIDDEN = 6


def is_secret_ref(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"$secret"}


def secret_names(value: Any) -> set[str]:
    """The secrets named anywhere in `value` (a node's parameters, a flow's nodes)."""
    if is_secret_ref(value):
        return {str(value["$secret"])}
    if isinstance(value, dict):
        return {n for item in value.values() for n in secret_names(item)}
    if isinstance(value, list):
        return {n for item in value for n in secret_names(item)}
    return set()


class Remembering:
    """A reader that remembers the values it gave, to hide them in what is answered."""

    def __init__(self, reader: SecretReader) -> None:
        self.reader = reader
        self.given: list[str] = []

    def __call__(self, name: str) -> str:
        value = self.reader(name)
        self.given.append(value)
        return value


def sent(value: Any, ctx: CompileContext, field: str) -> Any:
    """A value a node sends: `{"$param"}` → the parameter's value, `{"$secret"}` → the
    owner's secret (NodeError naming `field` when it cannot be read), else as is."""
    if isinstance(value, dict) and set(value) == {"$param"}:
        return ctx.params[value["$param"]]
    if not is_secret_ref(value):
        return value
    name = str(value["$secret"])
    if ctx.secrets is None:
        raise NodeError(
            f"{field}: the secret {name!r} can be read only when the flow runs on the hub "
            "(its owner's vault)"
        )
    try:
        return ctx.secrets(name)
    except LookupError:
        raise NodeError(
            f"{field}: you have no secret named {name!r}: add it in the Secrets panel"
        ) from None
    except Exception as exc:  # the vault's own reason, which names no value
        raise NodeError(f"{field}: the secret {name!r} could not be read: {exc}") from None


def sent_each(values: Any, ctx: CompileContext, field: str) -> dict[str, Any]:
    """A node's `field` mapping (headers, query values), each value as sent."""
    return {str(k): sent(v, ctx, f"{field}.{k}") for k, v in (values or {}).items()}


def sent_headers(params: dict[str, Any], ctx: CompileContext) -> dict[str, str]:
    """An HTTP node's `headers`, each value as sent (text)."""
    return {k: str(v) for k, v in sent_each(params.get("headers"), ctx, "headers").items()}


def scrub(text: str, values: Iterable[str]) -> str:
    """`text` with every secret value in it (of MIN_HIDDEN characters or more) replaced by
    a mark, longest first, so a value that contains another is hidden whole."""
    for value in sorted({v for v in values if len(v) >= MIN_HIDDEN}, key=len, reverse=True):
        if value in text:
            text = text.replace(value, HIDDEN)
    return text


def scrub_all(value: Any, values: Iterable[str]) -> Any:
    """Every text in a JSON-like `value` scrubbed (a run's result before it leaves)."""
    values = [v for v in values if len(v) >= MIN_HIDDEN]
    if not values:
        return value
    if isinstance(value, str):
        return scrub(value, values)
    if isinstance(value, dict):
        return {k: scrub_all(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_all(v, values) for v in value]
    return value


def misplaced_secrets(schema: Any, params: Any) -> list[tuple[str, str]]:
    """(path, message) for every `{"$secret": …}` in `params` that is not where the kind's
    schema takes one (a field marked `"x-galilean": "sent"`), or whose name is not one a
    secret may have. Free-form fields (a Python node's parameters) accept any JSON, so the
    schema alone would let a secret in where it is never read."""
    found: list[tuple[str, str]] = []
    _walk(schema, params, [], found)
    return found


def _walk(schema: Any, value: Any, path: list[str], found: list[tuple[str, str]]) -> None:
    where = ".".join(path)
    if is_secret_ref(value):
        name = value["$secret"]
        if not isinstance(schema, dict) or schema.get("x-galilean") != "sent":
            found.append((where, f"the secret {name!r} cannot be used here: {ONLY_SENT}"))
        elif not isinstance(name, str) or not NAME.fullmatch(name):
            found.append((where, BAD_NAME))
        return
    if not secret_names(value) and not _has_bad_ref(value):
        return
    inner = schema if isinstance(schema, dict) else {}
    if isinstance(value, dict):
        properties = inner.get("properties") or {}
        for key, item in value.items():
            sub = properties.get(key, inner.get("additionalProperties"))
            _walk(sub, item, [*path, str(key)], found)
    elif isinstance(value, list):
        for number, item in enumerate(value):
            _walk(inner.get("items"), item, [*path, str(number)], found)


def _has_bad_ref(value: Any) -> bool:
    """A `$secret` whose name is not text (secret_names skips none: this is for the walk)."""
    if isinstance(value, dict):
        return "$secret" in value or any(_has_bad_ref(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_bad_ref(v) for v in value)
    return False


ONLY_SENT = (
    "secrets go only in the values an HTTP node sends (headers, query values), "
    "never into rows, files, SQL or code"
)
BAD_NAME = "a secret's name is a letter or _, then letters, digits or _ (at most 64)"
