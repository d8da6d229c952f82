"""a log of what the public sees change: each public item made, changed or taken away

Revision ID: 0008
Revises: 0007

Harvesters (OAI-PMH, IIIF Change Discovery) ask what changed since a time, and must learn of an
item that left the public (withdrawn, or made restricted) as a deletion. The unit of work writes
one row per public change; the last row of each item (`latest`) is its state now. Items already
public are recorded as made public at their last change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("activity", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("latest", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("public_changes") as batch:
        batch.create_index(batch.f("ix_public_changes_target"), ["target"], unique=False)
        batch.create_index(batch.f("ix_public_changes_at"), ["at"], unique=False)
        batch.create_index("ix_public_changes_latest_id", ["latest", "id"], unique=False)
    op.execute(
        "INSERT INTO public_changes (kind, target, activity, at, latest) "
        "SELECT 'item', accession_id, 'create', updated_at, TRUE FROM items "
        "WHERE access = 'public' ORDER BY updated_at, id"
    )


def downgrade() -> None:
    op.drop_table("public_changes")
