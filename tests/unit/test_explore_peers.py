"""The explorer's comparison layer "Vergleich mit anderen Städten": the URL state (peer=type&peer=jena) restored
exactly, the median and range of the municipality type and the chosen peers per year from the SDG-Portal data, the
same values as records of the data table, year/source/licence/demo named, unmappable or per-1,000 charts explained,
visibility (an internal indicator named in a public URL gets no layer and no mention), and the figure (line style,
marker and legend label per series, the source line in the chart image)."""

from __future__ import annotations

import json
import statistics

import pytest

from cockpit.roles import Role, Viewer
from cockpit.views.explore import build_explore, filter_values
from cockpit.views.explore_state import filter_params
from cockpit.views.peers import load, peer_data
from layouts.components.chart_explore import panel_figure
from layouts.components.peers_figure import with_peers
from tests.unit.explorer_support import NOW, demo_cockpit, explore

QUERY = "ind=charge-points-per-1000&from=2015-01&to=now&peer=type&peer=jena&lang=de"
GERA = "16052000"


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return demo_cockpit(tmp_path_factory.mktemp("explore-peers"))


def test_the_comparison_is_part_of_the_url_state_and_restored_exactly(cockpit):
    view = explore(cockpit, QUERY)
    assert view.query == QUERY and view.problems == ()
    assert view.state.peers == ("type", "jena") and filter_values(view)["peer"] == ["type", "jena"]
    assert [o.value for o in view.peer_options] == ["type", "jena", "erfurt", "zwickau"]
    assert view.peer_options[0].label == "Median und Spanne: Kommunen vom Demografietyp 2"
    # the controls give the same state as the URL
    controls = filter_params("", "", ["charge-points-per-1000"], [], "auto", False, "2015-01", "now", "de",
                             peers=["type", "jena"])
    assert build_explore(cockpit, Role.PUBLIC, controls, "de", now=NOW).query == QUERY
    unknown = explore(cockpit, QUERY.replace("peer=jena", "peer=atlantis"))
    assert unknown.state.peers == ("type",) and ["atlantis" in p.text for p in unknown.problems] == [True]
    off = explore(cockpit, "ind=charge-points-per-1000&lang=de")
    assert off.peer_layers == {} and "peer=" not in off.query


def test_median_range_and_peers_per_year_and_the_same_values_in_the_table(cockpit):
    view = explore(cockpit, QUERY)
    layer = view.peer_layers["charge-points-per-1000"]
    median, jena = layer.traces
    data = load(cockpit.settings.peers)
    city = data.municipalities[GERA]
    for point in median.points:
        group = [m.values["charge-points-per-1000"][point.year] for m in data.municipalities.values()
                 if m.ags != GERA and m.type == city.type]
        assert (point.value, point.low, point.high, point.n) == (statistics.median(group), min(group), max(group),
                                                                 len(group))
    assert [p.year for p in median.points] == list(range(2015, 2024))
    assert median.name == "Median Demografietyp 2 (4 Kommunen)" and jena.name == "Jena (SDG-Portal)"
    assert [p.value for p in jena.points] == [data.municipalities["16053000"].values["charge-points-per-1000"][y]
                                              for y in range(2015, 2024)]
    assert "Jahreswerte 2015–2023" in layer.note and "Datenlizenz Deutschland" in layer.note
    assert "SDG-Portal" in layer.note and "Demodaten" in layer.note and view.demo
    rows = [row for row in view.table.rows if row[1] == median.name]
    assert len(rows) == 9 and rows[-1][2] == "2023"
    last = median.points[-1]
    assert rows[-1][3] == f"{last.value:.2f}".replace(".", ",") and rows[-1][5] == f"{last.low:.2f}".replace(".", ",")
    assert any(row[1] == "Jena (SDG-Portal)" for row in view.table.rows)


def test_english_labels(cockpit):
    view = explore(cockpit, QUERY.replace("lang=de", "lang=en"), lang="en")
    layer = view.peer_layers["charge-points-per-1000"]
    assert layer.traces[0].name == "Median Demografietyp 2 (4 municipalities)"
    assert "Source: SDG-Portal" in layer.note and "Demo data" in layer.note


def test_charts_without_a_comparison_say_why(cockpit):
    view = explore(cockpit, "ind=recycling-rate&ind=charge-points-per-1000&from=2015-01&peer=type&lang=de")
    assert set(view.peer_layers) == {"charge-points-per-1000"}
    assert any("kein passender Indikator im SDG-Portal" in note for note in view.peer_notes)
    recent = explore(cockpit, "ind=charge-points-per-1000&from=2025-01&peer=type&lang=de")
    assert recent.peer_layers == {} and "keine Vergleichswerte" in recent.peer_notes[0]


def test_an_internal_indicator_gets_no_layer_and_no_mention_for_the_public(cockpit):
    internal = "municipal-buildings-electricity"
    public = explore(cockpit, f"ind={internal}&peer=type&lang=de")
    assert all(internal not in layer for layer in public.peer_layers)
    shown = " ".join(public.peer_notes) + " ".join(r.indicator for r in public.records)
    name = cockpit.catalog.indicator(internal).name.de
    assert name not in shown
    staff = explore(cockpit, f"ind={internal}&peer=type&lang=de", role=Viewer(Role.INTERNAL, "anna", "verkehr"))
    assert staff.peer_layers == {} and any(name in note for note in staff.peer_notes)  # not mapped, but named


def test_the_figure_tells_the_series_apart_without_colour_and_names_source_and_licence(cockpit):
    view = explore(cockpit, QUERY)
    panel = view.panels[0]
    plain = panel_figure(panel, view.x_range, "de")
    figure = with_peers(plain, view.peer_layers[panel.indicator_id], panel.decimals, "de")
    added = figure["data"][len(plain["data"]):]
    named = [trace for trace in added if trace.get("showlegend", True)]
    assert [trace["name"] for trace in named] == ["Spanne Demografietyp 2 (Min. bis Max.)",
                                                 "Median Demografietyp 2 (4 Kommunen)",
                                                 "Jena (SDG-Portal)"]
    assert named[0]["fill"] == "tonexty" and named[0]["fillpattern"]["shape"] == "/"
    styles = [(t["line"]["dash"], t["marker"]["symbol"]) for t in named[1:]]
    assert len(set(styles)) == 2 and all(dash != "solid" for dash, _ in styles)
    source = figure["layout"]["annotations"][0]["text"]
    assert "Datenlizenz Deutschland" in source and "2015–2023" in source
    assert figure["layout"]["height"] > plain["layout"]["height"]
    assert with_peers(plain, None, 2, "de") is plain


def test_peer_data_off_means_no_control(tmp_path_factory):
    cockpit = demo_cockpit(tmp_path_factory.mktemp("explore-no-peers"), peers=None)
    assert peer_data(cockpit) is None
    view = explore(cockpit, QUERY)
    assert view.peer_options == () and view.peer_layers == {}
    assert [p.text for p in view.problems] == ["Vergleich „type“ ist unbekannt und wird ignoriert.",
                                               "Vergleich „jena“ ist unbekannt und wird ignoriert."]


def test_the_exports_hold_the_comparison_rows_with_their_source_and_licence(cockpit):
    from layouts.app import create_app

    client = create_app(cockpit).server.test_client()
    text = client.get(f"/export/explore.csv?{QUERY}").get_data(as_text=True)
    assert "Jena (SDG-Portal)" in text and "Median Demografietyp 2 (4 Kommunen)" in text
    meta = json.dumps(client.get(f"/export/explore-meta.json?{QUERY}").get_json(), ensure_ascii=False)
    assert "peer_comparison" in meta and "Datenlizenz Deutschland" in meta and "Demodaten" in meta
