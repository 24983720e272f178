"""Datasets core (issue 15): snapshots, diff, restore, tags, retention and garbage
collection over two storage drivers — `files` (a content-addressed store) and `tables`
(DuckLake). Plain Python: no web framework (enforced by import-linter)."""
