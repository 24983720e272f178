"""The service kit: what every hub service (and the server extension) shares, so that a new
service is its own logic and one declaration in the hub.

- `errors`: the one JSON error shape and the errors that map to it (no web framework)
- `body`: request bodies as JSON, and the checks of their fields (no web framework)
- `auth`: the caller and per-verb custom scopes (no web framework)
- `settings`: settings groups, traitlets read from the environment (no web framework)
- `http`: tornado glue, every error leaves in the one shape
- `handlers`: BaseHandler: HubOAuth, JSON errors, XSRF, JSON replies
- `launch`: the two-phase start (listen at once, import the rest, then serve)
- `testing`: a test double of the hub (tokens → users and scopes), for in-process tests

This package's `__init__` imports nothing, so the web-free parts stay web-free.
"""
