"""The AI gateway's settings group (section "ai" of stack.env.example): the hub's
`Settings` composes it, the gateway reads it from the environment the hub gives it.

Provider keys are the providers' own variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...,
PROVIDER_VARIABLES), given to the gateway's process only, never to user servers."""

from __future__ import annotations

from pathlib import Path

from traitlets import Bool, Int, Unicode

from ..kit.settings import SettingsGroup, env

# What litellm reads for each provider when a model does not name its own base URL.
PROVIDER_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_API_BASE",
    "ANTHROPIC_API_KEY",
    "AZURE_API_KEY",
    "AZURE_API_BASE",
    "AZURE_API_VERSION",
    "OLLAMA_API_BASE",
)


class AiSettings(SettingsGroup):
    ai_enabled = Bool(
        True,
        help="Run the AI gateway at /services/ai/ (an OpenAI-compatible API for the chat and "
        "notebooks, with the admin's keys). false: no gateway.",
    ).tag(**env("GALILEAN_AI_ENABLED", "ai"))
    ai_port = Int(8085, help="Port of the AI gateway (behind the proxy at /services/ai).").tag(
        **env("GALILEAN_AI_PORT", "ai")
    )
    ai_models = Unicode(
        "",
        help="The models users may chat with, comma-separated `name=provider/model`, e.g. "
        "`fast=openai/gpt-4o-mini,claude=anthropic/claude-sonnet-4-5,local=ollama_chat/"
        "llama3.2` (add `@<base URL>` for an OpenAI-compatible server of its own: "
        "`qwen=openai/qwen2.5@http://10.0.0.5:8000/v1`). The providers' keys are their own "
        "variables here (OPENAI_API_KEY, ANTHROPIC_API_KEY, AZURE_API_KEY with "
        "AZURE_API_BASE and AZURE_API_VERSION, OLLAMA_API_BASE), given to the gateway only. "
        "Empty: the chat says what to set.",
    ).tag(**env("GALILEAN_AI_MODELS", "ai"))
    ai_default_model = Unicode(
        "",
        help="The model a new user's chat starts with (a name of GALILEAN_AI_MODELS; "
        "empty: the first).",
    ).tag(**env("GALILEAN_AI_DEFAULT_MODEL", "ai"))
    ai_everyone = Unicode(
        "*",
        help="The models every user may use (names, comma-separated; * for all). A hub "
        "group adds more with its property galilean.ai_models (names or *).",
    ).tag(**env("GALILEAN_AI_EVERYONE", "ai"))
    ai_daily_tokens = Int(
        200_000,
        help="Tokens (prompt and answer) each user may use per day (UTC); 0: no limit. A hub "
        "group raises it with its property galilean.ai_daily_tokens (the largest wins).",
    ).tag(**env("GALILEAN_AI_DAILY_TOKENS", "ai"))
    ai_daily_requests = Int(
        1000,
        help="Requests each user may make per day (UTC); 0: no limit. A hub group raises it "
        "with its property galilean.ai_daily_requests.",
    ).tag(**env("GALILEAN_AI_DAILY_REQUESTS", "ai"))
    ai_db_url = Unicode(
        "",
        help="SQLAlchemy URL of the gateway's usage records. Empty: the hub's PostgreSQL "
        "when GALILEAN_DB_URL is PostgreSQL, else ai.sqlite in the data folder.",
    ).tag(**env("GALILEAN_AI_DB_URL", "ai", secret=True))

    def ai_database_url(self, hub_db_url: str, data: Path) -> str:
        if self.ai_db_url:
            return self.ai_db_url
        if hub_db_url.startswith("postgresql"):
            return hub_db_url
        return f"sqlite:///{data / 'ai.sqlite'}"
