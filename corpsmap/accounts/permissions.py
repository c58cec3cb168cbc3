"""Who may do what: the roles, the actions and the one permission table. No database here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """A person's role; every account has one of the last three, a visitor has no account."""

    VISITOR = "visitor"
    VIEWER = "viewer"
    ZONE_EDITOR = "zone_editor"
    ADMIN = "admin"


ACCOUNT_ROLES = (Role.VIEWER, Role.ZONE_EDITOR, Role.ADMIN)


class Action(StrEnum):
    """Something a person asks the app to do; `PERMISSIONS` says who may."""

    VIEW_PUBLIC = "view_public"
    VIEW_INTERNAL = "view_internal"
    EXPORT = "export"
    DOWNLOAD_TEMPLATE = "download_template"
    UPLOAD_REPORT = "upload_report"
    SUBMIT = "submit"
    PUBLISH = "publish"
    REJECT = "reject"
    ROLLBACK = "rollback"
    MANAGE_USERS = "manage_users"
    IMPORT_BOUNDARIES = "import_boundaries"
    READ_AUDIT = "read_audit"


@dataclass(frozen=True)
class Permission:
    """The roles allowed an action; a zone-scoped action binds a zone editor to their own zones."""

    roles: frozenset[Role]
    zone_scoped: bool = False


_EVERYONE = frozenset(Role)
_SIGNED_IN = frozenset({Role.VIEWER, Role.ZONE_EDITOR, Role.ADMIN})
_EDITORS = frozenset({Role.ZONE_EDITOR, Role.ADMIN})
_ADMIN = frozenset({Role.ADMIN})

# The one permission table. Exports are open to visitors because they only ever see public rows: which rows a
# person sees is VIEW_INTERNAL's business, not EXPORT's. Admins are never bound to zones.
PERMISSIONS: dict[Action, Permission] = {
    Action.VIEW_PUBLIC: Permission(_EVERYONE),
    Action.VIEW_INTERNAL: Permission(_SIGNED_IN),
    Action.EXPORT: Permission(_EVERYONE),
    Action.DOWNLOAD_TEMPLATE: Permission(_EDITORS, zone_scoped=True),
    Action.UPLOAD_REPORT: Permission(_EDITORS, zone_scoped=True),
    Action.SUBMIT: Permission(_EDITORS, zone_scoped=True),
    Action.PUBLISH: Permission(_ADMIN),
    Action.REJECT: Permission(_ADMIN),
    Action.ROLLBACK: Permission(_ADMIN),
    Action.MANAGE_USERS: Permission(_ADMIN),
    Action.IMPORT_BOUNDARIES: Permission(_ADMIN),
    Action.READ_AUDIT: Permission(_ADMIN),
}


@dataclass(frozen=True)
class User:
    """The person a request comes from: an account, or `VISITOR`."""

    username: str
    display_name: str
    role: Role
    zones: frozenset[str] = frozenset()
    disabled: bool = False
    email: str | None = None
    # Sessions signed before this moment are void (see corpsmap.accounts.login); None: no local password.
    password_changed_at: datetime | None = None

    def __post_init__(self) -> None:
        # Accept plain strings and any iterable of zones from callers; store the exact types.
        object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(self, "zones", frozenset(self.zones))

    @property
    def name(self) -> str:
        """What to show for this person: the display name, else the username."""
        return self.display_name or self.username

    def describe(self) -> str:
        """Who this is, for messages: 'li (zone editor of linkong)'."""
        if self.role is Role.VISITOR:
            return "a visitor (not signed in)"
        role = self.role.value.replace("_", " ")
        if self.role is Role.ZONE_EDITOR:
            role += " of " + (", ".join(sorted(self.zones)) or "no zone")
        if self.disabled:
            role = "disabled " + role
        return f"{self.username} ({role})"


VISITOR = User("visitor", "", Role.VISITOR)


class PermissionDenied(Exception):
    """`user` may not do `action` (for `zone_id`); the message says who, what and which zone."""

    def __init__(self, user: User, action: Action, zone_id: str | None = None, what: str | None = None):
        self.user, self.action, self.zone_id = user, action, zone_id
        where = f" for zone {zone_id}" if zone_id else ""
        if PERMISSIONS[action].zone_scoped and user.role is Role.ZONE_EDITOR and not zone_id:
            where = " without naming a zone"
        if what:  # e.g. "the corps-wide table indicators"
            where = f" {what}"
        super().__init__(f"{user.describe()} may not {action.value}{where}")


def can(user: User, action: Action | str, zone_id: str | None = None) -> bool:
    """Whether `user` may do `action`, for `zone_id` when the action is zone-scoped (zone editors must name one)."""
    permission = PERMISSIONS[Action(action)]  # an unknown action is a programming error: ValueError
    if user.disabled or user.role not in permission.roles:
        return False
    if permission.zone_scoped and user.role is Role.ZONE_EDITOR:
        return zone_id is not None and zone_id in user.zones
    return True


def require(user: User, action: Action | str, zone_id: str | None = None) -> None:
    """Raise PermissionDenied unless `can(user, action, zone_id)`."""
    if not can(user, action, zone_id):
        raise PermissionDenied(user, Action(action), zone_id)
