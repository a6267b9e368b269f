"""Practice: daily quiz schedules, the per-day claims that make a post happen once, review cards.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

Written by hand to match bot/core/storage/models.py; the migrations test compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_schedules",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("post_time", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("role_id", sa.BigInteger(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_daily_schedules")),
    )
    op.create_table(
        "daily_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_claims")),
        sa.UniqueConstraint("guild_id", "local_date", name=op.f("uq_daily_claims_guild_id_local_date")),
        sa.CheckConstraint("status IN ('claimed', 'posted', 'failed')", name=op.f("ck_daily_claims_status")),
        sa.ForeignKeyConstraint(["post_id"], ["quiz_posts.id"], name=op.f("fk_daily_claims_post_id_quiz_posts"),
                                ondelete="SET NULL"),
    )
    op.create_table(
        "review_cards",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("question_id", sa.String(length=32), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", "question_id", name=op.f("pk_review_cards")),
    )
    op.create_index("ix_review_cards_guild_id_user_id_due_at", "review_cards", ["guild_id", "user_id", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_review_cards_guild_id_user_id_due_at", table_name="review_cards")
    op.drop_table("review_cards")
    op.drop_table("daily_claims")
    op.drop_table("daily_schedules")
