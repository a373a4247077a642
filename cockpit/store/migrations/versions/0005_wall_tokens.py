"""Wall tokens: what a wall screen may show without a login, stored as a hash of the token.

Revision ID: 0005_wall_tokens
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from cockpit.store.schema import UTCDateTime

revision = "0005_wall_tokens"
down_revision = "0004_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wall_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("slides", sa.Text, nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
        sa.UniqueConstraint("token_hash", name="uq_wall_tokens_token_hash"),
    )


def downgrade() -> None:
    op.drop_table("wall_tokens")
