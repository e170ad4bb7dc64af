"""insight: visitor feedback and the daily aggregates that outlive retention

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:36:18.196499
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("service_key", sa.String(length=32), nullable=False),
        sa.Column("desk_key", sa.String(length=32), nullable=False),
        sa.Column("errands", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.Column("transferred", sa.Integer(), nullable=False),
        sa.Column("served_waits_s", sa.JSON(), nullable=False),
        sa.Column("other_waits_s", sa.JSON(), nullable=False),
        sa.Column("service_times_s", sa.JSON(), nullable=False),
        sa.Column("arrivals_by_hour", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_stats")),
        sa.UniqueConstraint("business_day", "service_key", "desk_key", name="uq_daily_stats_cell"),
    )
    with op.batch_alter_table("daily_stats", schema=None) as batch_op:
        batch_op.create_index("ix_daily_stats_business_day", ["business_day"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("service_key", sa.String(length=32), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_feedback_rating_range")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_feedback_ticket_id_tickets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_feedback_ticket_id")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_day", ["business_day", "service_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_day")

    op.drop_table("feedback")
    with op.batch_alter_table("daily_stats", schema=None) as batch_op:
        batch_op.drop_index("ix_daily_stats_business_day")

    op.drop_table("daily_stats")
