"""Comments of the departments on a report before it is published: the review of a pending report (its content
for re-rendering, deadline, reminder point), the comments per goal and measure, the departments' submissions.

Revision ID: 0013_report_comments
Revises: 0012_reports
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from cockpit.store.schema import UTCDateTime

revision = "0013_report_comments"
down_revision = "0012_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_reviews",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("archived_reports.id"), primary_key=True),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("departments", sa.Text, nullable=False),
        sa.Column("channels", sa.Text, nullable=False),
        sa.Column("deadline", UTCDateTime, nullable=False),
        sa.Column("remind_at", UTCDateTime, nullable=True),
        sa.Column("reminded_at", UTCDateTime, nullable=True),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("published_by", sa.String(100), nullable=True),
    )
    op.create_table(
        "report_comments",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("archived_reports.id"), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("item_id", sa.String(100), primary_key=True),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "report_submissions",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("archived_reports.id"), primary_key=True),
        sa.Column("department", sa.String(100), primary_key=True),
        sa.Column("submitted_at", UTCDateTime, nullable=False),
        sa.Column("submitted_by", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_submissions")
    op.drop_table("report_comments")
    op.drop_table("report_reviews")
