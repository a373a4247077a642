"""PostgreSQL: observations partitioned by UTC calendar year (cockpit/store/partitions.py, docs/partitioning.md).

A new store gets the partitioned table in the migration's transaction. An existing store is converted online and
resumably (`partitions.convert`): the rows are copied in committed batches with a progress marker while writers go
on, and a short locked transaction swaps the tables at the end; a migration killed on the way continues where it
stopped when it runs again. SQLite keeps its plain table.

Revision ID: 0015_partition_observations
Revises: 0014_effect_history
Create Date: 2026-12-06
"""

from alembic import op

from cockpit.store import partitions

revision = "0015_partition_observations"
down_revision = "0014_effect_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or partitions.is_partitioned(bind):
        return
    if partitions.locked_here(bind):  # created (a new store) or altered by an earlier migration of this run
        partitions.convert_here(bind)
        return
    # an existing store: converted on connections of its own, batch by batch, while this transaction (holding the
    # migration lock, no lock on observations) waits; a kill leaves 0014 stamped and the progress kept
    partitions.convert(bind.engine)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and partitions.is_partitioned(bind):
        raise NotImplementedError("observations stay partitioned on PostgreSQL (restore a backup to go back)")
    # SQLite (and a PostgreSQL store the upgrade left as it was): nothing was changed, nothing to undo
