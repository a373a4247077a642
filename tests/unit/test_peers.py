"""Peer comparison: the SDG-Portal page format (parser against fixtures incl. malformed variants: every point
is either a row or a reject with its reason, nothing lost), the mapping to the cockpit's indicators, median and
range of the municipality type, the chosen peers, the API, and "Gera im Vergleich" on the indicator and goals
pages (public indicators only, demo data labelled)."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest

from cockpit.sources.base import PayloadError
from cockpit.sources.sdg_portal import parse_page
from cockpit.views.peers import compare, load
from tests.unit.opendata_support import seeded_cockpit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "third_party" / "sdg-portal"
PEERS = Path(__file__).parents[2] / "data" / "peers" / "peers.yaml"


def points_in(text: str) -> int:
    """All [year, value] pairs of the municipality's own series in a page (what must be accounted for)."""
    total = 0
    for block in re.findall(r'<script class="chart__data" type="application/json">(.*?)</script>', text, re.S):
        try:
            graphs = json.loads(block)["graphs"]
        except json.JSONDecodeError:
            total += 1  # an unreadable block is one reject
            continue
        total += sum(len(g["points"]) for g in graphs if g and not g["config"].get("isAvg"))
    return total


def test_the_page_format_reads_every_point_of_the_municipality():
    text = (FIXTURES / "gera.html").read_text(encoding="utf-8")
    rows, rejects = parse_page(text, "gera.html")
    assert rejects == [] and len(rows) == points_in(text) == 7
    charge = [r for r in rows if r.indicator == "Öffentliche Ladeinfrastruktur"]
    assert [(r.sdg, r.year, r.value, r.unit) for r in charge] == [(7, 2017, 0.11, "Anzahl je 1.000 EW"),
                                                                 (7, 2023, 1.53, "Anzahl je 1.000 EW")]


def test_malformed_variants_are_quarantined_with_reasons_and_no_row_is_lost():
    text = (FIXTURES / "gera-malformed.html").read_text(encoding="utf-8")
    rows, rejects = parse_page(text, "gera-malformed.html")
    reasons = [r.reason for r in rejects]
    assert [(r.indicator, r.year) for r in rows] == [("Erneuerbare Energien – Anlagenleistung", 2023),
                                                     ("Öffentliche Ladeinfrastruktur", 2017)]
    assert any("no value for 2015" in r for r in reasons)
    assert any("year 'zwanzig'" in r for r in reasons)
    assert any("'1,53'" in r and "Öffentliche Ladeinfrastruktur" in r for r in reasons)
    assert any("tooltip__text" in r and "card 2" in r for r in reasons)
    assert any("chart__data' is not JSON" in r and "Haushaltsabfälle" in r for r in reasons)
    assert all(r.reason.startswith("gera-malformed.html, card ") for r in rejects)
    # nothing lost: the 8 points of the page (Gera's 7 and an injected one) are 2 rows, 3 rejected points, and
    # 2 rejected items (the nameless PKW item with 1 point, the unreadable waste block with 2)
    assert len(rows) == 2 and len(rejects) == 5
    good = (FIXTURES / "gera.html").read_text(encoding="utf-8")
    assert len(rows) + 3 + 1 + 2 == points_in(good) + 1


def test_a_page_without_cards_is_a_payload_error_naming_the_file():
    with pytest.raises(PayloadError, match="not-a-portal-page.html: no indicator cards"):
        parse_page((FIXTURES / "not-a-portal-page.html").read_text(encoding="utf-8"), "not-a-portal-page.html")


def test_the_shipped_peer_data_maps_to_the_cockpits_indicators():
    data = load(PEERS)
    assert data.problems == []
    gera = data.municipalities["gera"]
    assert not gera.demo and all(m.demo for k, m in data.municipalities.items() if k != "gera")
    assert gera.values["household-waste-per-inhabitant"][2022] == pytest.approx(400.0)  # t -> kg
    assert gera.values["charge-points-per-1000"][2023] == 1.53


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return seeded_cockpit(tmp_path_factory.mktemp("peers"), api_rate_limit=0)


def test_comparison_median_range_and_peers(cockpit):
    found = compare(cockpit, "public", "charge-points-per-1000", "de")
    data = load(PEERS)
    city = data.municipalities["gera"]
    group = [m.values["charge-points-per-1000"][2023] for k, m in data.municipalities.items()
             if k != "gera" and m.type == city.type]
    assert found.year == 2023 and found.city_value == 1.53
    assert found.type_count == len(group) == 5
    assert found.type_median == pytest.approx(statistics.median(group))
    assert (found.type_min, found.type_max) == (min(group), max(group))
    assert set(found.peers) == {"Jena", "Erfurt", "Zwickau"} and found.demo
    assert found.heading == "Gera im Vergleich" and "SDG-Portal" in found.source_text
    assert found.rows[0].text == "1,53 je 1.000 Einw."
    assert compare(cockpit, "public", "recycling-rate", "de") is None  # no matching portal indicator


def test_the_api_gives_the_comparison_with_source_and_demo_flag(cockpit):
    from layouts.app import create_app

    client = create_app(cockpit).server.test_client()
    body = client.get("/api/v1/indicators/household-waste-per-inhabitant/peers").get_json()
    assert body["year"] == 2022 and body["city"] == pytest.approx(400.0) and body["demo"] is True
    assert body["municipality_type"]["count"] == 5 and body["source"]["url"] == "https://sdg-portal.de/de/"
    assert client.get("/api/v1/indicators/municipal-buildings-electricity/peers").status_code == 404
    assert client.get("/api/v1/indicators/recycling-rate/peers").status_code == 404
    assert client.get("/api/v1/indicators/bev-share/peers?year=1").status_code == 400


def render(client, pathname: str, search: str) -> str:
    """A page as the browser gets it: the Dash Pages routing callback."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_indicator_and_goals_pages_show_gera_im_vergleich(cockpit):
    from layouts.app import create_app

    client = create_app(cockpit).server.test_client()
    page = render(client, "/indicator/charge-points-per-1000", "?lang=de")
    assert "Gera im Vergleich" in page and "Jena" in page and "Demodaten" in page
    goals = render(client, "/goals", "?lang=en")
    assert "Gera compared" in goals and "Median of municipalities" in goals


def test_check_peers_quarantines_what_cannot_be_used(tmp_path, monkeypatch, capsys):
    """The command records a run of source 'sdg-portal' with every unusable point in the quarantine."""
    import shutil

    from cockpit.commands import check_peers
    from cockpit.config import load_settings
    from cockpit.runtime import open_cockpit

    folder = tmp_path / "peers"
    shutil.copytree(PEERS.parent, folder)
    shutil.copy(FIXTURES / "gera-malformed.html", folder / "sdg-portal" / "gera.html")
    database = f"sqlite:///{tmp_path / 'cockpit.db'}"
    monkeypatch.setenv("COCKPIT_DATABASE_URL", database)
    monkeypatch.setenv("COCKPIT_PEERS", str(folder / "peers.yaml"))
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    assert check_peers.run(None) == 0
    assert "5 quarantined" in capsys.readouterr().out
    cockpit = open_cockpit(load_settings(database_url=database, load_demo=False))
    quarantine = cockpit.store.quarantine("sdg-portal")
    assert len(quarantine) == 5 and quarantine["reason"].str.startswith("gera.html (Gera), card").all()
    assert cockpit.store.runs("sdg-portal")["status"].iloc[0] == "partial"
