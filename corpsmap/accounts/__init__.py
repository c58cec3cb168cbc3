"""Accounts, roles and the audit trail: who may see, report, publish and roll back. No Streamlit here.

- `permissions`: roles, actions, the one permission table, `can` / `require`.
- `users`: local accounts in the store (argon2 password hashes).
- `login`: `authenticate` with throttling, and signed session tokens.
- `audit`: the append-only audit log and its CSV export.
"""

from corpsmap.accounts.audit import AUDIT_ACTIONS, OUTCOMES, AuditEntry, audit_csv, audit_entries, record
from corpsmap.accounts.login import (
    GENERIC_FAILURE,
    THROTTLE,
    LoginFailed,
    Throttle,
    authenticate,
    issue_token,
    verify_token,
)
from corpsmap.accounts.permissions import (
    ACCOUNT_ROLES,
    PERMISSIONS,
    VISITOR,
    Action,
    Permission,
    PermissionDenied,
    Role,
    User,
    can,
    require,
)
from corpsmap.accounts.users import (
    MIN_PASSWORD,
    AccountError,
    add_user,
    check_password,
    get_user,
    list_users,
    reset_password,
    set_disabled,
    set_role_and_zones,
    user_for_email,
)

__all__ = [
    "ACCOUNT_ROLES", "AUDIT_ACTIONS", "GENERIC_FAILURE", "MIN_PASSWORD", "OUTCOMES", "PERMISSIONS", "THROTTLE",
    "VISITOR", "AccountError", "Action", "AuditEntry", "LoginFailed", "Permission", "PermissionDenied", "Role",
    "Throttle", "User", "add_user", "audit_csv", "audit_entries", "authenticate", "can", "check_password",
    "get_user", "issue_token", "list_users", "record", "require", "reset_password", "set_disabled",
    "set_role_and_zones", "user_for_email", "verify_token",
]
