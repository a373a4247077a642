"""Indicator charts keep their promises: no toolbar button that talks to a third party, German toolbar texts on
German pages, an image download allowed by the CSP that names title, source and licence; charts open on the years
that matter with a zero-based axis, at most six legend entries, the legend saying what the headline says, a year's
position on the path in its own words (never the verdict's), names shown as typed (not read as plotly markup), and
one sentence per fact."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from cockpit import PROJECT_ROOT
from cockpit.i18n import t
from cockpit.roles import Role
from cockpit.views.indicator import build_indicator
from layouts.components.chart import LEGEND_MAX, YEARS_BACK, goal_figure, series_figure
from layouts.components.chart_base import graph_config
from tests.unit.explorer_support import NOW, demo_cockpit

STATUS_WORDS = {t(f"status.{s}", lang) for s in ("achieved", "on_track", "at_risk", "off_track") for lang in ("de", "en")}


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return demo_cockpit(tmp_path_factory.mktemp("charts"))


def build(cockpit, indicator_id, role=Role.PUBLIC, lang="de", **kwargs):
    return build_indicator(cockpit, role, indicator_id, lang, now=NOW, **kwargs)


def legend(figure: dict) -> list[str]:
    return [trace["name"] for trace in figure["data"] if trace.get("showlegend") is not False]


def test_no_toolbar_button_talks_to_a_third_party_and_german_pages_get_german_texts():
    for lang in ("de", "en"):
        config = graph_config("co2-ziel", lang)
        assert config["displaylogo"] is False and config["showSendToCloud"] is False
        assert config["showEditInChartStudio"] is False and config["plotlyServerURL"] == ""
        assert {"sendChartToCloud", "sendDataToCloud", "editInChartStudio"} <= set(config["modeBarButtonsToRemove"])
        assert config["toImageButtonOptions"]["format"] == "png"
        assert config["locale"] == lang
    script = (PROJECT_ROOT / "assets" / "plotly-locale-de.js").read_text(encoding="utf-8")
    assert '"Download plot as a PNG": "Diagramm als PNG-Bild herunterladen"' in script
    assert "http" not in script.replace("https://", "").split("*/", 1)[1]  # nothing fetched from elsewhere


def test_the_german_locale_covers_the_toolbar_texts_of_the_bundled_plotly():
    import plotly

    bundle = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    script = (PROJECT_ROOT / "assets" / "plotly-locale-de.js").read_text(encoding="utf-8")
    shown = ["Download plot as a PNG", "Zoom", "Pan", "Zoom in", "Zoom out", "Reset axes", "Autoscale",
             "Double-click to zoom back out", "Double-click on legend to isolate one trace"]
    assert [text for text in shown if f'"{text}")' not in bundle] == [], "the texts of this plotly version"
    assert [text for text in shown if f'"{text}":' not in script] == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_indicator_chart_has_at_most_six_legend_entries_and_names_title_source_and_licence(cockpit, lang):
    for indicator in cockpit.catalog.indicators:
        view = build(cockpit, indicator.id, role=Role.INTERNAL, lang=lang)
        figures = [goal_figure(view)] + ([] if view.annual_only else [series_figure(view)])
        for figure in figures:
            assert len(legend(figure)) <= LEGEND_MAX, (indicator.id, legend(figure))
            head = " ".join(a["text"] for a in figure["layout"]["annotations"][:2]).replace("<br>", " ")
            assert view.name.split()[0] in head and indicator.source.licence.split()[0] in head, head
            for variant in ("wide", "narrow"):  # both layouts of assets/charts.js carry the whole head
                meta = figure["layout"]["meta"][variant]
                assert meta["annotations[0].text"].replace("<br>", " ").startswith(view.name.split()[0])
            narrow = figure["layout"]["meta"]["narrow"]
            assert max(len(line) for line in narrow["annotations[0].text"].split("<br>")) <= 30
            assert max(len(line) for line in narrow["annotations[1].text"].split("<br>")) <= 44


def test_the_goal_chart_opens_on_the_years_that_matter_with_a_zero_based_axis_and_names_the_baseline(cockpit):
    view = build(cockpit, "co2-per-inhabitant")
    figure = goal_figure(view)
    low, high = figure["layout"]["xaxis"]["range"]
    assert low == pytest.approx(NOW.year - YEARS_BACK - 0.5) and high == pytest.approx(2030.5)
    assert figure["layout"]["yaxis"]["range"][0] == 0
    values = [p.value for p in view.annual if p.year >= low]
    assert max(values) < figure["layout"]["yaxis"]["range"][1] < 2 * max(values)
    head = figure["layout"]["annotations"][1]["text"].replace("<br>", " ")
    assert "Ausgangswert 1990: 9,80" in head  # the baseline, left of the window, named in the chart


def test_the_legend_shows_the_headline_and_positions_never_use_the_verdicts_words(cockpit):
    for lang in ("de", "en"):
        view = build(cockpit, "co2-per-inhabitant", lang=lang)
        names = legend(goal_figure(view))
        assert t("charts.legend.status", lang, status=view.status_text) in names
        positions = [p for p in view.annual if p.status not in ("running", "no_goal")]
        assert positions and not {p.status_text for p in positions} & STATUS_WORDS
        assert not set(names) - {t("charts.legend.status", lang, status=view.status_text)} & STATUS_WORDS
        table = view.annual_table or view.table
        assert table.headers[-1] == t("charts.position.header", lang)
        column = {row[-1] for row in table.rows}
        assert not column & STATUS_WORDS
    de = build(cockpit, "co2-per-inhabitant")
    behind = [p for p in de.annual if p.status in ("at_risk", "off_track")]
    assert behind and all(p.status_text in ("leicht darüber", "deutlich darüber") for p in behind)  # CO2 above path
    hovers = [h for trace in goal_figure(de)["data"] for h in trace.get("customdata", []) or []]
    assert any(f"Lage zum Zielpfad {behind[-1].year}: {behind[-1].status_text}" in h for h in hovers)


def test_measure_and_milestone_names_are_shown_as_typed_not_read_as_plotly_markup(cockpit):
    view = build(cockpit, "charge-points-per-1000")  # values by month, linked measures
    assert view.series and view.measures
    evil = '<a href="https://evil.example/">Klick</a> & <b>fett</b>'
    marks = tuple(replace(m, label=evil) for m in view.measures)
    for figure in (goal_figure(replace(view, measures=marks)),
                   series_figure(replace(view, measures=marks, name="<i>kursiv</i>"))):
        text = json.dumps(figure, ensure_ascii=False)
        assert "<a href" not in text and "<b>" not in text and "<i>" not in text
        assert "&lt;a href=\\\"https://evil.example/\\\"&gt;Klick&lt;/a&gt; &amp; &lt;b&gt;fett&lt;/b&gt;" in text


def test_one_sentence_per_fact_in_embedded_goals_and_tiles(cockpit):
    from layouts.app import create_app

    app = create_app(cockpit)
    client = app.server.test_client()
    page = client.get("/embed/goal/co2-halve-2030?lang=de").get_data(as_text=True)
    reason = re.search(r'<p class="embed__reason">([^<]+)</p>', page)
    assert reason and "erreicht (Ziel 2030)" in reason.group(1)
    assert "Beim jetzigen Tempo" not in page  # the forecast sentence said the same again
    tile = client.get("/embed/tile/co2-per-inhabitant?lang=de").get_data(as_text=True)
    assert tile.count("erreicht (Ziel 2030)") == 1
