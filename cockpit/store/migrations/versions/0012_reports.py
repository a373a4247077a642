"""Archived council reports: PDF and XLSX bytes with their SHA-256, the data version and the inputs' hash.

Revision ID: 0012_reports
Revises: 0011_pathway
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from cockpit.store.schema import UTCDateTime

revision = "0012_reports"
down_revision = "0011_pathway"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archived_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("audience", sa.String(10), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("data_version", sa.Integer, nullable=False),
        sa.Column("rules_version", sa.String(20), nullable=False),
        sa.Column("inputs_sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("xlsx", sa.LargeBinary, nullable=False),
        sa.Column("xlsx_sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_archived_reports_audience", "archived_reports", ["audience", "lang", "id"])


def downgrade() -> None:
    op.drop_index("ix_archived_reports_audience", table_name="archived_reports")
    op.drop_table("archived_reports")
