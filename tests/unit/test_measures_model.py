"""Measures: YAML/CSV import and export round trip, errors naming file/record/field, the sustainability check,
and who may report progress (role x measure table)."""

from __future__ import annotations

import pytest

from cockpit import PROJECT_ROOT
from cockpit.measures import MeasureFileError, can_report, dump_measures, load_measures
from cockpit.measures.model import Measure
from cockpit.roles import Role, Viewer

DEMO = PROJECT_ROOT / "data" / "measures.yaml"


def measure(**extra) -> Measure:
    data = {"id": "m", "name": {"de": "M", "en": "M"}, "description": {"de": "d", "en": "d"},
            "field": "climate-energy", "department": "umweltamt"}
    return Measure.model_validate({**data, **extra})


def test_demo_measures_are_complete_and_labelled_as_demo(catalog):
    measures = load_measures(DEMO, catalog)
    assert 5 <= len(measures) <= 6
    for m in measures:
        assert m.demo, m.id
        assert m.check_complete, f"{m.id}: the demo shows complete sustainability checks"
        assert all(c.justification.de and c.justification.en for c in m.check.values())
        assert m.links, m.id


def exported_and_read_back(measures: list[Measure], path, catalog) -> list[Measure]:
    """`measures` written to `path` (its suffix picks YAML or CSV) as the export does, then read as an import."""
    path.write_text(dump_measures(measures, path), encoding="utf-8")
    return load_measures(path, catalog)


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_export_then_import_gives_the_same_measures(catalog, tmp_path, suffix):
    measures = load_measures(DEMO, catalog)
    path = tmp_path / f"measures{suffix}"
    again = exported_and_read_back(measures, path, catalog)
    assert again == measures
    assert exported_and_read_back(again, path, catalog) == measures


def test_open_sustainability_check():
    m = measure(check={"ecological": {"assessment": "positive", "justification": {"de": "a", "en": "a"}}})
    assert not m.check_complete


@pytest.mark.parametrize(("text", "expected"), [
    ("measures:\n  - {id: a, name: {de: A, en: A}, description: {de: d, en: d}, field: climate-energy,"
     " department: umweltamt, status: done}\n",
     r"bad.yaml, record 1 \(id 'a'\), field 'status'"),
    ("measures:\n  - {id: a, name: {de: A}, description: {de: d, en: d}, field: climate-energy,"
     " department: umweltamt}\n",
     r"bad.yaml, record 1 \(id 'a'\), field 'name.en'"),
    ("measures:\n  - {id: a, name: {de: A, en: A}, description: {de: d, en: d}, field: climate-energy,"
     " department: umweltamt, links: [{goal: x, indicator: y, direction: increase}]}\n",
     r"record 1 \(id 'a'\), field 'links.0'.*exactly one"),
    ("measures:\n  - {id: a, name: {de: A, en: A}, description: {de: d, en: d}, field: climate-energy,"
     " department: umweltamt, links: [{goal: no-such-goal, direction: increase}]}\n",
     r"record 1 \(id 'a'\), field 'links.0.goal': unknown goal 'no-such-goal'"),
    ("measures:\n  - {id: a, name: {de: A, en: A}, description: {de: d, en: d}, field: climate-energy,"
     " department: bauamt}\n",
     r"record 1 \(id 'a'\), field 'department': unknown department 'bauamt'"),
    ("measures: [{id: a, name: {de: A, en: A}, description: {de: d, en: d}, field: climate-energy,"
     " department: umweltamt, start: 2026-05-01, end: 2026-01-01}]\n", r"record 1 \(id 'a'\).*before 'start'"),
    ("measures:\n  - nonsense\n", r"bad.yaml, record 1: a record must be a mapping"),
    ("measures: [", r"bad.yaml: not valid YAML"),
])
def test_bad_yaml_names_file_record_and_field(catalog, tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MeasureFileError, match=expected):
        load_measures(path, catalog)


def test_bad_csv_names_the_line_and_field(catalog, tmp_path):
    measures = load_measures(DEMO, catalog)
    path = tmp_path / "m.csv"
    lines = dump_measures(measures, path).splitlines()
    assert ",in_progress," in lines[1]
    lines[1] = lines[1].replace(",in_progress,", ",ongoing,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(MeasureFileError, match=r"m.csv, record 2 \(id 'smart-waste-collection'\), field 'status'"):
        load_measures(path, catalog)
    path.write_text("id,name_de\nx,X\n", encoding="utf-8")
    with pytest.raises(MeasureFileError, match="missing columns: name_en, field, department"):
        load_measures(path, catalog)


def test_duplicate_ids_and_unknown_format(catalog, tmp_path):
    path = tmp_path / "dup.yaml"
    one = ("  - {id: a, name: {de: A, en: A}, description: {de: d, en: d}, field: climate-energy,"
           " department: umweltamt}\n")
    path.write_text("measures:\n" + one + one, encoding="utf-8")
    with pytest.raises(MeasureFileError, match=r"record 2 \(id 'a'\), field 'id': id 'a' is used twice"):
        load_measures(path, catalog)
    with pytest.raises(MeasureFileError, match="unknown format"):
        load_measures(tmp_path / "m.json", catalog, text="{}")


OWN = measure(department="umweltamt")
OTHER = measure(department="verkehr")
INTERNAL = measure(department="umweltamt", visibility="internal")


@pytest.mark.parametrize(("viewer", "expected"), [
    # viewer                                          own dept, other dept, internal of own dept
    (Viewer(Role.PUBLIC), (False, False, False)),
    (Viewer(Role.PUBLIC, department="umweltamt"), (False, False, False)),  # a department alone is no login
    (Viewer(Role.INTERNAL), (False, False, False)),  # staff without a department
    (Viewer(Role.INTERNAL, "anna", "umweltamt"), (True, False, True)),
    (Viewer(Role.INTERNAL, "bert", "verkehr"), (False, True, False)),
    (Viewer(Role.INTERNAL, "carl", ""), (False, False, False)),
    (Viewer(Role.ADMIN), (True, True, True)),
    (Viewer(Role.ADMIN, "dora", "verkehr"), (True, True, True)),
])
def test_who_may_report_progress(viewer, expected):
    assert tuple(can_report(viewer, m) for m in (OWN, OTHER, INTERNAL)) == expected
