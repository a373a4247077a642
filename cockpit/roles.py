"""Viewer roles and what each may see.

Levels are what the store's SQL filter understands (`cockpit.store.observations._visible`):
`public`, `internal`, `department` (every department-visible indicator: admins) and `department:<id>`
(department-visible indicators whose `owner` is <id>: staff of that department).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PUBLIC = "public"  # anonymous visitors
    INTERNAL = "internal"  # staff: public + internal indicators (+ department ones of their own department)
    ADMIN = "admin"  # staff + administration (accounts, wall tokens, measures); sees every indicator


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    DEPARTMENT = "department"  # staff of the indicator's `owner` department and admins only


DEPARTMENT_PREFIX = "department:"


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the role, and (for staff accounts) the login name and department.

    Every store read accepts a Viewer wherever it accepts a Role."""

    role: Role = Role.PUBLIC
    user: str | None = None
    department: str | None = None


PUBLIC_VIEWER = Viewer()


def is_staff(who: Viewer | Role | str | None) -> bool:
    """Logged-in staff: INTERNAL or ADMIN (what /status and the staff links of the measures pages need)."""
    return role_of(who) in (Role.INTERNAL, Role.ADMIN)


def role_of(who: Viewer | Role | str | None) -> Role | str | None:
    return who.role if isinstance(who, Viewer) else who


def visible_levels(role: Viewer | Role | str | None) -> tuple[str, ...]:
    """The indicator visibilities a viewer may read; anything unknown gets the public view.

    A bare Role.INTERNAL (no department) sees public and internal indicators; a staff Viewer with a department
    also sees that department's department-visible indicators; ADMIN sees everything."""
    who = role_of(role)
    if who == Role.ADMIN:
        return (Visibility.PUBLIC.value, Visibility.INTERNAL.value, Visibility.DEPARTMENT.value)
    if who == Role.INTERNAL:
        levels = (Visibility.PUBLIC.value, Visibility.INTERNAL.value)
        department = role.department if isinstance(role, Viewer) else None
        if department:
            levels += (DEPARTMENT_PREFIX + department,)
        return levels
    return (Visibility.PUBLIC.value,)


def may_see(levels: tuple[str, ...], visibility: str, owner: str | None) -> bool:
    """The same rule as the store's SQL filter, for catalog entries (which indicators a page lists)."""
    if visibility in levels:
        return True
    return visibility == Visibility.DEPARTMENT.value and owner is not None and DEPARTMENT_PREFIX + owner in levels
