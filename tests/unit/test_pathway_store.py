"""Climate pathway in the store (SQLite and PostgreSQL), its import (CSV/XLSX, template, overrides) and the demo."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from cockpit import PROJECT_ROOT
from cockpit.cli import main
from cockpit.demo.pathway import demo_inputs, load_demo_pathway, load_reference, statistics_totals
from cockpit.kpi.pathway import balance
from cockpit.kpi.pathway_io import PathwayInputError, read_balance, write_template
from cockpit.measures import load_measures
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from tests.unit.test_measures_model import exported_and_read_back

DEMO_MEASURES = PROJECT_ROOT / "data" / "measures.yaml"


def frame(rows):
    return pd.DataFrame(rows, columns=["year", "sector", "carrier", "mwh", "grade"])


def test_balance_import_replaces_the_years_it_holds(store):
    store.import_balance(frame([(2021, "households", "gas", 100.0, "A"), (2022, "households", "gas", 90.0, "B")]),
                         {2021: 1000, 2022: 990}, "Stadt X")
    store.import_balance(frame([(2022, "transport", "diesel", 50.0, "D")]), {2022: 980}, "Stadt X, 2. Lieferung")
    rows, population, sources = store.balance_inputs()
    assert rows.to_records(index=False).tolist() == [(2021, "households", "gas", 100.0, "A"),
                                                     (2022, "transport", "diesel", 50.0, "D")]
    assert population == {2021: 1000, 2022: 980}
    assert sources == ["Stadt X", "Stadt X, 2. Lieferung"]


def test_factor_override_needs_a_reason_and_is_kept_with_author(store):
    with pytest.raises(ValueError, match="reason"):
        store.set_factor_override(2022, "district_heating", 0.19, "  ", "Umweltamt")
    store.set_factor_override(2022, "district_heating", 0.19, "Stadtwerke: neues BHKW seit 2022", "Umweltamt")
    store.set_factor_override(2022, "district_heating", 0.18, "Stadtwerke-Zertifikat 2022", "Umweltamt")
    [override] = store.factor_overrides()
    assert (override["t_per_mwh"], override["reason"], override["author"]) == (0.18, "Stadtwerke-Zertifikat 2022",
                                                                               "Umweltamt")
    assert override["recorded_at"].tzinfo is not None
    assert store.delete_factor_override(2022, "district_heating") == 1 and store.factor_overrides() == []


def test_measure_effects_and_costs_round_trip_with_visibility(store, catalog):
    measures = load_measures(DEMO_MEASURES, catalog)
    store.import_measures(measures)
    stored = {m.id: m for m in store.measures(Role.ADMIN)}
    assert stored["hydrogen-buses"].effects == next(m for m in measures if m.id == "hydrogen-buses").effects
    assert stored["hydrogen-buses"].cost.one_off_eur == 9_600_000
    assert stored["smart-quarter-energy"].cost is None
    public = {m.id for m in store.measures(Role.PUBLIC)}
    assert "innovation-centre" not in public  # internal: neither it nor its effect reaches the public
    records = store.effect_records(Role.PUBLIC)
    assert "innovation-centre" not in records and records["hydrogen-buses"]["effects"][0] == "import"
    first = records["hydrogen-buses"]["effects"][1]
    store.import_measures(measures)  # unchanged effects keep author and date
    assert store.effect_records(Role.ADMIN)["hydrogen-buses"]["effects"][1] == first
    changed = measures[0].model_copy(update={"effects": [], "cost": None})
    store.import_measures([changed])
    again = store.measure(Role.ADMIN, changed.id)
    assert again.effects == [] and again.cost is None


def test_xlsx_import_names_the_sheet_row_and_field(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["year", "sector", "carrier", "mwh", "grade"])
    sheet.append([2022, "households", "gas", 1200.5, "A"])
    sheet.append([2022, "industry", "gas", "viel", "B"])
    workbook.save(tmp_path / "bilanz.xlsx")
    with pytest.raises(PathwayInputError, match=r"bilanz.xlsx, row 3, field 'mwh': not a number: 'viel'"):
        read_balance(tmp_path / "bilanz.xlsx")
    sheet.delete_rows(3)
    workbook.save(tmp_path / "bilanz.xlsx")
    assert read_balance(tmp_path / "bilanz.xlsx").to_records(index=False).tolist() == [
        (2022, "households", "gas", 1200.5, "A")]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_template_is_importable(tmp_path, suffix):
    write_template(tmp_path / f"vorlage.{suffix}")
    assert len(read_balance(tmp_path / f"vorlage.{suffix}")) == 3


def test_import_command_stores_balance_and_override(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    (tmp_path / "b.csv").write_text("year,sector,carrier,mwh,grade\n2022,households,natural_gas,100,A\n",
                                    encoding="utf-8")
    assert main(["pathway-import", "--balance", str(tmp_path / "b.csv")]) == 2
    assert "--source" in capsys.readouterr().err
    (tmp_path / "p.csv").write_text("year,inhabitants\n2022,1000\n", encoding="utf-8")
    assert main(["pathway-import", "--balance", str(tmp_path / "b.csv"), "--source", "Stadt X",
                 "--population", str(tmp_path / "p.csv")]) == 0
    assert "co2-per-inhabitant: 1 years derived" in capsys.readouterr().out
    derived = open_cockpit().store.observations(Role.PUBLIC, ["co2-per-inhabitant"])
    assert derived["value"].tolist() == [pytest.approx(100 * 0.247 / 1000)]  # 100 MWh gas x 0.247 t / 1,000 inh.
    assert main(["pathway-import", "--override", "2022", "gas", "0.2", "--author", "A"]) == 2
    assert "--reason" in capsys.readouterr().err
    assert main(["pathway-import", "--override", "2022", "gas", "0.2", "--author", "A", "--reason", "R"]) == 0
    (tmp_path / "bad.csv").write_text("year,sector,carrier,mwh,grade\n2022,household,gas,100,A\n", encoding="utf-8")
    assert main(["pathway-import", "--balance", str(tmp_path / "bad.csv"), "--source", "X"]) == 2
    assert "bad.csv, row 2, field 'sector'" in capsys.readouterr().err


# ---------------------------------------------------------------- demo

def test_reference_factors_are_versioned_plausible_and_name_their_source():
    ref = load_reference()
    assert ref.version and ref.source["name"] and ref.source["licence"] and ref.approximate
    electricity = ref.factors[ref.factors["carrier"] == "electricity"].set_index("year")["t_per_mwh"]
    assert 0.58 <= electricity[2010] <= 0.66 and 0.35 <= electricity.iloc[-1] <= 0.45
    assert ref.budget.tonnes > 0 and "SRU" in ref.budget.source


def test_demo_balance_reproduces_the_co2_statistic_for_any_day(tmp_path, catalog):
    ref = load_reference()
    for today, last in ((date(2026, 11, 28), 2024), (date(2028, 3, 1), 2025)):
        rows, population = demo_inputs(catalog, today, tmp_path, ref)
        bal = balance(rows, ref.factors, population)
        text = (tmp_path / today.isoformat() / "statistics" / "energie-co2-bilanz.csv").read_bytes().decode("cp1252")
        totals, _ = statistics_totals(text)
        assert bal.years == list(range(2010, last + 1))
        for year, total in totals.items():
            assert bal.total[year] == pytest.approx(total, abs=2)  # the balance is the CO2 indicator's number
        assert 5.0 <= bal.per_inhabitant[last] <= 7.0
        assert set(bal.by_sector) == {"households", "commerce", "industry", "municipal", "transport"}
        assert set(rows["grade"]) >= {"A", "C", "D"} and 0 < bal.quality[last] < 1
        assert bal.factor_carried_forward == list(range(2024, last + 1))  # the shipped table ends in 2023
    assert demo_inputs(catalog, date(2026, 11, 28), tmp_path, ref)[0].equals(
        demo_inputs(catalog, date(2026, 11, 28), tmp_path, ref)[0])


def test_demo_balance_is_loaded_once(store, catalog, tmp_path):
    assert load_demo_pathway(store, catalog, date(2026, 11, 28), tmp_path) > 0
    assert load_demo_pathway(store, catalog, date(2026, 11, 28), tmp_path) == 0
    rows, population, sources = store.balance_inputs()
    assert rows["year"].max() == 2024 and population[2024] > 90_000 and "Demodaten" in sources[0]


def test_run_pathway_on_the_demo_files(tmp_path, catalog, capsys):
    ref = load_reference()
    rows, population = demo_inputs(catalog, date(2026, 11, 28), tmp_path, ref)
    rows.to_csv(tmp_path / "b.csv", index=False)
    pd.DataFrame(sorted(population.items()), columns=["year", "inhabitants"]).to_csv(tmp_path / "p.csv", index=False)
    goal = next(g for g in catalog.goals if g.id == "co2-halve-2030")
    (tmp_path / "g.yaml").write_text(yaml.safe_dump(goal.model_dump(mode="json", exclude_none=True)), "utf-8")
    (tmp_path / "budget.yaml").write_text(yaml.safe_dump(dict(start_year=ref.budget.start_year,
                                                              tonnes=ref.budget.tonnes, source=ref.budget.source)),
                                          "utf-8")
    code = main(["pathway", "--balance", str(tmp_path / "b.csv"), "--factors", str(PROJECT_ROOT / "data" / "pathway"
                 / "emission-factors.csv"), "--measures", str(DEMO_MEASURES), "--goal", str(tmp_path / "g.yaml"),
                 "--budget", str(tmp_path / "budget.yaml"), "--population", str(tmp_path / "p.csv"),
                 "--at", "2026-11-28"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["y0"] == 2024 and data["years"][-1] == 2030
    assert data["coverage"] > 0  # the demo trend alone nearly reaches 4.9 t per inhabitant by 2030
    assert data["gap"] == pytest.approx(data["plan"]["2030"] - data["target"]["2030"], abs=0.2)
    assert 2026 < data["budget_exhausted_year"] < 2045


def test_a_demo_balance_follows_the_day_but_a_citys_own_balance_is_never_touched(store, catalog, tmp_path):
    load_demo_pathway(store, catalog, date(2026, 11, 28), tmp_path)
    assert load_demo_pathway(store, catalog, date(2026, 11, 28), tmp_path, refresh=True) == 0  # unchanged
    assert load_demo_pathway(store, catalog, date(2028, 3, 1), tmp_path, refresh=True) > 0
    assert store.balance_inputs()[0]["year"].max() == 2025
    store.import_balance(frame([(2025, "households", "natural_gas", 1.0, "A")]), {}, "Stadt Gera")
    assert load_demo_pathway(store, catalog, date(2029, 3, 1), tmp_path, refresh=True) == 0


@pytest.mark.parametrize("suffix", ["yaml", "csv"])
def test_effects_and_costs_survive_the_measures_export_and_import(tmp_path, catalog, suffix):
    measures = load_measures(DEMO_MEASURES, catalog)
    again = exported_and_read_back(measures, tmp_path / f"measures.{suffix}", catalog)
    assert [(m.effects, m.cost) for m in again] == [(m.effects, m.cost) for m in measures]
