"""daily_stats.kind and punctuality_s: walk-ins and appointments apart, and how punctually appointments were called

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daily_stats") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="walk_in"))
        batch.add_column(sa.Column("punctuality_s", sa.JSON(), nullable=False, server_default="[]"))
        batch.drop_constraint("uq_daily_stats_cell", type_="unique")
        batch.create_unique_constraint("uq_daily_stats_cell", ["business_day", "service_key", "desk_key", "kind"])
    with op.batch_alter_table("daily_stats") as batch:  # the stored days are filled; new rows name their own
        batch.alter_column("punctuality_s", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("daily_stats") as batch:
        batch.drop_constraint("uq_daily_stats_cell", type_="unique")
        batch.execute("DELETE FROM daily_stats WHERE kind <> 'walk_in'")
        batch.create_unique_constraint("uq_daily_stats_cell", ["business_day", "service_key", "desk_key"])
        batch.drop_column("punctuality_s")
        batch.drop_column("kind")
