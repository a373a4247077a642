"""The one SQL condition that decides which indicators a viewer may read (every read joins on it)."""

from __future__ import annotations

from sqlalchemy import and_, or_

from cockpit.roles import DEPARTMENT_PREFIX, Visibility
from cockpit.store.schema import indicators


def visible_indicators(levels: tuple[str, ...]):
    """Condition on the indicators table: the visibility is one of `levels`; a level 'department:<id>' admits
    the department-visible indicators owned by <id> (see cockpit.roles.visible_levels)."""
    plain = [level for level in levels if not level.startswith(DEPARTMENT_PREFIX)]
    owners = [level[len(DEPARTMENT_PREFIX):] for level in levels if level.startswith(DEPARTMENT_PREFIX)]
    allowed = indicators.c.visibility.in_(plain)
    if owners:
        allowed = or_(allowed, and_(indicators.c.visibility == Visibility.DEPARTMENT.value,
                                    indicators.c.owner.in_(owners)))
    return allowed


def joined_on(column, levels: tuple[str, ...]):
    """Join condition of a table's indicator id `column` with the visible indicators."""
    return and_(indicators.c.id == column, visible_indicators(levels))
