"""Usage of running workspaces: samples, culling decisions, pins (the usage service's
engine; no web framework)."""
