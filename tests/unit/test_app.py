"""The web app with Flask's test client: languages, security headers, login, and role enforcement on the
callback endpoint (a crafted request from a public client never gets internal data)."""

from __future__ import annotations

import json
import re

import pytest

from cockpit.config import load_settings
from cockpit.runtime import open_cockpit
from cockpit.sources.base import make_frame
from cockpit.views import clear_cache
from layouts import ids
from tests.fixtures.callbacks import refresh_request as callback_request
from tests.fixtures.callbacks import router_request
from tests.fixtures.forms import login_token

PASSWORD = "correct horse battery staple"
INTERNAL_TILE = ids.tile("municipal-buildings-electricity")
PUBLIC_TILE = ids.tile("recycling-rate")


def seeded_cockpit(tmp_path, **overrides):
    clear_cache()
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'cockpit.db'}", load_demo=False, **overrides)
    cockpit = open_cockpit(settings)
    frame = make_frame([
        dict(indicator="recycling-rate", district="", period_start="2026-10-01T00:00:00+02:00", period_end=None,
             value=57.3, raw=""),
        dict(indicator="municipal-buildings-electricity", district="", period_start="2026-11-20T00:00:00+01:00",
             period_end=None, value=47.4, raw=""),
    ])
    run_id = cockpit.store.start_run("waste-balance")
    cockpit.store.write_batch("waste-balance", run_id, frame, [], len(frame))
    return cockpit


@pytest.fixture
def app(tmp_path):
    from layouts.app import create_app

    return create_app(seeded_cockpit(tmp_path, internal_password=PASSWORD, secret_key="test-secret"))


@pytest.fixture
def client(app):
    return app.server.test_client()


def login(client, password=PASSWORD, next_path: str | None = None, **kwargs):
    query = {"lang": "de"} if next_path is None else {"lang": "de", "next": next_path}
    return client.post("/login", query_string=query, data={"password": password, "csrf_token": login_token(client)},
                       **kwargs)


def text(response) -> str:
    """A callback response as readable text (Dash escapes non-ASCII characters in its JSON)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.get_json(), ensure_ascii=False)


# ------------------------------------------------------------------------------------------------ pages


def test_overview_is_german_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "<title>Übersicht – SmartCity Cockpit Gera</title>" in page
    assert "Wird geladen" in page


def test_overview_in_english(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<title>Overview – SmartCity Cockpit Gera</title>" in page
    assert '<html lang="en">' in client.get("/goals?lang=en").get_data(as_text=True)
    assert '<html lang="de">' in client.get("/goals?lang=xx").get_data(as_text=True)


def test_page_content_follows_the_language(client):
    de = text(router_request(client, "/", "?lang=de"))
    assert "Recyclingquote der Siedlungsabfälle" in de and "Übersicht" in de
    en = text(router_request(client, "/", "?lang=en"))
    assert "Municipal waste recycling rate" in en and "Overview" in en
    goals = text(router_request(client, "/goals", "?lang=en"))
    assert ids.goal("co2-halve-2030") in goals and "Goals and fields of action" in goals


def test_no_third_party_resources_in_the_index(client):
    page = client.get("/").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith("/"), url


# ------------------------------------------------------------------------------------------------ headers


# the Content-Security-Policy's directives but script-src (which carries the response's nonce)
CSP = {"default-src": "'self'", "style-src": "'self'", "style-src-attr": "'none'", "img-src": "'self' data: blob:",
       "font-src": "'self'", "object-src": "'none'", "frame-ancestors": "'self'"}


@pytest.mark.parametrize("path", ["/", "/goals", "/_dash-layout", "/_dash-dependencies", "/assets/cockpit.css",
                                  "/login"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert {name: directives.get(name) for name in CSP} == CSP
    assert re.fullmatch(r"'self' 'nonce-[\w-]+'", directives["script-src"])
    assert "unsafe-eval" not in csp


def test_inline_scripts_carry_the_nonce_of_the_response(client):
    response = client.get("/")
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
    page = response.get_data(as_text=True)
    tags = re.findall(r"<script[^>]*>", page)
    assert tags
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag
    other = re.search(r"'nonce-([\w-]+)'", client.get("/").headers["Content-Security-Policy"]).group(1)
    assert other != nonce


def test_embedding_only_for_configured_origins(tmp_path):
    from layouts.app import create_app

    app = create_app(seeded_cockpit(tmp_path, embed_origins=["https://www.gera.de"]))
    client = app.server.test_client()
    response = client.get("/embed/tile/recycling-rate")  # embed routes only (see test_embed.py)
    assert "frame-ancestors 'self' https://www.gera.de" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    page = client.get("/")
    assert page.headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"


# ------------------------------------------------------------------------------------------------ login and role


def test_public_visitors_get_no_cookie(client):
    for path in ("/", "/goals", "/_dash-layout"):
        assert "Set-Cookie" not in client.get(path).headers
    assert "Set-Cookie" not in callback_request(client, ids.OVERVIEW_CONTENT).headers


def test_login_form_in_both_languages(client):
    de = client.get("/login").get_data(as_text=True)
    assert '<html lang="de">' in de and "Passwort" in de and 'type="password"' in de
    en = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "Password" in en
    # the legal footer of every public page, also here: the accessibility statement in the page's language
    assert 'href="/barrierefreiheit?lang=de" data-legal="accessibility">Barrierefreiheit' in de
    assert 'href="/barrierefreiheit?lang=en" data-legal="accessibility">Accessibility' in en


def test_wrong_password_is_refused(client):
    response = login(client, "wrong")
    assert response.status_code == 401
    assert "Anmeldename oder Passwort ist nicht korrekt." in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert INTERNAL_TILE not in text(callback_request(client, ids.OVERVIEW_CONTENT))


def test_login_sets_a_signed_session_and_the_internal_role(client):
    response = login(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/?lang=de"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("cockpit_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert INTERNAL_TILE in text(callback_request(client, ids.OVERVIEW_CONTENT))
    page = text(router_request(client))
    assert INTERNAL_TILE in page and "Interne Ansicht" in page and "/logout" in page


def logout(client, lang: str = "de"):
    """The logout form of the page header: a POST with the session's CSRF token."""
    token = re.search(r'"value": "(\w+)", "type": "hidden", "name": "csrf_token"', text(router_request(client)))
    return client.post(f"/logout?lang={lang}", data={"csrf_token": token.group(1)})


def test_logout_returns_to_the_public_view(client):
    login(client)
    assert client.get("/logout?lang=en").status_code == 200  # a link only shows the form
    assert INTERNAL_TILE in text(callback_request(client, ids.OVERVIEW_CONTENT))
    response = logout(client, "en")
    assert response.status_code == 303 and response.headers["Location"] == "/?lang=en"
    assert INTERNAL_TILE not in text(callback_request(client, ids.OVERVIEW_CONTENT))


def test_login_redirects_only_within_the_site(client):
    assert login(client, next_path="/goals?lang=en").headers["Location"] == "/goals?lang=en"
    for target in ("//evil.example/", "https://evil.example/", "\\\\evil.example", "/\\evil.example", "/\t/evil.example"):
        client.get("/logout")
        assert login(client, next_path=target).headers["Location"] == "/?lang=de"


def test_login_from_another_origin_is_refused(client):
    assert login(client, headers={"Origin": "https://evil.example"}).status_code == 403
    assert login(client, headers={"Origin": "https://localhost"}).status_code == 303  # behind a TLS proxy


def test_kiosk_mode_hides_the_chrome(client):
    page = text(router_request(client, "/", "?lang=de&kiosk=1"))
    assert "app--kiosk" in page
    assert "site-nav" not in page and "/login" not in page
    assert "site-nav" in text(router_request(client, "/", "?lang=de"))


def test_repeated_failures_are_throttled(client):
    for _ in range(5):
        assert login(client, "wrong").status_code == 401
    assert login(client).status_code == 429


def test_crafted_callback_from_a_public_client_gets_no_internal_indicator(client):
    shown = text(callback_request(client, ids.OVERVIEW_CONTENT))
    assert PUBLIC_TILE in shown
    assert INTERNAL_TILE not in shown
    assert "Stromverbrauch kommunaler Gebäude" not in shown
    routed = text(router_request(client))
    assert PUBLIC_TILE in routed and INTERNAL_TILE not in routed


def test_logged_in_client_gets_internal_indicators(client):
    login(client)
    shown = text(callback_request(client, ids.OVERVIEW_CONTENT))
    assert PUBLIC_TILE in shown and INTERNAL_TILE in shown


def test_role_cannot_be_claimed_through_callback_values(client):
    shown = text(callback_request(client, ids.OVERVIEW_CONTENT, search="?lang=de&role=internal"))
    assert INTERNAL_TILE not in shown


def test_session_from_an_old_password_is_not_internal(tmp_path):
    from layouts.app import create_app
    from layouts.auth import accounts

    cockpit = seeded_cockpit(tmp_path, internal_password=PASSWORD, secret_key="shared-secret")
    app = create_app(cockpit)
    client = app.server.test_client()
    login(client)
    assert INTERNAL_TILE in text(callback_request(client, ids.OVERVIEW_CONTENT))
    with app.server.app_context():
        accounts().set_password("admin", "a fresh passphrase, changed today")
    assert INTERNAL_TILE not in text(callback_request(client, ids.OVERVIEW_CONTENT))


def test_without_password_login_is_disabled_and_everybody_is_public(tmp_path):
    from layouts.app import create_app

    app = create_app(seeded_cockpit(tmp_path, secret_key="test-secret"))
    client = app.server.test_client()
    assert client.get("/login").status_code == 404
    assert login(client).status_code == 404
    with client.session_transaction() as session:  # even a validly signed session claiming the role
        session["role"] = "internal"
    assert INTERNAL_TILE not in text(callback_request(client, ids.OVERVIEW_CONTENT))
    assert "/login" not in text(router_request(client))


def test_goals_refresh_callback(client):
    shown = text(callback_request(client, ids.GOALS_CONTENT, search="?lang=en"))
    assert ids.goal("recycling-rate-eu") in shown and "Target path" in shown
