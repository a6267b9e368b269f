"""Id blocks: answer ids handed out before their rows are written (bursts, issue 9).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

Each process reserves a block of ids in one short transaction and hands them out from memory, so
an answer's buttons can carry its id while the row itself is written a few milliseconds later in
a batch. The `answers` counter starts after the answers already stored.

Written by hand to match bot/core/storage/models.py; the migrations test compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "id_blocks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_id_blocks")),
    )
    op.execute("INSERT INTO id_blocks (name, next_id) SELECT 'answers', COALESCE(MAX(id), 0) + 1 FROM answers")


def downgrade() -> None:
    op.drop_table("id_blocks")
