"""a count of the changes to what the catalogue shows

Revision ID: 0004
Revises: 0003

The catalogue keeps pages for as long as the database does not change. SQLite's own counter of
commits (`PRAGMA data_version`) is one connection's, not comparable between processes, so what
one worker made could not serve another. This count is: triggers raise it with every row
inserted, updated or deleted in the tables the catalogue reads (not the ingest journal, nor the
sources and counters, which no page shows).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SHOWN = ("collections", "items", "masters", "pages", "page_texts", "tags")
EVENTS = ("insert", "update", "delete")


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO changes (id, count) VALUES (1, 0)")
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in SHOWN:
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER {table}_{event}_counted AFTER {event.upper()} ON {table} "
                "BEGIN UPDATE changes SET count = count + 1 WHERE id = 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in SHOWN:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_counted")
    op.drop_table("changes")
