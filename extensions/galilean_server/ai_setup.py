"""Whether the AI chat (jupyter-ai's Jupyternaut) can answer here, and what to do if not.

Jupyternaut answers with a model chosen in its settings (`model_provider_id` in its
config, seeded by `initial_language_model`) or in the chat's model picker, through a
provider whose key is in the server's environment. The hub passes these variables from
Galilean's `stack.env` to user servers (GALILEAN_USER_ENV_KEEP); nothing else sets them, so
a user cannot fix a missing one: the messages say what the admin sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Provider → (the stack.env variable the hub passes to user servers, model id prefixes,
# an example model id).
PROVIDERS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "Anthropic": ("ANTHROPIC_API_KEY", ("anthropic/", "claude"), "anthropic/claude-sonnet-4-5"),
    "OpenAI": ("OPENAI_API_KEY", ("openai/", "gpt-", "o1", "o3", "o4"), "openai/gpt-4o"),
    "Ollama": ("OLLAMA_API_BASE", ("ollama/", "ollama_chat/"), "ollama_chat/llama3.1"),
}


@dataclass(frozen=True)
class AiSetup:
    available: bool
    model: str | None  # the configured default model, if any
    providers: tuple[str, ...]  # providers whose variable is set
    reason: str  # why not available ("" when it is)
    enable: str  # how to enable it ("" when it is)


def _provider_of(model: str) -> str | None:
    for name, (_, prefixes, _) in PROVIDERS.items():
        if model.lower().startswith(prefixes):
            return name
    return None


def stack_env_hint() -> str:
    names = ", ".join(f"{variable} ({name})" for name, (variable, _, _) in PROVIDERS.items())
    return (
        f"The administrator sets one of {names} in Galilean's stack.env, then restarts "
        "Galilean and this workspace."
    )


GATEWAY = "Galilean's AI gateway"
GATEWAY_HINT = (
    "The administrator sets GALILEAN_AI_MODELS (and the provider's key, e.g. OPENAI_API_KEY "
    "or ANTHROPIC_API_KEY) in Galilean's stack.env, then restarts Galilean and this "
    "workspace."
)


def gateway_setup(model: str | None) -> AiSetup:
    """With the hub's AI gateway (GALILEAN_AI_URL): the chat's models are the gateway's,
    reached with this server's token; the hub starts the chat with the default one."""
    if model:
        return AiSetup(True, model, (GATEWAY,), "", "")
    return AiSetup(False, None, (GATEWAY,), "no AI model is set up on the hub", GATEWAY_HINT)


def ai_setup(environ: Mapping[str, str], config_manager: Any | None) -> AiSetup:
    """The AI chat's state from the server's environment and Jupyternaut's config manager
    (None: jupyter-ai's Jupyternaut extension is not loaded)."""
    if environ.get("GALILEAN_AI_URL") and config_manager is not None:
        return gateway_setup(config_manager.chat_model)
    providers = tuple(n for n, (variable, _, _) in PROVIDERS.items() if environ.get(variable))
    if config_manager is None:
        return AiSetup(
            False, None, providers, "jupyter-ai's Jupyternaut server extension is not loaded", ""
        )
    model = config_manager.chat_model
    custom = [m.model_id for m in config_manager.custom_models]
    if not providers:
        return AiSetup(False, model, providers, "no AI provider is configured", stack_env_hint())
    chosen = [m for m in [model, *custom] if m]
    usable = [m for m in chosen if _provider_of(m) in (None, *providers)]
    if usable:
        return AiSetup(True, usable[0], providers, "", "")
    examples = ", ".join(PROVIDERS[p][2] for p in providers)
    return AiSetup(
        False,
        model,
        providers,
        f"{' and '.join(providers)} set up, but no model chosen",
        f"Choose a model in the chat's model picker (e.g. {examples}) or in the "
        "Jupyternaut settings.",
    )


def no_model_message(environ: Mapping[str, str]) -> str:
    """What the chat answers when no model is chosen (instead of Jupyternaut's advice)."""
    if environ.get("GALILEAN_AI_URL"):
        return (
            "**The AI chat has no model on this Galilean hub yet.**\n\n"
            f"{GATEWAY_HINT} There is nothing to set in your own folder: the chat reaches "
            "the hub's AI gateway as you."
        )
    providers = [n for n, (variable, _, _) in PROVIDERS.items() if environ.get(variable)]
    if providers:
        examples = ", ".join(f"`{PROVIDERS[p][2]}`" for p in providers)
        return (
            f"**No chat model is chosen yet.** This server can use {' and '.join(providers)}: "
            f"pick a model in the model picker below the message box (for example {examples}), "
            "then send your message again."
        )
    lines = "\n".join(f"- `{variable}` for {name}" for name, (variable, _, _) in PROVIDERS.items())
    return (
        "**The AI chat is not set up on this Galilean server yet.**\n\n"
        "Your administrator enables it in Galilean's `stack.env` by setting one of:\n\n"
        f"{lines}\n\n"
        "then restarting Galilean and this workspace. There is nothing to set in your own "
        "folder: the hub passes these variables to your workspace."
    )
