"""Galilean's JupyterHub configuration: thin on purpose.

Everything is read from the environment and from `stack.env` (see stack.env.example);
`galilean_hub.config` says what each setting does to JupyterHub. A missing or wrong
setting stops the hub at start with one line naming the variable to set.
"""

from galilean_hub.config import configure
from galilean_hub.lockout import configure_lockout
from galilean_hub.root_guard import refuse_root
from galilean_hub.settings import ConfigError, load_settings

c = get_config()  # type: ignore[name-defined]

try:
    settings, warnings = load_settings()
    warnings += refuse_root(settings)
    configure(c, settings)
    configure_lockout(c, settings)
except ConfigError as error:
    raise SystemExit(f"galilean: {error}") from None

for warning in warnings:
    print(f"galilean: warning: {warning}", flush=True)
