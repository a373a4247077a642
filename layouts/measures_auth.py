"""Who is asking, for measures: the request's viewer, with the department configured for the shared-password
staff login (COCKPIT_SHARED_LOGIN_DEPARTMENT) until staff accounts carry their own department.

The permission itself stays `cockpit.measures.can_report`; this only says which department a login without
a user name belongs to. Accounts with a user name are never changed."""

from __future__ import annotations

from dataclasses import replace

from cockpit.roles import Role, Viewer
from layouts import auth
from layouts.context import current_cockpit


def measures_viewer() -> Viewer:
    viewer = auth.current_viewer()
    department = current_cockpit().settings.shared_login_department
    if viewer.role == Role.INTERNAL and viewer.user is None and viewer.department is None and department:
        return replace(viewer, department=department)
    return viewer


def is_staff(viewer: Viewer) -> bool:
    return viewer.role in (Role.INTERNAL, Role.ADMIN)
