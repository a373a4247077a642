"""Climate pathway: balance inputs, population, factor overrides (with reason), measure effects and costs.

Revision ID: 0011_pathway
Revises: 0010_ingest
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from cockpit.store.schema import UTCDateTime

revision = "0011_pathway"
down_revision = "0010_ingest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pathway_balance",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("sector", sa.String(16), primary_key=True),
        sa.Column("carrier", sa.String(32), primary_key=True),
        sa.Column("mwh", sa.Float, nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "pathway_population",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("inhabitants", sa.Float, nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "pathway_factor_overrides",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("carrier", sa.String(32), primary_key=True),
        sa.Column("t_per_mwh", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )
    fk = dict(ondelete="CASCADE")
    op.create_table(
        "measure_effects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("measure_id", sa.String(64), sa.ForeignKey("measures.id", **fk), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("reduction_t", sa.Float, nullable=False),
        sa.Column("start_year", sa.Integer, nullable=False),
        sa.Column("full_year", sa.Integer, nullable=False),
        sa.Column("end_year", sa.Integer),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_measure_effects_measure_id", "measure_effects", ["measure_id"])
    op.create_table(
        "measure_costs",
        sa.Column("measure_id", sa.String(64), sa.ForeignKey("measures.id", **fk), primary_key=True),
        sa.Column("one_off_eur", sa.Float, nullable=False),
        sa.Column("per_year_eur", sa.Float, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_measure_effects_measure_id", table_name="measure_effects")
    for table in ("measure_costs", "measure_effects", "pathway_factor_overrides", "pathway_population",
                  "pathway_balance"):
        op.drop_table(table)
