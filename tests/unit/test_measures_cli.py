"""`python run.py measures import|export FILE`: a round trip through the database in YAML and CSV."""

from __future__ import annotations

from cockpit import PROJECT_ROOT
from cockpit.cli import main
from cockpit.measures import load_measures

DEMO = PROJECT_ROOT / "data" / "measures.yaml"


def test_import_export_round_trip_through_the_database(tmp_path, monkeypatch, capsys, catalog):
    monkeypatch.setenv("COCKPIT_DATABASE_URL", f"sqlite:///{tmp_path / 'cockpit.db'}")
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    assert main(["measures", "import", str(DEMO)]) == 0
    assert "6 measures read" in capsys.readouterr().out
    csv_file, yaml_file = tmp_path / "out.csv", tmp_path / "out.yaml"
    assert main(["measures", "export", str(csv_file)]) == 0
    assert main(["measures", "import", str(csv_file)]) == 0
    assert "0 new, 6 updated" in capsys.readouterr().out
    assert main(["measures", "export", str(yaml_file)]) == 0
    def by_id(path):
        return sorted(load_measures(path, catalog), key=lambda m: m.id)

    assert by_id(yaml_file) == by_id(DEMO) == by_id(csv_file)


def test_a_bad_file_is_refused_with_file_record_and_field(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_DATABASE_URL", f"sqlite:///{tmp_path / 'cockpit.db'}")
    bad = tmp_path / "bad.yaml"
    bad.write_text("measures:\n  - {id: x, name: {de: X, en: X}, description: {de: d, en: d}, "
                   "field: climate-energy, department: umweltamt, visibility: secret}\n", encoding="utf-8")
    assert main(["measures", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml, record 1 (id 'x'), field 'visibility'" in err
    assert main(["measures", "export", str(tmp_path / "out.json")]) == 2
