"""the staff's accounts, their signed-in sessions, and failed sign-ins

Revision ID: 0007
Revises: 0006

No account exists until one is added (`archive user add`). Sessions and failed sign-ins are
bookkeeping of the workspace, kept in the database so that every server process shares them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("signed_in_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    with op.batch_alter_table("staff_sessions") as batch:
        batch.create_index(batch.f("ix_staff_sessions_user_id"), ["user_id"], unique=False)
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.create_index(batch.f("ix_sign_in_failures_at"), ["at"], unique=False)
        batch.create_index(batch.f("ix_sign_in_failures_name"), ["name"], unique=False)
        batch.create_index(batch.f("ix_sign_in_failures_address"), ["address"], unique=False)


def downgrade() -> None:
    op.drop_table("sign_in_failures")
    op.drop_table("staff_sessions")
    op.drop_table("users")
