"""Index snapshots: the built index's arrays per version, so start-up need not rebuild it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Written by hand to match bot/core/storage/models.py; the migrations test compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "index_snapshots",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_index_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("index_snapshots")
