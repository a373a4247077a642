"""`python -m bench --reuse NAME`: the first run generates the store and writes its generation record, a later
run measures the kept store without generating it again and prints the generating run's ingest figures as such
(with its time, each beside its baseline from that run). Tiny size, SQLite; no timing is asserted."""

from __future__ import annotations

import json

import pytest

from bench import generate, reuse
from bench import run as bench_run
from bench.run import bench_backend
from bench.store import ingest_figures


def _rows(figures):
    return {f.name: f for f in figures}


def test_kept_store_is_generated_once_then_reused(tmp_path, monkeypatch):
    kept = reuse.kept_store("sqlite", "tiny", tmp_path)
    assert not kept.exists and kept.url == f"sqlite:///{tmp_path / 'tiny.db'}"
    folder = tmp_path / "run1"
    folder.mkdir()
    first = _rows(bench_backend("sqlite", kept.url, kept.empty_url, 2000, folder, 1, kept=kept))
    record = json.loads(kept.record_path.read_text())
    assert record["rows"] == generate.total_rows(2000) and record["sample_rows"] > 0
    fresh = next(f for name, f in first.items() if name.startswith("bulk ingest, first"))
    assert "generating run" not in fresh.name and fresh.baseline_name == "raw executemany"

    def no_generation(*args, **kwargs):
        raise AssertionError("a kept store is not generated again")

    monkeypatch.setattr(bench_run, "generate_store", no_generation)
    again = reuse.kept_store("sqlite", "tiny", tmp_path)
    assert again.exists
    folder = tmp_path / "run2"
    folder.mkdir()
    second = _rows(bench_backend("sqlite", again.url, again.empty_url, 50_000, folder, 1, kept=again))
    when = reuse.generated_when(record)
    # the ingest beside the raw insert is measured again in this run (into an empty scratch store), not copied
    reused = next(f for name, f in second.items() if name.startswith("bulk ingest, first"))
    assert reused.name == (f"bulk ingest, first {record['sample_rows']:,} rows (validate + store + rollups; into an "
                           "empty store, this run)")
    assert reused.baseline_name == "raw executemany" and reused.value > 0 and reused.baseline > 0
    whole = next(f for name, f in second.items() if name.startswith("bulk ingest, whole store"))
    assert f"generating run of {when}" in whole.name
    assert whole.value == pytest.approx(record["rows"] / record["seconds"])
    assert second[f"store size (rows stored by the generating run of {when})"].value == record["rows"]
    assert any(name.startswith(f"9-row run at {record['rows']:,} rows") for name in second)
    assert any(name.startswith("explorer page render") for name in second)  # the pages were measured on it


def test_a_store_without_its_record_is_refused(tmp_path):
    (tmp_path / "half.db").write_bytes(b"")
    with pytest.raises(SystemExit, match="no generation record"):
        reuse.kept_store("sqlite", "half", tmp_path)
    with pytest.raises(SystemExit, match="does not exist"):
        reuse.kept_store("sqlite", "other", tmp_path, record=tmp_path / "gen.json")


def test_a_generation_script_record_is_read_as_it_is(tmp_path):
    """The JSON a generation script writes with the same keys (e.g. /work/pg100/gen.py) is a record."""
    path = tmp_path / "ingest.json"
    path.write_text(json.dumps({"size": 100_000_000, "rows": 100_057_905, "seconds": 1140.8, "copy_rows": 99_857_905,
                                "sample_rows": 200_000, "sample_seconds": 1.4, "raw_seconds": 5.2, "bytes": 2**34,
                                "generated_at": "2026-12-06T06:52:48.767144+00:00", "url": "postgresql://x/y"}))
    record = reuse.read_record(path)
    rows = _rows(ingest_figures("postgresql", record, True, 2**34))
    assert ("bulk ingest, whole store (100,057,905 rows; 99,857,905 of them by COPY + rollups, no validation; "
            "generating run of 2026-12-06 06:52 UTC)") in rows
    path.write_text(json.dumps({"rows": 5}))
    with pytest.raises(SystemExit, match="missing size"):
        reuse.read_record(path)
