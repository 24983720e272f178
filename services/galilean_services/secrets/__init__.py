"""The secret vault's core: per-user secrets (name → value) encrypted at rest (vault.py),
the key that encrypts them (keys.py). No web framework here."""
