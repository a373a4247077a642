"""Viewer roles and what each may see."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PUBLIC = "public"  # anonymous visitors
    INTERNAL = "internal"  # staff: public + internal indicators
    ADMIN = "admin"  # staff + administration (accounts, wall tokens, measures)


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the role, and (for staff accounts) the login name and department.

    Every store read accepts a Viewer wherever it accepts a Role."""

    role: Role = Role.PUBLIC
    user: str | None = None
    department: str | None = None


PUBLIC_VIEWER = Viewer()


def role_of(who: Viewer | Role | str | None) -> Role | str | None:
    return who.role if isinstance(who, Viewer) else who


def visible_levels(role: Viewer | Role | str | None) -> tuple[str, ...]:
    """The indicator visibilities a viewer with `role` may read; anything but INTERNAL gets the public view."""
    if role_of(role) in (Role.INTERNAL, Role.ADMIN):
        return (Visibility.PUBLIC.value, Visibility.INTERNAL.value)
    return (Visibility.PUBLIC.value,)
