"""a person's review of an automatic tag: accepted or rejected

Revision ID: 0009
Revises: 0008

An automatic tag keeps its source (`auto`) and its evidence when a person reviews it, so a
report can count the reviewed tags apart; the tagging rules leave a reviewed tag alone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tags") as batch:
        batch.add_column(sa.Column("review", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tags") as batch:
        batch.drop_column("review")
