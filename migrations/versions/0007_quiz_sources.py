"""Quiz sources: the passages the question pool has visited (issue 6, the background fill).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

The pool is filled in the background after a reindex, a small batch at a time; this table is what
makes that resumable and idempotent: a passage (by content id) is visited once, even when it gives
no question. Passages that already have generated questions count as visited.

Written by hand to match bot/core/storage/models.py; the migrations test compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quiz_sources",
        sa.Column("chunk_id", sa.String(length=32), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chunk_id", name=op.f("pk_quiz_sources")),
    )
    op.execute("INSERT INTO quiz_sources (chunk_id, visited_at) SELECT chunk_id, MIN(created_at) "
               "FROM quiz_questions WHERE kind <> 'written' AND chunk_id IS NOT NULL GROUP BY chunk_id")


def downgrade() -> None:
    op.drop_table("quiz_sources")
