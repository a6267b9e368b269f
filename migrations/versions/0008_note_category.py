"""Note files: the front matter's `category` and whether the author withdrew the note (issue 15).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

The quiz reads a note's category as the author's class of it (distractors of a glossary entry come
from entries of its category) and asks nothing of a note marked a draft or deprecated. Notes
indexed before this revision do not have these values yet: their content hashes are cleared, so
the next start reads every note again (once) and fills them in.

Written by hand to match bot/core/storage/models.py; the migrations test compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("note_files", sa.Column("category", sa.Text(), nullable=True))
    op.add_column("note_files", sa.Column("unpublished", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE note_files SET content_hash = ''")


def downgrade() -> None:
    with op.batch_alter_table("note_files") as batch:
        batch.drop_column("unpublished")
        batch.drop_column("category")
