"""Who may do what: users, roles and permissions, checked by pages and by the data layer.

No streamlit import: the data-layer functions that serve a page take a `User` and call `require`.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("practitioner", "manager", "admin")

# permission -> roles that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "treatment.log": frozenset({"practitioner", "manager"}),
    "event.report": frozenset({"practitioner", "manager"}),
    "case.view_own": frozenset({"practitioner", "manager"}),
    "case.view_all": frozenset({"manager"}),
    "case.follow_up": frozenset({"practitioner", "manager"}),
    "trends.view": frozenset({"manager"}),
    "signals.view": frozenset({"manager"}),
    "signals.review": frozenset({"manager"}),
    "export.run": frozenset({"manager"}),
    "export.identified": frozenset({"manager"}),
    "audit.view": frozenset({"manager", "admin"}),
    "accounts.manage": frozenset({"manager", "admin"}),
    "reference.manage": frozenset({"admin"}),
    "import.run": frozenset({"manager", "admin"}),
    "demo.load": frozenset({"manager", "admin"}),
    "backup.run": frozenset({"manager", "admin"}),
}


class PermissionDenied(PermissionError):
    """Raised when a user lacks a permission."""


@dataclass(frozen=True)
class User:
    """A signed-in person: login name, role, display name and (for practitioners) their injector name."""

    username: str
    role: str
    display_name: str
    injector_name: str | None = None

    def can(self, permission: str) -> bool:
        """Return True when this user's role holds the permission."""
        return self.role in PERMISSIONS[permission]


def require(user: User | None, permission: str) -> User:
    """Return the user when allowed; raise PermissionDenied otherwise (also for no user)."""
    if user is None:
        raise PermissionDenied("sign in first")
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if not user.can(permission):
        raise PermissionDenied(f"{user.role} may not {permission}")
    return user


def require_signed_in(user: User | None) -> User:
    """Return the user when someone is signed in (any role); raise PermissionDenied for no user."""
    if user is None:
        raise PermissionDenied("sign in first")
    return user


def read_scope(user: User) -> dict[str, object]:
    """The bound parameters ($see_all, $username, $injector) that restrict a query to what this user may see.

    Managers see everything; a practitioner sees the treatments they logged or injected (their injector name)
    and the cases on them or that they reported."""
    return {"see_all": user.can("case.view_all"), "username": user.username, "injector": user.injector_name}


def system_user(username: str, role: str = "admin") -> User:
    """A non-person actor (a command-line command, a background task) acting in one role of the role table.

    The username is what the audit trail and export manifests record (e.g. cli:<operating-system user>); the role
    is the least one that holds what the command does (exports, signals and trends need the manager role)."""
    if role not in ROLES:
        raise KeyError(f"unknown role {role!r}")
    return User(username=username, role=role, display_name="InjectWatch (command line)")


SYSTEM = system_user("system")
