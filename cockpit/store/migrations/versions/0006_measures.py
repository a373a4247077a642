"""Measures with links, milestones, sustainability check and progress reports; alert states and alert log.

Revision ID: 0006_measures
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from cockpit.store.schema import UTCDateTime

revision = "0006_measures"
down_revision = "0005_wall_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measures",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name_de", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("description_de", sa.Text, nullable=False),
        sa.Column("description_en", sa.Text, nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("contact", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("budget_eur", sa.Float),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("reporting", sa.String(32), nullable=False),
        sa.Column("demo", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_measures_department", "measures", ["department"])
    fk = dict(ondelete="CASCADE")
    op.create_table(
        "measure_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("measure_id", sa.String(64), sa.ForeignKey("measures.id", **fk), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("effect_value", sa.Float),
        sa.Column("effect_from_year", sa.Integer),
    )
    op.create_index("ix_measure_links_measure_id", "measure_links", ["measure_id"])
    op.create_table(
        "measure_milestones",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("measure_id", sa.String(64), sa.ForeignKey("measures.id", **fk), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("milestone_id", sa.String(64), nullable=False),
        sa.Column("name_de", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("reached", sa.Date),
    )
    op.create_index("ix_measure_milestones_measure_id", "measure_milestones", ["measure_id"])
    op.create_table(
        "measure_checks",
        sa.Column("measure_id", sa.String(64), sa.ForeignKey("measures.id", **fk), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("assessment", sa.String(16), nullable=False),
        sa.Column("justification_de", sa.Text, nullable=False),
        sa.Column("justification_en", sa.Text, nullable=False),
    )
    op.create_table(
        "measure_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("measure_id", sa.String(64), sa.ForeignKey("measures.id", **fk), nullable=False),
        sa.Column("reported_at", UTCDateTime, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("percent", sa.Integer),
        sa.Column("milestone_id", sa.String(64)),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_measure_reports_measure_id", "measure_reports", ["measure_id"])
    op.create_table(
        "alert_states",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("firing", sa.Boolean, nullable=False),
        sa.Column("value", sa.String(64)),
        sa.Column("baseline", sa.String(64)),
        sa.Column("changed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "alert_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("channels", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_alert_log_created_at", "alert_log", ["created_at"])


def downgrade() -> None:
    for table in ("alert_log", "alert_states", "measure_reports", "measure_checks", "measure_milestones",
                  "measure_links", "measures"):
        op.drop_table(table)
