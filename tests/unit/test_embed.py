"""Public embeds with Flask's test client: what they show (public, embeddable only; demo label, attribution,
legal links), appearance options, clear 400s, framing only by the configured origins, caching without cookies,
the origin setting's validation, and forged requests to every embed and API route (counted)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import urlencode

import pytest

from cockpit.config import ConfigError, load_settings
from cockpit.views import embed as embed_views
from tests.unit.opendata_support import (
    INTERNAL,
    INTERNAL_GOAL,
    NOT_EMBEDDABLE,
    ORIGIN,
    app_fixtures,
    login,
    seeded_cockpit,
)
from tests.unit.test_app import router_request, text


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return seeded_cockpit(tmp_path_factory.mktemp("embed"))


app, client = app_fixtures()


def page(response, status: int = 200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_tile_embed_shows_the_tile_with_demo_label_attribution_and_legal_links(client):
    html = page(client.get("/embed/tile/recycling-rate"))
    assert '<html lang="de"' in html
    assert re.findall(r"<h1[^>]*>([^<]+)</h1>", html) == ["Recyclingquote der Siedlungsabfälle"]
    # the headline is the value the goal is judged on (with its year); the running year is a provisional line
    assert 'class="tile__label">Jahresmittel 2025</span>' in html
    assert 'class="tile__running">2026 bisher (bis Oktober, vorläufig): 57,3\u00a0%</p>' in html
    assert re.search(r'class="status__text">[^<]+</span>', html)  # status as a word, not colour alone
    assert "Demodaten" in html  # the recycling rate comes from a synthetic source (waste-balance)
    assert ('Quelle: Stadt Gera, Abfallwirtschaft · Lizenz: <a href="https://www.govdata.de/dl-de/by-2-0" '
            'target="_blank" rel="noopener license">Datenlizenz Deutschland') in html
    assert 'href="http://localhost/?lang=de#tile-recycling-rate" target="_blank" rel="noopener"' in html
    assert 'href="https://www.gera.de/impressum"' in html and 'href="https://www.gera.de/datenschutz"' in html
    assert 'href="http://localhost/barrierefreiheit?lang=de"' in html
    assert 'href="mailto:smartcity@gera.de?subject=' in html
    assert "<nav" not in html.split("<footer")[0]  # no navigation, no login link
    assert "Anmelden" not in html and "/login" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/embed/frame.js" defer>']
    assert " style=" not in html  # the CSP forbids style attributes


def test_embed_in_english_and_with_appearance_options(client):
    html = page(client.get("/embed/goal/recycling-rate-eu?lang=en&theme=dark&title=0&border=0"))
    assert '<html lang="en" class="embed-doc embed-doc--dark embed-doc--bare"' in html  # border=0: no background
    assert "Recycling rate: 55% by 2025, 60% by 2030, 65% by 2035" in html and "Target 2035" in html
    assert 'class="goal__name embed__sr"' in html  # the heading stays for screen readers
    assert re.findall(r"<h1[^>]*>([^<]+)</h1>", html) == ["Recycling rate: 55% by 2025, 60% by 2030, 65% by 2035"]
    goals = page(client.get("/embed/goals?title=0"))
    assert 'class="embed__title embed__sr"' in goals
    assert "embed--border" not in html
    bordered = page(client.get("/embed/goal/recycling-rate-eu"))
    assert "embed--border" in bordered and "embed-doc--light" in bordered and "embed-doc--bare" not in bordered


def test_reason_text_is_shown_when_the_view_has_one(client, monkeypatch):
    from layouts.blueprints import embed as blueprint

    original = blueprint.build_goals

    def with_reason(*args, **kwargs):
        view = original(*args, **kwargs)
        goals = {g.id: g for g in view.goals}
        target = replace(goals["recycling-rate-eu"], reason_text="Liegt 3 Prozentpunkte unter dem Zielpfad.")
        visions = tuple(replace(v, fields=tuple(replace(f, goals=tuple(target if g.id == target.id else g
                                                                       for g in f.goals)) for f in v.fields))
                        for v in view.visions)
        return replace(view, visions=visions)

    monkeypatch.setattr(blueprint, "build_goals", with_reason)
    html = page(client.get("/embed/goal/recycling-rate-eu?lang=de&title=1"))
    assert '<p class="embed__reason">Liegt 3 Prozentpunkte unter dem Zielpfad.</p>' in html


def test_domain_and_goal_tree_embeds_leave_out_internal_and_opted_out_indicators(client, cockpit):
    energy = page(client.get("/embed/domain/energy"))
    assert 'id="tile-co2-per-inhabitant"' in energy
    assert f'id="tile-{NOT_EMBEDDABLE}"' not in energy
    assert "municipal-buildings-electricity" not in energy
    goals = page(client.get("/embed/goals?lang=en"))
    assert 'id="goal-recycling-rate-eu"' in goals and INTERNAL_GOAL not in goals
    assert "Goals of the city of Gera" in goals


@pytest.mark.parametrize("path", [f"/embed/tile/{NOT_EMBEDDABLE}", "/embed/tile/no-such-indicator",
                                  "/embed/goal/no-such-goal", "/embed/domain/space", "/embed/something/else"])
def test_unknown_or_opted_out_is_404(client, path):
    html = page(client.get(path), 404)
    assert "Nicht verfügbar" in html and 'lang="de"' in html


@pytest.mark.parametrize(("query", "parameter"), [
    ("theme=blue", "theme"), ("title=yes", "title"), ("border=2", "border"), ("lang=fr", "lang"),
    ("theme=light&theme=dark", "theme"), ("title=%0a", "title"),
])
def test_malformed_appearance_parameters_are_a_400_naming_them(client, query, parameter):
    html = page(client.get(f"/embed/tile/recycling-rate?{query}"), 400)
    assert f"parameter &#39;{parameter}&#39;" in html or f"parameter '{parameter}'" in html


def test_only_embed_routes_may_be_framed_by_the_configured_origins(client):
    embed = client.get("/embed/tile/recycling-rate")
    assert f"frame-ancestors 'self' {ORIGIN}" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    for path in ("/", "/goals", "/login", "/api/v1/indicators"):
        response = client.get(path)
        assert "frame-ancestors 'self';" in response.headers["Content-Security-Policy"] + ";", path
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path


def test_without_configured_origins_embeds_are_same_origin_only(tmp_path):
    from layouts.app import create_server

    client = create_server(seeded_cockpit(tmp_path, embed_origins=[])).test_client()
    response = client.get("/embed/tile/recycling-rate")
    assert response.status_code == 200
    assert "frame-ancestors 'self';" in response.headers["Content-Security-Policy"] + ";"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert 'data-embed-origins="[]"' in response.get_data(as_text=True)


def test_embeds_are_cacheable_and_set_no_cookie_even_for_staff(client):
    anonymous = client.get("/embed/domain/energy")
    assert anonymous.headers["Cache-Control"] == "public, max-age=60"
    assert anonymous.headers["ETag"].startswith('W/"') and anonymous.headers["Last-Modified"]
    assert "Set-Cookie" not in anonymous.headers
    again = client.get("/embed/domain/energy", headers={"If-None-Match": anonymous.headers["ETag"]})
    assert again.status_code == 304
    login(client)
    assert "municipal-buildings-electricity" in router_request(client, "/").get_data(as_text=True)
    staff = client.get("/embed/domain/energy")
    assert staff.get_data() == anonymous.get_data()
    assert "Set-Cookie" not in staff.headers and "Cookie" not in staff.headers.get("Vary", "")
    assert staff.headers["Cache-Control"] == "public, max-age=60"


def test_host_script_and_frame_script(client):
    host = client.get("/embed.js")
    assert host.status_code == 200 and host.mimetype == "text/javascript"
    source = host.get_data(as_text=True)
    assert "cockpit-embed:height" in source
    assert not re.search(r"fetch\(|XMLHttpRequest|document\.cookie|localStorage", source)
    frame = client.get("/embed/frame.js")
    assert frame.status_code == 200 and "postMessage" in frame.get_data(as_text=True)
    assert client.get("/embed.js", headers={"If-None-Match": host.headers["ETag"]}).status_code == 304


def test_snippet_escapes_and_loads_the_resize_script():
    options = embed_views.EmbedOptions(lang="en", theme="dark", title=False)
    text = embed_views.snippet("https://cockpit.gera.de/", "tile", "recycling-rate", options, 'A "quoted" <name>')
    assert text.startswith('<iframe src="https://cockpit.gera.de/embed/tile/recycling-rate?lang=en&amp;theme=dark'
                           '&amp;title=0" title="A &quot;quoted&quot; &lt;name&gt;" loading="lazy"')
    assert 'style="width:100%;height:420px;border:0"' in text
    assert text.endswith('<script src="https://cockpit.gera.de/embed.js" async></script>')
    assert embed_views.embed_path("goals", None, embed_views.EmbedOptions(lang="de")) == "/embed/goals?lang=de"


# ------------------------------------------------------------------------------------------------ settings


@pytest.mark.parametrize("value", [
    '["*"]', "*", '["https://www.gera.de/klimaschutz"]', '["https://www.gera.de;"]', "https://a.de; https://b.de",
    '["https://www.gera.de "]', "https://www.gera.de\n", '["https://a.de\\nhttps://b.de"]', '["http://www.gera.de"]',
    '["ftp://www.gera.de"]', '["https://www.gera.de?x=1"]', '["https://*.gera.de"]', "[1]", "[not json",
])
def test_bad_embed_origins_stop_the_start_naming_the_setting(monkeypatch, value):
    monkeypatch.setenv("COCKPIT_EMBED_ORIGINS", value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "COCKPIT_EMBED_ORIGINS" in str(err.value)


@pytest.mark.parametrize(("value", "expected"), [
    ('["https://www.gera.de", "https://Stadt.Gera.de:8443/"]', ["https://www.gera.de", "https://stadt.gera.de:8443"]),
    ("https://www.gera.de,http://localhost:8000", ["https://www.gera.de", "http://localhost:8000"]),
    ('["http://127.0.0.1:5000"]', ["http://127.0.0.1:5000"]),
    ("", []),
])
def test_good_embed_origins(monkeypatch, value, expected):
    monkeypatch.setenv("COCKPIT_EMBED_ORIGINS", value)
    assert load_settings().embed_origins == expected


@pytest.mark.parametrize(("name", "value"), [
    ("COCKPIT_IMPRINT_URL", "javascript:alert(1)"), ("COCKPIT_PRIVACY_URL", "https://a.de/x y"),
    ("COCKPIT_FEEDBACK_EMAIL", "not an address"), ("COCKPIT_FEEDBACK_EMAIL", "a@b.de?cc=x@y.de"),
    ("COCKPIT_PUBLIC_URL", "//evil.example"), ("COCKPIT_API_RATE_LIMIT", "-1"),
    ("COCKPIT_OPENDATA_LICENCE", "dl-de/by-2-0"),
])
def test_bad_legal_and_open_data_settings_are_named(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert name in str(err.value)


# ------------------------------------------------------------------------------------------------ forged requests

RESOLUTIONS = ("raw", "day", "month", "year")


def forged_requests() -> list[tuple[str, tuple[int, ...]]]:
    """(path, allowed statuses) for every embed and API route, naming internal indicators or goals."""
    requests = []
    for indicator in (*INTERNAL, INTERNAL[0].upper(), f"{INTERNAL[0]}%20", f"..%2F{INTERNAL[0]}"):
        requests.append((f"/embed/tile/{indicator}", (404,)))
        requests.append((f"/api/v1/indicators/{indicator}", (404,)))
        for resolution in RESOLUTIONS:
            for fmt in ("json", "csv"):
                requests.append((f"/api/v1/indicators/{indicator}/observations?resolution={resolution}&format={fmt}",
                                 (404,)))
    requests.append((f"/embed/goal/{INTERNAL_GOAL}", (404,)))
    for domain in ("energy", "mobility", "waste"):
        requests.append((f"/embed/domain/{domain}", (200, 404)))
    requests += [("/embed/goals", (200,)), ("/api/v1/indicators", (200,)), ("/api/v1/goals", (200,)),
                 ("/api/v1/dcat.jsonld", (200,)), ("/api/v1/openapi.json", (200,)),
                 ("/api/v1/indicators?per_page=1&page=2", (200,))]
    return requests


VARIANTS = {
    "anonymous": ({}, {}),
    "role parameter": ({"role": "internal", "viewer": "internal", "internal": "1"}, {}),
    "role headers": ({}, {"X-Role": "internal", "X-Forwarded-User": "admin", "Authorization": "Bearer x"}),
    "forged cookie": ({}, {"Cookie": "cockpit_session=eyJyb2xlIjoiaW50ZXJuYWwifQ.forged.sig"}),
}


def internal_markers(cockpit) -> list[str]:
    markers = [INTERNAL_GOAL, "Gebäudestrom senken", "Cut building electricity"]
    for indicator_id in INTERNAL:
        indicator = cockpit.catalog.indicator(indicator_id)
        markers += [indicator_id, indicator.name.de, indicator.name.en]
    return markers


def test_forged_requests_to_every_embed_and_api_route_return_nothing_internal(app, cockpit):
    markers = internal_markers(cockpit)
    staff = app.server.test_client()
    login(staff)
    clients = {name: app.server.test_client() for name in VARIANTS}
    counted = 0
    for path, allowed in forged_requests():
        for name, (query, headers) in [*VARIANTS.items(), ("staff session", ({}, {}))]:
            client = staff if name == "staff session" else clients[name]
            url = path + (("&" if "?" in path else "?") + urlencode(query) if query else "")
            response = client.get(url, headers=headers)
            body = response.get_data(as_text=True)
            assert response.status_code in (*allowed, 400), (name, path, response.status_code)
            if response.status_code == 400:
                assert query, (name, path)  # only an unknown API parameter is refused
            leaked = [m for m in markers if m in body or m in json.dumps(body)]
            assert not leaked, (name, path, leaked)
            assert "Set-Cookie" not in response.headers, (name, path)
            counted += 1
    assert counted == len(forged_requests()) * (len(VARIANTS) + 1)
    assert counted >= 300, counted
    print(f"{counted} forged requests to embed and API routes, none returned internal data")


# ------------------------------------------------------------------------------------------------ builder page


def test_builder_page_offers_the_tile_its_domain_its_goal_and_all_goals(client):
    body = text(router_request(client, "/einbetten", "?tile=recycling-rate&lang=de"))
    values = re.findall(r'"value":\s*"((?:tile|domain|goal|goals):[^"]*)"', body)
    # the subject and what belongs to it first, then every other embeddable subject: every kind is offered
    assert values[:4] == ["tile:recycling-rate", "domain:waste", "goal:recycling-rate-eu", "goals:"]
    assert len(values) == len(set(values)) and {v.split(":")[0] for v in values} == {"tile", "domain", "goal", "goals"}
    assert "tile:co2-per-inhabitant" in values and "goal:co2-halve-2030" in values
    assert "/embed/tile/recycling-rate?lang=de" in body and "/embed.js" in body


@pytest.mark.parametrize("query", [f"?tile={INTERNAL[0]}", f"?goal={INTERNAL_GOAL}", f"?tile={NOT_EMBEDDABLE}",
                                   "?domain=space"])
def test_builder_page_never_offers_internal_or_opted_out_subjects(client, query):
    body = text(router_request(client, "/einbetten", query + "&lang=de"))
    values = re.findall(r'"value":\s*"((?:tile|domain|goal|goals):[^"]*)"', body)
    assert values[0] == "goals:"  # the named subject is not offered; everything public that can be embedded is
    assert f"tile:{INTERNAL[0]}" not in values and f"goal:{INTERNAL_GOAL}" not in values
    assert f"tile:{NOT_EMBEDDABLE}" not in values and "domain:space" not in values
    assert INTERNAL[0] not in body and INTERNAL_GOAL not in body
    assert "kann nicht eingebettet werden" in body


def test_accessibility_statement_and_legal_links_on_pages(client):
    body = text(router_request(client, "/barrierefreiheit", "?lang=de"))
    assert "Erklärung zur Barrierefreiheit" in body and "smartcity@gera.de" in body
    overview = text(router_request(client, "/", "?lang=en"))
    for label in ("Imprint", "Privacy", "Accessibility", "Feedback"):
        assert f'"children": "{label}"' in overview or f'"children":"{label}"' in overview, label
