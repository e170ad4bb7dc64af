"""tickets.arrived: a remote ticket that keeps its place but is not called until its visitor is here

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("arrived", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("arrived")
