"""The explorer's view model: URL state restored exactly, bad parameters give messages and defaults (never an
error), visibility, department view, district ranking with per-1,000 values and the city reference, the map's
geometry from a file or an OGC API Features URL, districts without data hatched and never shown as zero."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qs

import plotly.graph_objects as go
import pytest

from cockpit.catalog import load_catalog
from cockpit.i18n import format_number
from cockpit.roles import Role, Viewer
from cockpit.views.explore import (
    GeometryError,
    build_explore,
    capita_kind,
    district_features,
    filter_values,
    hatch_segments,
    load_geometry,
)
from cockpit.views.explore_state import filter_params, params_from_search, preset_range
from layouts.components.chart_base import figure_json_size
from layouts.components.chart_explore import map_figure, panel_figure, ranking_figure
from tests.unit.explorer_support import NOW, demo_cockpit, explore

SHARED = ("ind=charge-points-per-1000&district=lusan&district=stadtmitte&from=2020-01&to=now&res=month&lang=de")


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return demo_cockpit(tmp_path_factory.mktemp("explore"))


def test_a_shared_url_is_restored_exactly(cockpit):
    view = explore(cockpit, SHARED)
    assert view.query == SHARED
    assert view.problems == ()
    assert [p.indicator_id for p in view.panels] == ["charge-points-per-1000"]
    assert [t.name for t in view.panels[0].traces] == ["Stadt gesamt", "Lusan", "Stadtmitte"]
    assert view.panels[0].grain == "month"
    first = view.panels[0].traces[1].points[0]
    assert first.label == "Januar 2020"
    assert explore(cockpit, view.query).records == view.records


def test_the_filter_controls_and_the_url_are_two_forms_of_the_same_state(cockpit):
    """What the controls show (filter_values) read back through filter_params gives the same view; changing one
    control changes exactly that part of the URL."""
    view = explore(cockpit, SHARED)
    values = filter_values(view)
    assert values["ind"] == ["charge-points-per-1000"] and values["district"] == ["lusan", "stadtmitte"]

    def params(**changes):
        merged = {**values, **changes}
        return filter_params(merged["domain"], merged["department"], merged["ind"], merged["district"],
                             merged["res"], bool(merged["norm"]), merged["from"], merged["to"], "de")

    def query(**changes):
        return build_explore(cockpit, Role.PUBLIC, params(**changes), "de", now=NOW).query

    assert query() == view.query == SHARED
    assert query(district=["stadtmitte"]) == SHARED.replace("district=lusan&", "")
    assert "district=lusan&district=stadtmitte&district=langenberg" in query(
        district=["lusan", "stadtmitte", "langenberg"])
    assert "res=year" in query(res="year") and "res=" not in query(res="auto")
    assert "norm=per1000" in query(norm=["per1000"])
    assert "ind=charge-points-per-1000&ind=recycling-rate" in query(ind=["charge-points-per-1000", "recycling-rate"])
    start, end = preset_range("3y", NOW)
    assert (start, end) == ("2023-12", "")
    assert "from=2023-12" in query(**{"from": start, "to": end}) and "to=" not in query(**{"from": start, "to": end})
    assert explore(cockpit, query(norm=["per1000"])).state.per1000
    # the URL after back/forward is read the same way as a link
    assert build_explore(cockpit, Role.PUBLIC, params_from_search("?" + SHARED), "de", now=NOW).query == SHARED


@pytest.mark.parametrize("query", [
    "ind=bogus&district=atlantis&from=2020-13&to=yesterday&res=minute&norm=x&sort=up&domain=space&department=nasa",
    "from=2026-01&to=2020-01", "ind=&district=&from=&to=", "ind=" + "x" * 500, "res=hour&from=2000",
    "sort=99&ind=recycling-rate", "ind=recycling-rate,co2-per-inhabitant&district=lusan,stadtmitte",
])
def test_bad_parameters_give_messages_and_defaults_never_an_error(cockpit, query):
    view = explore(cockpit, query, lang="en")
    assert view.panels, query
    assert all(p.text for p in view.problems)
    assert view.table.headers


def test_bad_parameters_are_named_in_the_message(cockpit):
    view = explore(cockpit, "ind=bogus&district=atlantis&from=2020-13&res=minute")
    texts = " ".join(p.text for p in view.problems)
    for value in ("bogus", "atlantis", "2020-13", "minute"):
        assert value in texts


def test_a_public_url_naming_an_internal_indicator_reads_like_an_unknown_one(cockpit):
    public = explore(cockpit, "ind=municipal-buildings-electricity&ind=recycling-rate")
    unknown = explore(cockpit, "ind=no-such-thing&ind=recycling-rate")
    assert [p.indicator_id for p in public.panels] == ["recycling-rate"]
    assert public.problems[0].text.replace("municipal-buildings-electricity", "X") == \
        unknown.problems[0].text.replace("no-such-thing", "X")
    assert all(r.indicator_id == "recycling-rate" for r in public.records)
    assert not any(o.value == "municipal-buildings-electricity" for o in public.indicators)
    staff = explore(cockpit, "ind=municipal-buildings-electricity", role=Viewer(Role.INTERNAL, "anna", "verkehr"))
    assert staff.panels[0].internal and "(intern)" in staff.panels[0].name
    assert any(o.internal and "(intern)" in o.label for o in staff.indicators)


def test_department_view_puts_its_indicators_first_and_shows_them(cockpit):
    view = explore(cockpit, "department=abfallwirtschaft")
    owned = {i.id for i in cockpit.catalog.indicators if i.owner == "abfallwirtschaft" and i.visibility == "public"}
    assert {o.value for o in view.indicators[:len(owned)]} == owned
    assert {p.indicator_id for p in view.panels} <= owned and view.panels
    assert view.department_name == "Abfallwirtschaft"


def test_ranking_per_1000_and_absolute_with_the_city_as_reference(cockpit):
    view = explore(cockpit, SHARED)
    comparison = view.comparison
    catalog = cockpit.catalog
    per1000 = [v.per1000 for v in comparison.values]
    assert per1000 == sorted(per1000, reverse=True)
    population = {d.id: d.population for d in catalog.districts}
    for value in comparison.values:
        assert value.absolute == pytest.approx(value.per1000 * population[value.id] / 1000)
    assert comparison.period_text == "November 2026"
    assert comparison.city_per1000 == pytest.approx(view.panels[0].traces[0].points[-1].value)
    assert comparison.geometry_note == "Schematische Demo-Geometrie: keine echten Stadtteilgrenzen."
    assert {f["id"] for f in comparison.geometry["features"]} == {d.id for d in catalog.districts}
    assert comparison.hatches == ()  # every district has data in the demo


def test_districts_without_data_are_hatched_and_labelled_never_zero(cockpit):
    view = explore(cockpit, SHARED)
    comparison = view.comparison
    missing = replace(comparison.values[0], value=None, absolute=None, per1000=None,
                      absolute_text="keine Daten", per1000_text="keine Daten")
    feature = next(f for f in comparison.geometry["features"] if f["id"] == missing.id)
    gap = replace(comparison, values=(*comparison.values[1:], missing), hatches=tuple(hatch_segments(
        feature["geometry"])))
    figure = map_figure(gap, "de")
    with_data = next(tr for tr in figure["data"] if tr["type"] == "choropleth" and tr.get("name") != "keine Daten")
    without = next(tr for tr in figure["data"] if tr.get("name") == "keine Daten")
    assert missing.id not in with_data["locations"] and list(without["locations"]) == [missing.id]
    assert any("keine Daten" in text for tr in figure["data"] for text in (tr.get("text") or []))
    bars = ranking_figure(gap, True, "de")["data"][0]
    assert bars["y"][-1] == missing.name and bars["text"][-1] == "keine Daten"


def test_hatch_lines_stay_inside_the_polygon():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]}
    segments = hatch_segments(square, spacing=0.1)
    assert len(segments) >= 15
    for (x1, y1), (x2, y2) in segments:
        for x, y in ((x1, y1), (x2, y2)):
            assert -1e-9 <= x <= 1 + 1e-9 and -1e-9 <= y <= 1 + 1e-9
        assert x2 - x1 == pytest.approx(y2 - y1)  # diagonal


def test_geometry_from_an_ogc_api_features_url_matches_districts_by_id_or_name(httpserver, tmp_path):
    catalog = load_catalog("data/catalog.yaml")
    items = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 7, "properties": {"name": "Lusan"},
         "geometry": {"type": "Polygon", "coordinates": [[[12.1, 50.8], [12.1, 50.9], [12.2, 50.9], [12.1, 50.8]]]}},
        {"type": "Feature", "properties": {"district": "stadtmitte"},
         "geometry": {"type": "Polygon", "coordinates": [[[12, 50], [12, 51], [13, 51], [12, 50]]]}},
        {"type": "Feature", "properties": {"name": "Nirgendwo"},
         "geometry": {"type": "Polygon", "coordinates": [[[12, 50], [12, 51], [13, 51], [12, 50]]]}},
    ]}
    httpserver.expect_request("/collections/stadtteile/items").respond_with_json(items)
    data = load_geometry(httpserver.url_for("/collections/stadtteile/items") + "?f=json")
    assert [f["id"] for f in district_features(data, catalog)["features"]] == ["lusan", "stadtmitte"]
    httpserver.expect_request("/broken").respond_with_data("<html>", content_type="text/html")
    with pytest.raises(GeometryError, match="/broken"):
        load_geometry(httpserver.url_for("/broken"))
    not_geojson = tmp_path / "x.geojson"
    not_geojson.write_text(json.dumps({"type": "Feature"}), encoding="utf-8")
    with pytest.raises(GeometryError, match="x.geojson: not a GeoJSON FeatureCollection"):
        load_geometry(str(not_geojson))


def test_per_1000_normalisation_only_where_it_makes_sense(cockpit):
    catalog = cockpit.catalog
    assert capita_kind(catalog.indicator("charge-points-per-1000")) == "per1000"
    assert capita_kind(catalog.indicator("co2-per-inhabitant")) == "per_inhabitant"
    assert capita_kind(catalog.indicator("recycling-rate")) is None
    assert capita_kind(catalog.indicator("public-transport-passengers")) == "count"
    shares = explore(cockpit, "ind=recycling-rate&norm=per1000")
    assert not shares.panels[0].normalised and shares.panels[0].note
    counts = explore(cockpit, "ind=public-transport-passengers&norm=per1000&from=2025-01&to=2025-01")
    plain = explore(cockpit, "ind=public-transport-passengers&from=2025-01&to=2025-01")
    assert counts.panels[0].normalised
    # the unit's scale counts: 1,4 Mio. passengers a month are about 15.000 per 1,000 inhabitants, not 0,015
    assert counts.records[0].value == pytest.approx(plain.records[0].value * 1e6 / catalog.population * 1000)
    assert 10_000 < counts.records[0].value < 20_000
    assert counts.panels[0].unit == "Fahrgäste je 1.000 Einw."
    assert counts.table.rows[0][3] == format_number(counts.records[0].value, 0, "de")


def test_explorer_figures_stay_under_100_kb(cockpit):
    everything = "&".join(f"ind={i.id}" for i in cockpit.catalog.indicators[:6])
    view = explore(cockpit, everything + "&district=lusan&district=stadtmitte&district=langenberg",
                   role=Role.INTERNAL)
    for panel in view.panels:
        assert figure_json_size(panel_figure(panel, view.x_range, "de")) < 100_000, panel.indicator_id
        go.Figure(panel_figure(panel, view.x_range, "de"))  # a valid plotly figure (validation raises otherwise)
    shared = explore(cockpit, SHARED)
    assert figure_json_size(map_figure(shared.comparison, "de")) < 100_000
    assert figure_json_size(ranking_figure(shared.comparison, True, "de")) < 100_000


def test_the_query_string_quotes_values_so_they_read_back_unchanged():
    from cockpit.views.explore import ExploreState

    state = ExploreState(("a b", "ü/x"), ("lusan", "x&y=z"), "energy", "", "2020-01", "now", "month", True, "-3")
    query = state.query("en")
    assert "ind=a+b&ind=%C3%BC/x&district=lusan&district=x%26y%3Dz&domain=energy&from=2020-01" in query
    assert parse_qs(query) == {"ind": ["a b", "ü/x"], "district": ["lusan", "x&y=z"], "domain": ["energy"],
                               "from": ["2020-01"], "to": ["now"], "res": ["month"], "norm": ["per1000"],
                               "sort": ["-3"], "lang": ["en"]}
