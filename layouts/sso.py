"""Single sign-on with OpenID Connect (Authlib): /login/sso -> identity provider -> /login/sso/callback.

Configured by COCKPIT_OIDC_ISSUER (discovery at <issuer>/.well-known/openid-configuration), _CLIENT_ID,
_CLIENT_SECRET; the ID token's claims decide the role (COCKPIT_OIDC_ROLE_CLAIM, values mapped by
COCKPIT_OIDC_ROLES to staff/admin; admin wins) and the department (COCKPIT_OIDC_DEPARTMENT_CLAIM, optionally
mapped by COCKPIT_OIDC_DEPARTMENTS to catalog ids). An identity without a mapped role is refused. The state and
nonce of a login in progress live in Flask's signed cookie `cockpit_flow`, which only visitors who start a
single-sign-on login get, and which is emptied when the login ends. The authorization request carries a PKCE
challenge (S256). Every ID token that fails validation (signature, `alg`, issuer, audience, nonce, expiry, a
`sub` that is not text) is refused with 400/403 and an audit entry (`REFUSED`). The views are in `layouts.auth`.
"""

from __future__ import annotations

import flask
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from joserfc.errors import JoseError

from cockpit.config import Settings

OAUTH_KEY = "cockpit.oauth"
CLIENT = "city"
# What the token exchange and the ID token validation raise for anything the provider or a client sends wrong.
REFUSED = (AuthlibBaseError, JoseError, OSError, ValueError, KeyError, TypeError)

def init_app(server: flask.Flask) -> None:
    settings: Settings = server.config["COCKPIT"].settings
    if settings.oidc_issuer:
        oauth = OAuth(server)
        oauth.register(
            CLIENT,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
            # PKCE (RFC 7636, S256): a stolen authorization code is useless without the verifier in the flow cookie
            client_kwargs={"scope": settings.oidc_scopes, "timeout": 10, "code_challenge_method": "S256"},
        )
        server.extensions[OAUTH_KEY] = oauth


def client():
    oauth = flask.current_app.extensions.get(OAUTH_KEY)
    return getattr(oauth, CLIENT) if oauth is not None else None


def _values(claim) -> list[str]:
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list | tuple):
        return [str(v) for v in claim if isinstance(v, str | int)]
    return []


def map_claims(settings: Settings, claims: dict) -> tuple[str | None, str | None]:
    """(role, department) from the identity provider's claims; role None = no access."""
    roles = {settings.oidc_roles[v] for v in _values(claims.get(settings.oidc_role_claim)) if v in settings.oidc_roles}
    role = "admin" if "admin" in roles else ("staff" if "staff" in roles else None)
    departments = _values(claims.get(settings.oidc_department_claim))
    department = departments[0] if departments else None
    if department is not None and settings.oidc_departments:
        department = settings.oidc_departments.get(department)
    return role, department
