"""The history of measure effects and costs: every change with its new value, author and date (shown in the
measure's history). Existing effects and costs become the first entry of their measure's history.

Revision ID: 0014_effect_history
Revises: 0013_report_comments
Create Date: 2026-12-06
"""

import json

import sqlalchemy as sa
from alembic import op

from cockpit.store.schema import UTCDateTime

revision = "0014_effect_history"
down_revision = "0013_report_comments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    changes = op.create_table(
        "measure_effect_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("measure_id", sa.String(64), sa.ForeignKey("measures.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_measure_effect_changes_measure_id", "measure_effect_changes", ["measure_id"])
    conn = op.get_bind()
    effects = sa.table("measure_effects", *(sa.column(c) for c in (
        "measure_id", "position", "sector", "reduction_t", "start_year", "full_year", "end_year", "author")),
        sa.column("recorded_at", UTCDateTime))
    costs = sa.table("measure_costs", *(sa.column(c) for c in ("measure_id", "one_off_eur", "per_year_eur", "author")),
                     sa.column("recorded_at", UTCDateTime))
    grouped: dict[str, list] = {}
    for r in conn.execute(sa.select(effects).order_by(effects.c.measure_id, effects.c.position)).mappings():
        grouped.setdefault(r["measure_id"], []).append(r)
    rows = [dict(measure_id=m, kind="effects", author=found[0]["author"], recorded_at=found[0]["recorded_at"],
                 value=json.dumps([{k: r[k] for k in ("sector", "reduction_t", "start_year", "full_year", "end_year")}
                                   for r in found])) for m, found in grouped.items()]
    rows += [dict(measure_id=r["measure_id"], kind="cost", author=r["author"], recorded_at=r["recorded_at"],
                  value=json.dumps({"one_off_eur": r["one_off_eur"], "per_year_eur": r["per_year_eur"]}))
             for r in conn.execute(sa.select(costs)).mappings()]
    if rows:
        op.bulk_insert(changes, rows)


def downgrade() -> None:
    op.drop_index("ix_measure_effect_changes_measure_id", table_name="measure_effect_changes")
    op.drop_table("measure_effect_changes")
