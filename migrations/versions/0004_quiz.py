"""Quiz: questions from the notes, the posts that show them and members' answers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Written by hand to match bot/core/storage/models.py; the migrations test compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quiz_questions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("answer_index", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("accepted", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.Column("start_line", sa.Integer(), nullable=False),
        sa.Column("end_line", sa.Integer(), nullable=False),
        sa.Column("chunk_id", sa.String(length=32), nullable=True),
        sa.Column("quality", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_questions")),
        sa.CheckConstraint("kind IN ('cloze', 'definition', 'written')", name=op.f("ck_quiz_questions_kind")),
    )
    op.create_index("ix_quiz_questions_retired_at", "quiz_questions", ["retired_at"])
    op.create_table(
        "quiz_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_posts")),
        sa.CheckConstraint("kind IN ('quiz', 'daily')", name=op.f("ck_quiz_posts_kind")),
        sa.ForeignKeyConstraint(["question_id"], ["quiz_questions.id"],
                                name=op.f("fk_quiz_posts_question_id_quiz_questions")),
    )
    op.create_index("ix_quiz_posts_guild_id_kind", "quiz_posts", ["guild_id", "kind"])
    op.create_table(
        "quiz_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=32), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("choice_index", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("near_miss", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_answers")),
        sa.UniqueConstraint("post_id", "user_id", name=op.f("uq_quiz_answers_post_id_user_id")),
        sa.ForeignKeyConstraint(["post_id"], ["quiz_posts.id"], name=op.f("fk_quiz_answers_post_id_quiz_posts"),
                                ondelete="CASCADE"),
    )
    op.create_index("ix_quiz_answers_guild_id_user_id", "quiz_answers", ["guild_id", "user_id"])
    op.create_index("ix_quiz_answers_question_id", "quiz_answers", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_quiz_answers_question_id", table_name="quiz_answers")
    op.drop_index("ix_quiz_answers_guild_id_user_id", table_name="quiz_answers")
    op.drop_table("quiz_answers")
    op.drop_index("ix_quiz_posts_guild_id_kind", table_name="quiz_posts")
    op.drop_table("quiz_posts")
    op.drop_index("ix_quiz_questions_retired_at", table_name="quiz_questions")
    op.drop_table("quiz_questions")
