"""desks: who holds each open desk, so that logging out (or opening another desk) closes it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("desk_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_by", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("desk_state", schema=None) as batch_op:
        batch_op.drop_column("opened_by")
