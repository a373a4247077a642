"""Peer comparison: the SDG-Portal export format (parser against a published export incl. malformed variants of it:
every value is a row, a reject with its reason or a "k.A.", nothing lost), the demo exports, the mapping to the cockpit's indicators, median and
range of the municipality type, the chosen peers, the API, and "Gera im Vergleich" on the indicator and goals
pages (public indicators only, demo data labelled)."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest
import yaml

from cockpit.demo.peers import demo_exports
from cockpit.sources.base import PayloadError
from cockpit.sources.sdg_portal import parse_export
from cockpit.views.peers import compare, load
from tests.unit.opendata_support import seeded_cockpit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "third_party" / "sdg-portal"
PEERS = Path(__file__).parents[2] / "data" / "peers" / "peers.yaml"
CHARGE = "ladesaeuleninfrastruktur_alle_STAEDTE_2020-2021.csv"


def published(name: str = CHARGE) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_the_published_export_is_read_completely():
    text = published()
    export = parse_export(text, CHARGE)
    assert export.indicator == "Ladesäuleninfrastruktur" and export.selection == "Kreisfreie Städte"
    assert export.rejects == [] and len(export.values) == 106 * 2  # 106 cities x 2 years, none without data
    gera = [(v.year, v.value, v.type, v.unit) for v in export.values if v.ags == "16052000"]
    assert gera == [(2020, 0.59, "Typ 2", "Ladepunkte je Einwohner:in"), (2021, 0.68, "Typ 2", "Ladepunkte je Einwohner:in")]
    assert [v.type for v in export.values if v.municipality == "Suhl"] == ["", ""]  # no type given: kept
    assert export.source.startswith("Quelle: Bundesnetzagentur") and "Namensnennung - Version 2.0" in export.licence
    cars = parse_export(published("elektro_pkw_alle_staedte_2020-2022.csv"), "pkw.csv")
    assert {v.year for v in cars.values} == {2020, 2021, 2022} and cars.rejects == []


def test_malformed_records_of_the_published_export_are_quarantined_and_valid_ones_kept():
    lines = published().split("\n")
    at = {line.split(";")[0]: i for i, line in enumerate(lines)}
    lines[at["Gera"]] = "Gera;16052000;160520000000;Thüringen;Typ 2;0,59"  # a missing column (2021)
    lines[at["Jena"]] = "Jena;16053000;160530000000;Thüringen;Typ 7;0,44;0,5x"  # a bad number
    lines[at["Erfurt"]] = "Erfurt;;160510000000;Thüringen;Typ 7;0,40;0,45"  # an unknown municipality (no GKZ)
    lines[at["Cottbus"]] = "Cottbus;12052000;120520000000;Brandenburg;Typ 2;k.A.;0,25"  # no data: not an error
    export = parse_export("\n".join(lines), "broken.csv")
    reasons = {re.search(r"\((\w+)\):", r.reason)[1]: r.reason for r in export.rejects}
    assert len(export.rejects) == 3
    assert re.match(r"broken\.csv, record \d+ \(Gera\): field '2021 Ladesäuleninfrastruktur \(.*\)' is missing",
                    reasons["Gera"])
    assert re.match(r"broken\.csv, record \d+ \(Jena\): field '2021 Ladesäuleninfrastruktur .*': '0,5x' is not a "
                    r"number", reasons["Jena"])
    assert re.match(r"broken\.csv, record \d+ \(Erfurt\): field 'GKZ' '' is not a municipality key", reasons["Erfurt"])
    names = {(v.municipality, v.year) for v in export.values}
    assert ("Jena", 2020) in names and ("Jena", 2021) not in names  # the good value of the record is kept
    assert not any(n in {"Gera", "Erfurt"} for n, _ in names)
    assert ("Cottbus", 2021) in names and ("Cottbus", 2020) not in names
    # nothing lost: 212 values = kept + quarantined records' values + the one bad value + the one "k.A."
    assert len(export.values) + 2 * 2 + 1 + 1 == 212


def test_an_export_without_its_header_or_key_column_is_a_payload_error_naming_the_file():
    with pytest.raises(PayloadError, match="page.html: no header line 'Kommune;GKZ;"):
        parse_export("<html><body>Wartungsarbeiten</body></html>", "page.html")
    without_key = published().replace("Kommune;GKZ;ARS;", "Kommune;ARS;", 1)
    with pytest.raises(PayloadError, match=r"nokey.csv: header line 4: column 'GKZ' is missing"):
        parse_export(without_key, "nokey.csv")


def test_the_demo_exports_are_written_in_the_published_format():
    config = yaml.safe_load(PEERS.read_text(encoding="utf-8"))
    exports = demo_exports(config)
    assert len(exports) == 4 and exports == demo_exports(config)  # same seed, same bytes
    text = exports[next(n for n in exports if n.startswith("Ladesäuleninfrastruktur"))]
    lines, real = text.split("\n"), published().split("\n")
    assert lines[3] == real[3].replace("2020", "2013")  # the header, "2013\n<indicator> (<unit>)";…
    assert lines[4].split('";"')[0] == real[4].split('";"')[0]
    assert lines[-3].startswith('"Datenlizenz Deutschland - Namensnennung - Version 2.0') and lines[-3] in real
    export = parse_export(text, "demo.csv")
    assert export.rejects == [] and "Demodaten" in export.source
    assert {v.municipality for v in export.values} >= {"Gera", "Jena", "Erfurt", "Zwickau"}


def test_the_shipped_peer_data_maps_to_the_cockpits_indicators():
    data = load(PEERS)
    assert data.problems == []
    gera = data.municipalities["16052000"]
    assert not gera.demo and all(m.demo for k, m in data.municipalities.items() if k != "16052000")
    assert gera.values["household-waste-per-inhabitant"][2022] == pytest.approx(400.0)  # t -> kg
    assert gera.values["charge-points-per-1000"][2023] == 1.53
    assert gera.type == "Demografietyp 2" and data.municipalities["16053000"].id == "jena"


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return seeded_cockpit(tmp_path_factory.mktemp("peers"), api_rate_limit=0)


def test_comparison_median_range_and_peers(cockpit):
    found = compare(cockpit, "public", "charge-points-per-1000", "de")
    data = load(PEERS)
    city = data.municipalities["16052000"]
    group = [m.values["charge-points-per-1000"][2023] for k, m in data.municipalities.items()
             if k != "16052000" and m.type == city.type]
    assert found.year == 2023 and found.city_value == 1.53
    assert found.type_count == len(group) == 4
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
    assert body["municipality_type"]["count"] == 4 and body["source"]["url"] == "https://sdg-portal.de/de/"
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
    from cockpit.commands import check_peers
    from cockpit.config import load_settings
    from cockpit.runtime import open_cockpit

    folder = tmp_path / "peers"
    folder.mkdir()
    config = yaml.safe_load(PEERS.read_text(encoding="utf-8"))
    del config["demo"]
    config["exports"] = [CHARGE]
    (folder / "peers.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    lines = published().split("\n")
    at = {line.split(";")[0]: i for i, line in enumerate(lines)}
    lines[at["Jena"]] = "Jena;16053000;160530000000;Thüringen;Typ 7;0,44;0,5x"
    lines[at["Erfurt"]] = "Erfurt;16051000;160510000000;Thüringen"
    (folder / CHARGE).write_text("\n".join(lines), encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'cockpit.db'}"
    monkeypatch.setenv("COCKPIT_DATABASE_URL", database)
    monkeypatch.setenv("COCKPIT_PEERS", str(folder / "peers.yaml"))
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    assert check_peers.run(None) == 0
    out = capsys.readouterr().out
    assert "2 quarantined" in out and "municipality 14524330 (peers.yaml): in no export" in out  # Zwickau
    cockpit = open_cockpit(load_settings(database_url=database, load_demo=False))
    quarantine = cockpit.store.quarantine("sdg-portal")
    assert len(quarantine) == 2 and quarantine["reason"].str.startswith(f"{CHARGE}, record ").all()
    assert cockpit.store.runs("sdg-portal")["status"].iloc[0] == "partial"
    (folder / CHARGE).write_text("<html></html>", encoding="utf-8")
    assert check_peers.run(None) == 1  # an export that cannot be read at all
