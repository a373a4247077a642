"""Single sign-on against a minimal OpenID Connect provider started by the test (pytest-httpserver on loopback):
discovery, authorization code flow, RS256-signed ID token with nonce, JWKS. Claims map to role and department."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from werkzeug import Request, Response

from layouts import ids
from tests.integration.test_auth import DEPARTMENT, INTERNAL, OWNER, PUBLIC, make_cockpit, router

CLIENT_ID, CLIENT_SECRET = "cockpit", "a-long-client-secret-for-tests"
ROLES = {"cockpit-staff": "staff", "cockpit-admins": "admin"}


class Provider:
    """The smallest OpenID Connect provider the code flow needs; `user` is who 'logs in' next."""

    def __init__(self, server):
        self.server = server
        self.issuer = server.url_for("/").rstrip("/")
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.codes: dict[str, dict] = {}
        self.user: dict = {}
        self.tamper = None  # (claims, header) -> ID token: a provider (or attacker) sending a bad one
        server.expect_request("/.well-known/openid-configuration").respond_with_json({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })
        server.expect_request("/jwks").respond_with_json({"keys": [self.key.as_dict(private=False)]})
        server.expect_request("/authorize").respond_with_handler(self.authorize)
        server.expect_request("/token", method="POST").respond_with_handler(self.token)

    def authorize(self, request: Request) -> Response:
        args = request.args
        assert args["client_id"] == CLIENT_ID and args["response_type"] == "code"
        if args.get("code_challenge_method") != "S256" or len(args.get("code_challenge", "")) < 43:
            return Response(json.dumps({"error": "invalid_request", "error_description": "PKCE S256 required"}),
                            400, content_type="application/json")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": args.get("nonce"), "redirect_uri": args["redirect_uri"], "user": self.user,
                            "challenge": args["code_challenge"]}
        target = args["redirect_uri"] + ("&" if "?" in args["redirect_uri"] else "?") + urlencode(
            {"code": code, "state": args["state"]})
        return Response(status=302, headers={"Location": target})

    def token(self, request: Request) -> Response:
        auth = request.authorization
        client = (auth.username, auth.password) if auth else (request.form.get("client_id"),
                                                               request.form.get("client_secret"))
        if client != (CLIENT_ID, CLIENT_SECRET):
            return Response(json.dumps({"error": "invalid_client"}), 401, content_type="application/json")
        grant = self.codes.pop(request.form.get("code"), None)
        if grant is None or request.form.get("redirect_uri") != grant["redirect_uri"]:
            return Response(json.dumps({"error": "invalid_grant"}), 400, content_type="application/json")
        verifier = request.form.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode("ascii")).digest()) != grant["challenge"]:
            return Response(json.dumps({"error": "invalid_grant", "error_description": "PKCE verifier"}), 400,
                            content_type="application/json")
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": grant["nonce"],
                  **grant["user"]}
        header = {"alg": "RS256", "kid": "test-key"}
        id_token = self.tamper(claims, header) if self.tamper else jwt.encode(header, claims, self.key)
        return Response(json.dumps({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                    "expires_in": 300, "id_token": id_token}), content_type="application/json")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@pytest.fixture
def provider(httpserver):
    return Provider(httpserver)


@pytest.fixture
def app(tmp_path, provider):
    from layouts.app import create_app

    return create_app(make_cockpit(tmp_path, oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                                   oidc_client_secret=CLIENT_SECRET, oidc_roles=ROLES,
                                   oidc_departments={"Amt für Abfallwirtschaft": OWNER}))


def sso_login(client, provider, user: dict, state_override: str | None = None):
    """The browser's part: start at /login/sso, let the provider 'log in' `user`, come back to the callback."""
    provider.user = user
    start = client.get("/login/sso?lang=de&next=/goals?lang=de")
    assert start.status_code == 302
    to_provider = start.headers["Location"]
    assert to_provider.startswith(provider.issuer + "/authorize?")
    back = requests.get(to_provider, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    query = parse_qs(callback.query)
    if state_override is not None:
        query["state"] = [state_override]
    return client.get(callback.path, query_string={k: v[0] for k, v in query.items()})


def shown(client) -> str:
    return json.dumps(router("/")(client).get_json(), ensure_ascii=False)


def test_staff_claims_give_a_staff_session_of_the_mapped_department(app, provider):
    client = app.server.test_client()
    response = sso_login(client, provider, {"sub": "u-1", "preferred_username": "anna.b", "name": "Anna B",
                                            "groups": ["everyone", "cockpit-staff"],
                                            "department": "Amt für Abfallwirtschaft"})
    assert response.status_code == 303 and response.headers["Location"] == "/goals?lang=de"
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("cockpit_session=") and "HttpOnly" in c for c in cookies)
    assert any(c.startswith("cockpit_flow=;") for c in cookies)  # the flow's state cookie is emptied
    page = shown(client)
    for indicator in (PUBLIC, INTERNAL, DEPARTMENT):
        assert ids.tile(indicator) in page
    user = app.server.extensions["cockpit.accounts"].store.user(login="anna.b")
    assert (user["role"], user["department"], user["password_hash"]) == ("staff", OWNER, None)


def test_admin_claims_give_an_admin_session(app, provider):
    client = app.server.test_client()
    sso_login(client, provider, {"sub": "u-2", "preferred_username": "root", "groups": "cockpit-admins"})
    assert ids.tile(DEPARTMENT) in shown(client)
    assert app.server.extensions["cockpit.accounts"].store.user(login="root")["role"] == "admin"


def test_staff_of_an_unmapped_department_does_not_see_department_indicators(app, provider):
    client = app.server.test_client()
    sso_login(client, provider, {"sub": "u-3", "preferred_username": "carl", "groups": ["cockpit-staff"],
                                 "department": "Bauamt"})
    page = shown(client)
    assert ids.tile(INTERNAL) in page and ids.tile(DEPARTMENT) not in page


def test_a_department_unknown_to_the_catalog_gives_staff_without_department(tmp_path, provider):
    from layouts.app import create_app

    app = create_app(make_cockpit(tmp_path, oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                                  oidc_client_secret=CLIENT_SECRET, oidc_roles=ROLES))  # no department map
    client = app.server.test_client()
    response = sso_login(client, provider, {"sub": "u-6", "preferred_username": "dora", "groups": ["cockpit-staff"],
                                            "department": "Bauamt"})
    assert response.status_code == 303
    page = shown(client)
    assert ids.tile(INTERNAL) in page and ids.tile(DEPARTMENT) not in page
    assert app.server.extensions["cockpit.accounts"].store.user(login="dora")["department"] is None


def test_an_identity_without_a_mapped_role_is_refused(app, provider):
    client = app.server.test_client()
    response = sso_login(client, provider, {"sub": "u-4", "preferred_username": "guest", "groups": ["everyone"]})
    assert response.status_code == 403
    assert not any(c.startswith("cockpit_session=") for c in response.headers.getlist("Set-Cookie"))
    assert ids.tile(INTERNAL) not in shown(client)
    actions = [e["action"] for e in app.server.extensions["cockpit.accounts"].store.audit_entries()]
    assert "login.failed" in actions


def test_a_forged_state_is_refused(app, provider):
    client = app.server.test_client()
    response = sso_login(client, provider, {"sub": "u-5", "groups": ["cockpit-admins"]}, state_override="forged")
    assert response.status_code == 400
    assert ids.tile(INTERNAL) not in shown(client)


def test_the_login_page_offers_single_sign_on(app):
    page = app.server.test_client().get("/login?lang=en").get_data(as_text=True)
    assert "/login/sso?lang=en" in page and "single sign-on" in page


def _unsigned(claims: dict, header: dict) -> str:
    return ".".join([_b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()), _b64(json.dumps(claims).encode()), ""])


def _changed(**changes):
    def tamper(provider):
        def build(claims, header):
            return jwt.encode(header, {**claims, **changes}, provider.key)
        return build
    return tamper


REFUSED_TOKENS = {
    "bad nonce": _changed(nonce="not-the-nonce-of-this-login"),
    "other issuer": _changed(iss="https://idp.evil.example"),
    "other audience": _changed(aud="another-client"),
    "expired": _changed(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
    "alg none": lambda provider: _unsigned,
    "HS256 with the client secret": lambda provider: lambda claims, header: jwt.encode(
        {"alg": "HS256"}, claims, OctKey.import_key(CLIENT_SECRET.encode()), algorithms=["HS256"]),
    "signed by another key": lambda provider: lambda claims, header: jwt.encode(
        header, claims, RSAKey.generate_key(2048, parameters={"kid": "test-key"})),
    "numeric sub": _changed(sub=12345),
    "not a JWT": lambda provider: lambda claims, header: "not.a.jwt",
}


@pytest.mark.parametrize("case", REFUSED_TOKENS, ids=str)
def test_every_refused_id_token_gets_4xx_an_audit_entry_and_no_session(app, provider, case, caplog):
    provider.tamper = REFUSED_TOKENS[case](provider)
    client = app.server.test_client()
    response = sso_login(client, provider, {"sub": "u-9", "preferred_username": "mallory",
                                            "groups": ["cockpit-admins"]})
    assert response.status_code == 400
    assert not any(c.startswith("cockpit_session=") for c in response.headers.getlist("Set-Cookie"))
    assert ids.tile(INTERNAL) not in shown(client)
    entries = app.server.extensions["cockpit.accounts"].store.audit_entries()
    assert [e["action"] for e in entries].count("login.failed") == 1
    assert "single sign-on" in entries[0]["detail"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_the_authorization_request_uses_pkce_s256(app, provider):
    client = app.server.test_client()
    start = client.get("/login/sso?lang=de")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43


@pytest.mark.parametrize("path", ["/login/sso", "/login/sso/callback?code=x&state=y"])
def test_without_single_sign_on_its_routes_answer_404_with_the_login_page(tmp_path, path):
    from layouts.app import create_app

    client = create_app(make_cockpit(tmp_path)).server.test_client()
    response = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Single sign-on is not configured." in page and 'name="password"' in page
    assert response.headers["Cache-Control"] == "no-store"
