"""The hub's own pages: Galilean's look (templates, logo), the workspace routes, and what
the navigation tells admins (how many sign-ups wait for approval)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nativeauthenticator.orm import UserInfo
from traitlets import Any as AnyTrait

from .authenticator import GalileanAuthenticator
from .hub_secrets_api import hub_secret_handlers
from .profiles import Profiles
from .published import HomeViews
from .published_api import published_handlers
from .sharing_api import sharing_handlers
from .sharing_page import SharedWithMe, sharing_page_handlers
from .signups_api import signups_handlers
from .storage_quota import storage_handlers
from .vault_api import vault_handlers
from .workspaces import (
    DISPLAY_NAME_FIELD,
    DISPLAY_NAME_MAX,
    NAME_MAX,
    NAME_PATTERN,
    NAME_RULE,
    workspace_handlers,
)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
LOGO = HERE / "static" / "galilean-logo.svg"


def pending_signups(user: Any) -> int | None:
    """For an admin, the number of sign-ups waiting for approval, counted now; for anyone
    else (or nobody logged in) None, so that the page says nothing about them."""
    if user is None or not getattr(user, "admin", False):
        return None
    db = user.db
    return int(db.query(UserInfo).filter(UserInfo.is_authorized.is_not(True)).count())


class ProfileChoices:
    """The home page's "Size" choices for the page's user: a list of {name, label,
    default} (no query: the user's groups are loaded with the user)."""

    def __init__(self, profiles: Profiles) -> None:
        self.profiles = profiles

    def __call__(self, user: Any) -> list[dict[str, Any]]:
        if user is None or not self.profiles:
            return []
        default = self.profiles.default_for(user)
        return [
            {"name": p.name, "label": p.label, "default": p is default}
            for p in self.profiles.allowed(user)
        ]


def template_vars(profiles: Profiles) -> dict[str, Any]:
    """JupyterHub.template_vars: callables run per page, with the page's user."""
    return {
        "galilean_profiles": ProfileChoices(profiles),
        "galilean_pending_signups": pending_signups,
        "galilean_shared_with_me": SharedWithMe,
        "galilean_published_views": HomeViews,
        "galilean_workspace_pattern": NAME_PATTERN,
        "galilean_workspace_rule": NAME_RULE[0].upper() + NAME_RULE[1:] + ".",
        "galilean_workspace_name_max": NAME_MAX,
        "galilean_display_name_field": DISPLAY_NAME_FIELD,
        "galilean_display_name_max": DISPLAY_NAME_MAX,
    }


class HubAuthenticator(GalileanAuthenticator):
    """GalileanAuthenticator that also carries the workspace routes: JupyterHub tries an
    authenticator's handlers before its own (JupyterHub.init_handlers), while
    `extra_handlers` come after them and could not replace a route. Configured as
    GalileanAuthenticator (traitlets config applies to subclasses)."""

    # The secret vault (vault_api.LazyVault, set by configure): its API's routes, and a
    # deleted user's secrets go with them.
    galilean_vault = AnyTrait(None, config=True, help="The vault (set by configure)")
    # The workspaces ever shared (sharing_marks.SharedMarks, set by configure).
    galilean_shared_marks = AnyTrait(None, config=True, help="Shared marks (set by configure)")
    # Read-only views of notebooks (published.PublishedViews, set by configure).
    galilean_published = AnyTrait(None, config=True, help="Published views (set by configure)")
    # The resource profiles offered (profiles.Profiles, set by configure).
    galilean_profiles = AnyTrait(None, config=True, help="Resource profiles (set by configure)")
    # Users' storage against their quotas (storage_quota.StorageMeter, set by configure).
    galilean_storage = AnyTrait(None, config=True, help="Storage meter (set by configure)")

    def get_handlers(self, app: Any) -> list[tuple[Any, ...]]:
        vault = []
        if self.galilean_vault is not None:  # users' secrets, and the hub's own
            vault = [
                *vault_handlers(self.galilean_vault),
                *hub_secret_handlers(self.galilean_vault),
            ]
        sharing: list[tuple[Any, ...]] = []
        if self.galilean_shared_marks is not None:
            sharing = [*sharing_handlers(self.galilean_shared_marks), *sharing_page_handlers()]
        published: list[tuple[Any, ...]] = []
        if self.galilean_published is not None:
            published = [*published_handlers(self.galilean_published)]
        workspaces = workspace_handlers(self.galilean_profiles or Profiles([]))
        storage = storage_handlers(self.galilean_storage) if self.galilean_storage else []
        return [
            *workspaces,
            *sharing,
            *published,
            *storage,
            *signups_handlers(),
            *vault,
            *super().get_handlers(app),
        ]

    def delete_user(self, user: Any) -> Any:
        """Deleting a user deletes their secrets: whoever later signs up under that name
        must not find them."""
        if self.galilean_vault is not None:
            gone = self.galilean_vault.forget(user.name)
            if gone:
                self.log.info("deleted the %d secret(s) of %s", gone, user.name)
        if self.galilean_shared_marks is not None:
            self.galilean_shared_marks.forget(user.db, user.name)
        if self.galilean_published is not None:  # their views, with their notebooks' outputs
            self.galilean_published.forget(user.db, user.name)
        return super().delete_user(user)


def configure_pages(c: Any, profiles: Profiles) -> None:
    c.JupyterHub.authenticator_class = HubAuthenticator
    c.HubAuthenticator.galilean_profiles = profiles
    c.JupyterHub.template_paths = [str(TEMPLATES)]
    c.JupyterHub.template_vars = template_vars(profiles)
    c.JupyterHub.logo_file = str(LOGO)
