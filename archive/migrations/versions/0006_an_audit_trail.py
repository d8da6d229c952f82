"""an audit trail, and the count of changes raised by the unit of work, not by triggers

Revision ID: 0006
Revises: 0005

Every change now goes through one unit of work (`archive.work`), which writes who changed what,
before and after, and raises the count of changes itself, in the same transaction, on any
database: SQLite's triggers, which raised it once per row, are dropped.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SHOWN = ("collections", "items", "masters", "pages", "page_texts", "tags")
EVENTS = ("insert", "update", "delete")


def upgrade() -> None:
    op.create_table(
        "audit_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_units") as batch:
        batch.create_index(batch.f("ix_audit_units_at"), ["at"], unique=False)
        batch.create_index(batch.f("ix_audit_units_by"), ["by"], unique=False)
        batch.create_index(batch.f("ix_audit_units_action"), ["action"], unique=False)
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["audit_units.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entries") as batch:
        batch.create_index(batch.f("ix_audit_entries_unit_id"), ["unit_id"], unique=False)
        batch.create_index(batch.f("ix_audit_entries_target"), ["target"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for table in SHOWN:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_counted")


def downgrade() -> None:
    op.drop_table("audit_entries")
    op.drop_table("audit_units")
    if op.get_bind().dialect.name == "sqlite":
        for table in SHOWN:
            for event in EVENTS:
                op.execute(
                    f"CREATE TRIGGER {table}_{event}_counted AFTER {event.upper()} ON {table} "
                    "BEGIN UPDATE changes SET count = count + 1 WHERE id = 1; END"
                )
