"""jupyterhub-idle-culler's config file (`--config=` this file): its decisions go through
Galilean's arbiter (pins, events on the usage dashboard; culling.py)."""

from galilean_services.usage.culling import arbiter

c = get_config()  # type: ignore[name-defined]  # noqa: F821
c.IdleCuller.cull_arbiter_hook = arbiter
