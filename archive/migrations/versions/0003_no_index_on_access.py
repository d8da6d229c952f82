"""items.access without an index

Revision ID: 0003
Revises: 0002

Two values, and nearly every item public: the index finds nothing faster than the table does,
and it misled SQLite's planner, which chose it over the accession id's unique index for
`accession_id IN (...) AND access = ?` and so read every public item to find a page of twenty.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_items_access", table_name="items")


def downgrade() -> None:
    op.create_index("ix_items_access", "items", ["access"], unique=False)
