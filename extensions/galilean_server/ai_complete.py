"""Inline code completion through the hub's AI gateway (JupyterLab's inline completer asks
/galilean/ai/complete as the user types; jupyter-ai 3 dropped its own completer).

The editor's text before and after the cursor becomes one chat request to the chat's
default model ("complete the code at <CURSOR>", a few lines at most), sent with the
server's AI token, so the gateway applies the user's models, budget and usage like any
chat. Only the end of the text before the cursor and the start of the text after it are
sent (MAX_PREFIX, MAX_SUFFIX characters). The answer is cleaned of what chat models add:
code fences, a repeat of the line already typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from galilean_services.kit.body import text
from galilean_services.kit.errors import ValidationError

MAX_PREFIX = 4000  # characters before the cursor sent to the model
MAX_SUFFIX = 1000  # and after it
MAX_INPUT = 200_000  # what the request may carry at all
MAX_TOKENS = 96
CURSOR = "<CURSOR>"
LANGUAGE = re.compile(r"[A-Za-z0-9_+#.\- ]{1,40}")
SYSTEM = (
    "You complete code in a Jupyter notebook. Reply with only the code to insert at "
    f"{CURSOR}: no explanation, no code fences, nothing already before or after it. "
    "At most a few lines. Reply with nothing when no completion fits."
)
FENCE = re.compile(r"^\s*```[\w+-]*\n?|\n?```\s*$")


@dataclass(frozen=True)
class Completion:
    prefix: str
    suffix: str
    language: str

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Completion:
        unknown = sorted(set(body) - {"prefix", "suffix", "language"})
        if unknown:
            raise ValidationError(f"{unknown[0]}: not a field", [{"field": unknown[0]}])
        prefix = text(body, "prefix", default="", limit=MAX_INPUT)
        suffix = text(body, "suffix", default="", limit=MAX_INPUT)
        language = text(body, "language", default="python", limit=40) or "python"
        if not LANGUAGE.fullmatch(language):
            raise ValidationError("language: a language's name", [{"field": "language"}])
        return cls(prefix[-MAX_PREFIX:], suffix[:MAX_SUFFIX], language)

    def request(self, model: str) -> dict[str, Any]:
        """The gateway's chat request (OpenAI's shape)."""
        code = f"{self.prefix}{CURSOR}{self.suffix}"
        return {
            "model": model,
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"```{self.language}\n{code}\n```"},
            ],
            "max_tokens": MAX_TOKENS,
            "temperature": 0.2,
            "stream": False,
        }

    def cleaned(self, answer: str) -> str:
        """The text to insert: fences off, and not the part of the line already typed."""
        text = FENCE.sub("", answer.replace(CURSOR, ""))
        line = self.prefix.rsplit("\n", 1)[-1]
        if line.strip() and text.startswith(line):
            text = text[len(line) :]
        return text.rstrip() if not self.suffix.strip() else text


def answer_text(reply: Any) -> str:
    """The first choice's text of a chat completion ("" when there is none)."""
    try:
        content = reply["choices"][0]["message"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    return content if isinstance(content, str) else ""
