"""Viewer roles and what each may see."""

from enum import StrEnum


class Role(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


def visible_levels(role: Role | str | None) -> tuple[str, ...]:
    """The indicator visibilities a viewer with `role` may read; anything but INTERNAL gets the public view."""
    if role == Role.INTERNAL:
        return (Visibility.PUBLIC.value, Visibility.INTERNAL.value)
    return (Visibility.PUBLIC.value,)
