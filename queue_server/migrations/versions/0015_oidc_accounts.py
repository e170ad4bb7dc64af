"""users.subject and users.display_name (accounts of the city's OpenID provider), and login_states

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("display_name", sa.String(length=128), nullable=True))
        batch.create_unique_constraint("uq_users_subject", ["subject"])
    op.create_table(
        "login_states",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_login_states"),
    )
    op.create_index("ix_login_states_expires_at", "login_states", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_login_states_expires_at", table_name="login_states")
    op.drop_table("login_states")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_subject", type_="unique")
        batch.drop_column("display_name")
        batch.drop_column("subject")
