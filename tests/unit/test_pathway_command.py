"""`run.py pathway`: the JSON shape of the issue, the table, what-if, and malformed input naming file, row, field."""

import json

import pytest

from cockpit.cli import main

BALANCE = """year,sector,carrier,mwh,grade
2019,households,gas,1000,A
2019,transport,diesel,500,D
2020,households,gas,950,A
2020,transport,diesel,480,C
2021,households,gas,900,A
2021,transport,diesel,470,B
2022,households,gas,850,A
2022,transport,diesel,460,B
2024,households,gas,800,A
"""
FACTORS = "year,carrier,t_per_mwh\n2019,gas,0.25\n2020,gas,0.24\n2021,gas,0.24\n2019,diesel,0.32\n"
MEASURES = """measures:
  - id: heat-pumps
    name: {de: Wärmepumpen, en: Heat pumps}
    description: {de: x, en: x}
    field: climate
    department: env
    status: in_progress
    cost: {one_off_eur: 100000, per_year_eur: 1000}
    effects:
      - {sector: households, reduction_t: 40, start_year: 2023, full_year: 2026}
  - id: cancelled-one
    name: {de: Weg, en: Gone}
    description: {de: x, en: x}
    field: climate
    department: env
    status: cancelled
    effects:
      - {sector: transport, reduction_t: 100, start_year: 2023, full_year: 2023}
"""
GOAL = """id: co2-total
indicator: co2-total
direction: decrease
baseline: {year: 2019, value: 410}
target: {year: 2030, value: 150}
source: test
field: climate
"""
BUDGET = "start_year: 2020\ntonnes: 2500\nsource: test budget\n"


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, text in (("balance.csv", BALANCE), ("factors.csv", FACTORS), ("measures.yaml", MEASURES),
                       ("goal.yaml", GOAL), ("budget.yaml", BUDGET)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        out[name.split(".")[0]] = tmp_path / name
    return out


def run(capsys, files, *extra, at="2024-06-01"):
    args = ["pathway", "--balance", str(files["balance"]), "--factors", str(files["factors"]),
            "--measures", str(files["measures"]), "--goal", str(files["goal"]), "--at", at, *extra]
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_shape_of_the_issue(files, capsys):
    code, out, err = run(capsys, files, "--budget", str(files["budget"]))
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["y0", "years", "observed", "by_sector", "quality", "factor_carried_forward", "bau",
                          "effects", "plan", "target", "coverage", "gap", "budget_remaining",
                          "budget_exhausted_year"]
    assert data["y0"] == 2022  # 2024 is not complete on 2024-06-01
    assert data["years"] == list(range(2019, 2031))
    assert data["observed"] == {"2019": 410.0, "2020": 381.6, "2021": 366.4, "2022": 351.2}
    assert data["by_sector"]["households"]["2022"] == pytest.approx(204.0)
    assert data["factor_carried_forward"] == [2020, 2021, 2022]  # diesel from 2019, gas 2022 from 2021
    assert data["quality"]["2019"] == pytest.approx(1000 / 1500, abs=1e-4)
    assert data["effects"]["heat-pumps"]["2023"] == 10.0 and data["effects"]["heat-pumps"]["2026"] == 40.0
    assert set(data["effects"]["cancelled-one"].values()) == {0.0}
    assert data["plan"]["2030"] == pytest.approx(data["bau"]["2030"] - 40, abs=0.11)
    assert data["target"]["2030"] == 150.0
    needed = data["bau"]["2030"] - 150
    assert data["coverage"] == pytest.approx(40 / needed, abs=1e-3)
    assert data["gap"] == pytest.approx(data["plan"]["2030"] - 150, abs=0.11)
    assert data["budget_remaining"] == pytest.approx(2500 - 381.6 - 366.4 - 351.2, abs=0.11)
    assert data["budget_exhausted_year"] == 2028  # 1099 observed + 319 + 290 + 261 + 232 + 213 + 194 > 2500


def test_what_if_switching_a_measure_off(files, capsys):
    _, on, _ = run(capsys, files)
    _, off, _ = run(capsys, files, "--off", "heat-pumps")
    on, off = json.loads(on), json.loads(off)
    assert off["plan"]["2030"] == off["bau"]["2030"] and off["coverage"] == 0
    assert off["gap"] == pytest.approx(on["gap"] + 40, abs=0.11)


def test_table_in_german_and_english(files, capsys):
    code, out, _ = run(capsys, files, "--format", "table", "--budget", str(files["budget"]))
    assert code == 0 and "Zielpfad [t]" in out and "Lücke zum Ziel" in out and "2029" in out
    _, out, _ = run(capsys, files, "--format", "table", "--lang", "en")
    assert "Coverage of the needed reduction" in out


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("balance", BALANCE.replace("2020,households,gas,950,A", "2020,households,gas,lots,A"),
     "balance.csv, row 4, field 'mwh': not a number: 'lots'"),
    ("balance", BALANCE.replace("2021,transport,diesel,470,B", "2021,shipping,diesel,470,B"),
     "balance.csv, row 7, field 'sector': unknown sector 'shipping'"),
    ("balance", BALANCE.replace("2019,households,gas,1000,A", "2019,households,gas,1000,E"),
     "balance.csv, row 2, field 'grade': grade must be A, B, C or D"),
    ("balance", BALANCE.replace("2019,transport,diesel,500,D", "2019,households,gas,500,D"),
     "balance.csv, row 3, field 'carrier': 2019/households/gas already given in row 2"),
    ("balance", "year,sector,carrier,mwh\n2019,households,gas,1\n", "balance.csv, row 1: missing column(s) grade"),
    ("factors", FACTORS.replace("2020,gas,0.24", "2020,gas,-1"), "factors.csv, row 3, field 't_per_mwh'"),
    ("factors", FACTORS.replace("2019,diesel", "19x,diesel"), "factors.csv, row 5, field 'year': not a year"),
    ("factors", "year,carrier,t_per_mwh\n2021,gas,0.2\n2021,diesel,0.3\n",
     "no emission factor for carrier 'diesel' in 2019"),
    ("goal", GOAL.replace("target: {year: 2030, value: 150}", "target: {year: 2030}"), "goal.yaml, field 'target.value'"),
    ("measures", MEASURES.replace("full_year: 2026", "full_year: 2020"),
     "measures.yaml, record 1 (id 'heat-pumps'), field 'effects.0'"),
    ("measures", MEASURES.replace("sector: households", "sector: farms"),
     "measures.yaml, record 1 (id 'heat-pumps'), field 'effects.0.sector'"),
    ("budget", "start_year: 2020\ntonnes: many\nsource: x\n", "budget.yaml, field 'tonnes'"),
    ("budget", "start_year: 2020\ntonnes: 5\n", "budget.yaml, field 'source': missing"),
])
def test_malformed_input_names_file_row_and_field(files, capsys, name, text, expected):
    files[name].write_text(text, encoding="utf-8")
    code, out, err = run(capsys, files, "--budget", str(files["budget"]))
    assert code == 2 and out == ""
    assert expected in err


def test_missing_file_and_per_inhabitant_goal_without_population(files, capsys, tmp_path):
    files["factors"] = tmp_path / "nope.csv"
    code, _, err = run(capsys, files)
    assert code == 2 and "nope.csv: cannot read" in err
    files["factors"] = tmp_path / "factors.csv"
    files["goal"].write_text(GOAL.replace("indicator: co2-total", "indicator: co2-per-inhabitant"), encoding="utf-8")
    code, _, err = run(capsys, files)
    assert code == 2 and "population" in err
    (tmp_path / "pop.csv").write_text("year,inhabitants\n2019,100\n2022,90\n", encoding="utf-8")
    files["goal"].write_text(GOAL.replace("indicator: co2-total", "indicator: co2-per-inhabitant")
                             .replace("value: 150", "value: 1.5"), encoding="utf-8")
    code, out, err = run(capsys, files, "--population", str(tmp_path / "pop.csv"))
    assert code == 0, err
    assert json.loads(out)["target"]["2030"] == pytest.approx(135.0)
