"""The `evaluate` command: JSON and table output, bad lines, exit codes, the shipped catalog."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from cockpit import PROJECT_ROOT
from cockpit.catalog import load_catalog
from cockpit.cli import main
from cockpit.commands.evaluate import parse_period_start
from cockpit.kpi import target_path
from tests.unit.kpi_support import indicator as catalog_indicator

BERLIN = ZoneInfo("Europe/Berlin")


def indicator(ident, aggregation="last", rhythm="P1Y", grace="P1Y", unit="t", decimals=2):
    return catalog_indicator(ident, aggregation, rhythm, grace, unit=unit, decimals=decimals)


CATALOG = {
    "city": "Test",
    "population": 1000,
    "visions": [{"id": "green", "name": {"de": "Grüne Stadt", "en": "Green city"}}],
    "fields": [
        {
            "id": "climate",
            "name": {"de": "Klimaschutz", "en": "Climate"},
            "vision": "green",
            "dimension": "ecological",
        }
    ],
    "districts": [{"id": "lusan", "name": "Lusan"}],
    "indicators": [indicator("co2"), indicator("energy", unit="GWh", decimals=1)],
    "goals": [
        {
            "id": "co2-halve",
            "name": {"de": "CO2 halbieren", "en": "Halve CO2"},
            "indicator": "co2",
            "direction": "decrease",
            "baseline": {"year": 1990, "value": 9.8},
            "milestones": [{"year": 2020, "value": 6.5}],
            "target": {"year": 2030, "value": 4.9},
            "source": "test",
            "field": "climate",
        },
        {
            "id": "energy-down",
            "indicator": "energy",
            "direction": "decrease",
            "baseline": {"year": 2020, "value": 1300.0},
            "target": {"year": 2030, "value": 1000.0},
            "source": "test",
            "field": "climate",
        },
    ],
}

CSV = """indicator,period_start,value,district
co2,2021-01-01,6.4,
co2,2022-01-01,6.2,
co2,2023-01-01,6.1,
co2,2024-01-01,6.0,
co2,2025-01-01,5.9,
co2,2025-01-01,1.0,lusan
energy,2024-06-01T00:00:00Z,1234.5,
"""


@pytest.fixture
def files(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(CATALOG, allow_unicode=True), encoding="utf-8")
    observations = tmp_path / "obs.csv"
    observations.write_text(CSV, encoding="utf-8")
    return catalog, observations


def run(capsys, catalog, observations, *extra):
    code = main(["evaluate", "--catalog", str(catalog), "--observations", str(observations), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_json(files, capsys):
    code, out, err = run(capsys, *files, "--at", "2026-11-22")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["at"] == "2026-11-22"
    co2, energy = result["goals"]
    assert co2["goal"] == "co2-halve" and co2["indicator"] == "co2"
    # goal rules v2: slightly behind the path (position at_risk) and the trend too slow -> off_track
    assert (co2["year"], co2["value"], co2["position"], co2["status"], co2["stale"]) == (
        2025, 5.9, "at_risk", "off_track", False)
    assert co2["reason"] == "behind+late"
    assert co2["expected"] == pytest.approx(5.7)
    assert co2["progress"] == pytest.approx(0.796, abs=5e-4)
    assert co2["forecast"]["value"] == pytest.approx(5.28)
    assert co2["forecast"]["low"] < co2["forecast"]["value"] < co2["forecast"]["high"]
    assert co2["forecast"]["reached_year"] == 2034
    assert co2["forecast"]["on_course"] is False
    assert energy["year"] == 2024 and energy["value"] == 1234.5
    assert energy["expected"] == pytest.approx(1180.0)
    assert energy["position"] == energy["status"] == "off_track"  # (1234.5 - 1180) / 300 = 0.18
    assert energy["forecast"] is None  # one year only
    assert energy["stale"] is False  # judged on 2024: the 2025 value is due 1 Jan 2026 + P1Y lag = 1 Jan 2027
    assert result["tree"] == [
        {"node": "green", "level": "vision", "counts": {"off_track": 2}},
        {"node": "climate", "level": "field", "counts": {"off_track": 2}},
    ]
    code, out, _ = run(capsys, *files, "--at", "2027-01-02")
    assert json.loads(out)["goals"][1]["stale"] is True


def test_json_is_the_default_format_and_numbers_are_unrounded(files, capsys):
    code, out, _ = run(capsys, *files, "--at", "2026-11-22", "--format", "json")
    assert code == 0
    progress = json.loads(out)["goals"][0]["progress"]
    assert progress == (5.9 - 9.8) / (4.9 - 9.8)


def test_at_defaults_to_today_in_berlin(files, capsys):
    before = datetime.now(BERLIN).date()
    _, out, _ = run(capsys, *files)
    after = datetime.now(BERLIN).date()
    assert json.loads(out)["at"] in {before.isoformat(), after.isoformat()}


def test_table_german(files, capsys):
    code, out, err = run(capsys, *files, "--at", "2026-11-22", "--format", "table")
    assert (code, err) == (0, "")
    assert "22.11.2026" in out
    assert "1.234,5" in out  # German thousands and decimal separators
    assert "5,90" in out and "5,70" in out
    assert "80\u00a0%" in out
    assert "Gefährdet" in out and "Nicht auf Kurs" in out  # position and status
    assert "Lage zum Zielpfad" in out and "Begründung" in out
    assert "0,20 t über dem Zielpfad und Trend zu langsam: erst 2034 erreicht (Ziel 2030)" in out
    assert "CO2 halbieren" in out
    for word in (
        "Ziel",
        "Jahr",
        "Wert",
        "Soll",
        "Fortschritt",
        "Veraltet",
        "Handlungsfeld",
        "Vision",
        "Klimaschutz",
    ):
        assert word in out
    assert "2025" in out and "2.025" not in out  # years are not numbers


def test_table_english(files, capsys):
    code, out, _ = run(capsys, *files, "--at", "2026-11-22", "--format", "table", "--lang", "en")
    assert code == 0
    assert "22 Nov 2026" in out
    assert "1,234.5" in out
    assert "At risk" in out and "Off track" in out
    assert "0.20 t above the target path, and the trend is too slow: reached only in 2034 (target 2030)" in out
    assert "Halve CO2" in out
    for word in ("Goal", "Year", "Value", "Expected", "Progress", "Stale", "Field of action", "Climate"):
        assert word in out


def test_table_no_data_and_not_reached(tmp_path, capsys):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(CATALOG, allow_unicode=True), encoding="utf-8")
    observations = tmp_path / "obs.csv"
    observations.write_text(
        "indicator,period_start,value\nco2,2023-01-01,6\nco2,2024-01-01,7\nco2,2025-01-01,8\n"
    )
    code, out, _ = run(capsys, catalog, observations, "--at", "2026-11-22", "--format", "table")
    assert code == 0
    assert "Keine Daten" in out
    assert "nicht bis 2100" in out
    assert "Nicht auf Kurs" in out


def test_bad_lines_are_reported_and_valid_lines_evaluated(files, capsys):
    catalog, observations = files
    observations.write_text(
        "indicator,period_start,value,district\n"  # line 1
        "co2,2023-01-01,6.1,\n"  # 2
        "unknown,2024-01-01,6.0,\n"  # 3
        "co2,2024-13-01,6.0,\n"  # 4
        "co2,2024-01-01,six,\n"  # 5
        "\n"  # 6: blank, skipped
        "co2,2024-01-01,6.0,nowhere\n"  # 7
        "co2,2024-01-01\n"  # 8: value missing
        "co2,2024-01-01,6.0,,extra\n"  # 9
        "co2,2024-01-01,nan,\n"  # 10
        "co2,2025-01-01,5.9,\n",  # 11
        encoding="utf-8",
    )
    code, out, err = run(capsys, catalog, observations, "--at", "2026-11-22")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 7
    assert "line 3, field 'indicator'" in lines[0] and "unknown" in lines[0]
    assert "line 4, field 'period_start'" in lines[1] and "2024-13-01" in lines[1]
    assert "line 5, field 'value'" in lines[2] and "six" in lines[2]
    assert "line 7, field 'district'" in lines[3] and "nowhere" in lines[3]
    assert "line 8, field 'value'" in lines[4] and "missing" in lines[4]
    assert "line 9:" in lines[5]
    assert "line 10, field 'value'" in lines[6]
    assert str(observations) in lines[0]
    result = json.loads(out)  # still printed
    co2 = result["goals"][0]
    assert (co2["year"], co2["value"], co2["position"]) == (2025, 5.9, "at_risk")


def test_several_problems_on_one_line_are_all_reported(files, capsys):
    catalog, observations = files
    observations.write_text("indicator,period_start,value\nnope,yesterday,x\n", encoding="utf-8")
    code, _, err = run(capsys, catalog, observations, "--at", "2026-11-22")
    assert code == 1
    assert [line.split(", field ")[1].split(":")[0] for line in err.strip().splitlines()] == [
        "'indicator'",
        "'period_start'",
        "'value'",
    ]


def test_district_column_is_optional_and_empty_file_body_is_valid(files, capsys):
    catalog, observations = files
    observations.write_text("period_start,value,indicator\n", encoding="utf-8")
    code, out, err = run(capsys, catalog, observations, "--at", "2026-11-22")
    assert (code, err) == (0, "")
    assert {g["status"] for g in json.loads(out)["goals"]} == {"no_data"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no header"),
        ("indicator,period_start\nco2,2024-01-01\n", "missing required column"),
        ("indicator;period_start;value\nco2;2024-01-01;1\n", "missing required column"),
    ],
)
def test_unusable_file_exits_2(files, capsys, content, message):
    catalog, observations = files
    observations.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, catalog, observations, "--at", "2026-11-22")
    assert code == 2
    assert out == ""
    assert message in err


def test_missing_file_exits_2(files, capsys, tmp_path):
    catalog, _ = files
    code, out, err = run(capsys, catalog, tmp_path / "missing.csv")
    assert (code, out) == (2, "")
    assert "missing.csv" in err


def test_not_utf8_exits_2(files, capsys):
    catalog, observations = files
    observations.write_bytes(
        "indicator,period_start,value\nco2,2024-01-01,1\nä,2024-01-01,1\n".encode("latin-1")
    )
    code, _, err = run(capsys, catalog, observations)
    assert code == 2
    assert "UTF-8" in err


def test_invalid_catalog_exits_2_with_the_catalog_message(files, capsys):
    catalog, observations = files
    broken = CATALOG | {"goals": [CATALOG["goals"][0] | {"indicator": "nope"}]}
    catalog.write_text(yaml.safe_dump(broken), encoding="utf-8")
    code, out, err = run(capsys, catalog, observations)
    assert (code, out) == (2, "")
    assert "unknown indicator 'nope'" in err
    assert str(catalog) in err


def test_missing_catalog_exits_2(files, capsys, tmp_path):
    _, observations = files
    code, _, err = run(capsys, tmp_path / "nope.yaml", observations)
    assert code == 2
    assert "file not found" in err


def test_bad_at_is_a_usage_error(files, capsys):
    with pytest.raises(SystemExit) as exc:
        run(capsys, *files, "--at", "22.11.2026")
    assert exc.value.code == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-01", datetime(2024, 12, 31, 23, tzinfo=UTC)),  # date: Berlin midnight (winter)
        ("2025-07-01", datetime(2025, 6, 30, 22, tzinfo=UTC)),  # summer time
        ("2025-01-01T06:30", datetime(2025, 1, 1, 5, 30, tzinfo=UTC)),  # naive: Berlin
        ("2025-01-01 06:30:00", datetime(2025, 1, 1, 5, 30, tzinfo=UTC)),
        ("2025-01-01T06:30:00Z", datetime(2025, 1, 1, 6, 30, tzinfo=UTC)),
        ("2025-01-01T06:30:00+02:00", datetime(2025, 1, 1, 4, 30, tzinfo=UTC)),
    ],
)
def test_period_start_parsing(text, expected):
    assert parse_period_start(text) == expected


def test_date_only_new_year_counts_for_that_year(files, capsys):
    """'2025-01-01' is Berlin midnight = 2024-12-31T23:00Z and belongs to 2025, an explicit UTC 23:00 to 2024."""
    catalog, observations = files
    observations.write_text(
        "indicator,period_start,value\nenergy,2025-01-01,1100\nenergy,2025-12-31T23:00:00Z,1\n",
        encoding="utf-8",
    )
    _, out, _ = run(capsys, catalog, observations, "--at", "2026-06-01")
    energy = json.loads(out)["goals"][1]
    assert (energy["year"], energy["value"]) == (2025, 1100.0)


def test_shipped_catalog_every_goal_has_a_result(tmp_path, capsys):
    path = PROJECT_ROOT / "data" / "catalog.yaml"
    catalog = load_catalog(path)
    lines = ["indicator,period_start,value,district"]
    for goal in catalog.goals:
        for year in range(2019, 2026):
            value = target_path(goal, year) * 1.02
            lines.append(f"{goal.indicator},{year}-01-01,{value},")
            if catalog.indicator(goal.indicator).spatial == "district":
                lines.append(f"{goal.indicator},{year}-01-01,{value * 3},{catalog.districts[0].id}")
    observations = tmp_path / "obs.csv"
    observations.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, out, err = run(capsys, path, observations, "--at", "2026-02-01")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert [g["goal"] for g in result["goals"]] == [g.id for g in catalog.goals]
    for goal in result["goals"]:
        assert goal["year"] == 2025
        assert goal["status"] in {"achieved", "on_track", "at_risk", "off_track"}
        assert goal["forecast"] is not None
    levels = {(n["node"], n["level"]) for n in result["tree"]}
    assert levels == {(v.id, "vision") for v in catalog.visions} | {(f.id, "field") for f in catalog.fields}

    code, out, _ = run(capsys, path, observations, "--at", "2026-02-01", "--format", "table")
    assert code == 0
    assert all((g.name.get("de") if g.name else g.id) in out for g in catalog.goals)
