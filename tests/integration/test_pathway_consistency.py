"""The demo's CO2 figures agree everywhere: the CO2 tile, the goal page, /klimapfad, /api/v1/pathway and
`run.py pathway` on the stored inputs (one number: the balance is the CO2 indicator's source)."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
import yaml

from cockpit.cli import main
from cockpit.config import load_settings
from cockpit.i18n import format_number, format_percent
from cockpit.measures.io import dump_measures
from cockpit.reports import build_report, parse_period
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.views import build_goals, build_overview, clear_cache
from cockpit.views.pathway import build_pathway, factors_with_overrides, reference
from layouts.app import create_app


def shown(tonnes: float) -> str:
    """How a reader rounds the API's 0.1 t figure to whole tonnes (halves up), in the page's format: '3.003 t'."""
    whole = Decimal(str(abs(tonnes))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{format_number(float(whole), 0, 'de')} t"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    clear_cache()
    folder = tmp_path_factory.mktemp("consistency")
    cockpit = open_cockpit(load_settings(database_url=f"sqlite:///{folder / 'cockpit.db'}", load_demo=True))
    cockpit.demo_folder = folder / "demo"
    cockpit.load_demo_if_empty()
    return cockpit, folder


def test_tile_goal_page_pathway_api_and_command_agree(demo, capsys):
    cockpit, folder = demo
    view = build_pathway(cockpit, Role.PUBLIC, "de")
    assert not view.empty and view.demo
    y0 = view.y0
    per_inhabitant = dict(view.figures)[f"Je Einwohner {y0}"]

    tile = build_overview(cockpit, Role.PUBLIC, "de").tile("co2-per-inhabitant")
    assert tile.evaluated_year == y0 or tile.period_text.endswith(str(y0))
    assert f"{tile.value_text} t" == per_inhabitant  # the tile shows the balance's number

    goal = build_goals(cockpit, Role.PUBLIC, "de").goal("co2-halve-2030")
    assert goal.year == y0 and goal.value_text.startswith(tile.value_text)

    api = create_app(cockpit).server.test_client().get("/api/v1/pathway").get_json()
    assert api["y0"] == y0
    assert format_number(api["observed"][str(y0)], 0, "de") == dict(view.figures)[f"Emissionen {y0}"][:-2]
    assert api["gap"] == pytest.approx(view.result["gap"]) and api["coverage"] == view.result["coverage"]

    report = build_report(cockpit, parse_period("2026-H2"), "public", "de").extra_sections[0]  # the council report
    assert report.paragraphs[0] == view.sentence  # coverage and gap in the same sentence as /klimapfad
    figures = dict(next(tb for tb in report.tables if tb.id == "pathway-figures").rows)
    assert figures["Deckung durch Maßnahmen"] == format_percent(api["coverage"], 0, "de")
    gap_text = next(v for k, v in figures.items() if k.startswith(("Lücke", "Unter dem Ziel")))
    assert gap_text == shown(api["gap"])  # whole t of the API's 0.1 t, the same digits everywhere
    assert gap_text == next(v for k, v in view.figures if k.startswith(("Lücke", "Unter dem Ziel")))
    assert shown(api["gap"])[:-2] in view.sentence
    for state in ("hydrogen-buses", "charging-points-city-centre,hydrogen-buses"):  # what-if gaps: the same rule
        off = tuple(state.split(","))
        page = build_pathway(cockpit, Role.PUBLIC, "de", off=off)
        data = create_app(cockpit).server.test_client().get(f"/api/v1/pathway?off={state}").get_json()
        assert dict(page.figures)[next(k for k, _ in page.figures if k.startswith(("Lücke", "Unter dem Ziel")))] \
            == shown(data["gap"]), state

    rows, population, _ = cockpit.store.balance_inputs()
    rows.to_csv(folder / "balance.csv", index=False)
    factors_with_overrides(reference(), cockpit.store.factor_overrides()).to_csv(folder / "factors.csv", index=False)
    pd.DataFrame(sorted(population.items()), columns=["year", "inhabitants"]).to_csv(folder / "population.csv",
                                                                                      index=False)
    (folder / "measures.yaml").write_text(dump_measures(cockpit.store.measures(Role.PUBLIC), "m.yaml"), "utf-8")
    goal_def = next(g for g in cockpit.catalog.goals if g.id == "co2-halve-2030")
    (folder / "goal.yaml").write_text(yaml.safe_dump(goal_def.model_dump(mode="json", exclude_none=True)), "utf-8")
    budget = reference().budget
    (folder / "budget.yaml").write_text(yaml.safe_dump(dict(start_year=budget.start_year, tonnes=budget.tonnes,
                                                            source=budget.source)), "utf-8")
    code = main(["pathway", "--balance", str(folder / "balance.csv"), "--factors", str(folder / "factors.csv"),
                 "--measures", str(folder / "measures.yaml"), "--goal", str(folder / "goal.yaml"),
                 "--budget", str(folder / "budget.yaml"), "--population", str(folder / "population.csv"),
                 "--at", "2026-11-28"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == {k: v for k, v in api.items() if k != "meta"}
