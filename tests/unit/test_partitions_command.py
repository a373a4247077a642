"""`run.py partitions status|convert|ensure` (issue 24, item 3): a city's IT converts an existing store to the
partitioned table outside the upgrade window - in slices, on a store still at revision 0014, while writes go on -
and the upgrade's migration then only records its revision; status shows the progress and the partitions; ensure
does the scheduled job's work by hand. SQLite says it has nothing to convert."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import text

from cockpit.cli import main
from cockpit.store import Store, migrate
from tests.unit.test_partitions import OTHER, placement, quarter_hours, stored_rows, write


@pytest.fixture
def env(monkeypatch):
    def use(url: str) -> None:
        monkeypatch.setenv("COCKPIT_DATABASE_URL", url)
        monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    return use


@pytest.mark.postgres
def test_convert_in_slices_outside_the_upgrade_then_the_migration_finds_it_done(postgres_url, catalog, env,
                                                                                 capsys):
    store = Store.from_url(postgres_url)
    migrate.upgrade(store.engine, "0014_effect_history")  # the previous version's store
    store.sync_catalog(catalog)
    write(store, quarter_hours("2022-12-31T22:00:00Z", 16))
    write(store, quarter_hours("2023-12-31T23:00:00Z", 12, indicator=OTHER))
    env(postgres_url)

    assert main(["partitions", "status"]) == 0
    out = capsys.readouterr().out
    assert "revision 0014_effect_history" in out and "observations: not partitioned" in out
    assert "conversion: not started" in out

    assert main(["partitions", "convert", "--batch-rows", "10", "--batches", "2"]) == 3  # stopped, resumable
    out = capsys.readouterr().out
    assert "copied ids up to 10 of 28" in out and "copied ids up to 20 of 28" in out and "stopped after 2" in out
    assert main(["partitions", "status"]) == 0
    assert "conversion: under way, ids up to 20 of 28 copied in 2 batches" in capsys.readouterr().out

    changed = quarter_hours("2022-12-31T22:00:00Z", 16)  # the previous version goes on writing meanwhile
    changed.loc[[0, 15], "value"] = [1.5, 2.5]
    write(store, changed)
    write(store, quarter_hours("2031-01-01T00:00:00Z", 2))  # a year without a partition: DEFAULT after the swap
    before = stored_rows(store.engine)

    assert main(["partitions", "convert", "--batch-rows", "10"]) == 0
    assert "converted to the partitioned table" in capsys.readouterr().out
    assert migrate.current_revision(store.engine) == "0014_effect_history"  # the command migrates nothing else
    assert stored_rows(store.engine) == before
    assert main(["partitions", "convert"]) == 0
    assert "partitioned already" in capsys.readouterr().out

    assert main(["partitions", "status"]) == 0
    out = capsys.readouterr().out
    assert "observations: partitioned by UTC year" in out and "observations_y2023: FOR VALUES FROM" in out
    assert "observations_default: 2 rows" in out

    assert main(["partitions", "ensure"]) == 0  # opens the store: the migrations run, 0015 finds it converted
    out = capsys.readouterr().out
    assert "moved 2 rows of 2031 from observations_default" in out
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    assert stored_rows(store.engine) == before
    assert all(name == f"observations_y{start.astimezone(UTC).year}" for name, start in placement(store))
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('observations_partition_progress')")).scalar() is None
    store.engine.dispose()


@pytest.mark.postgres
def test_convert_refuses_a_store_older_than_0014(postgres_url, env, capsys):
    store = Store.from_url(postgres_url)
    env(postgres_url)
    assert main(["partitions", "convert"]) == 2  # an empty database
    assert "at revision none; the conversion needs 0014_effect_history" in capsys.readouterr().err
    migrate.upgrade(store.engine, "0013_report_comments")
    assert main(["partitions", "convert"]) == 2
    assert "at revision 0013_report_comments" in capsys.readouterr().err
    with store.engine.connect() as conn:  # nothing was created
        assert conn.execute(text("SELECT to_regclass('observations_partitioned')")).scalar() is None
    store.engine.dispose()


def test_sqlite_has_nothing_to_convert(tmp_path, env, capsys):
    env(f"sqlite:///{tmp_path / 'cockpit.db'}")
    assert main(["partitions", "ensure"]) == 0
    assert "partitions created: none" in capsys.readouterr().out
    assert main(["partitions", "status"]) == 0
    assert "one plain table" in capsys.readouterr().out
    assert main(["partitions", "convert"]) == 0
    assert "nothing to convert" in capsys.readouterr().out
