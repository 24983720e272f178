"""The AI gateway: an OpenAI-compatible API at /services/ai behind the hub login, routing
to the admin's providers with the admin's keys (litellm), per-group models, daily budgets
and usage per user and model. Keys never reach users."""
