"""exhibitions as published, the partners curators choose from, and daily counts of views

Revision ID: 0011
Revises: 0008

A definition file in the archive home's `exhibitions/` is a draft; what the public sees is the
text of the version last published, kept here, so that a file edited into a broken state never
takes a published exhibition down. Views are counted per day and address, with nothing about
the visitor.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exhibitions",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("file", sa.String(length=255), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("slug"),
    )
    partners = op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_vi", sa.String(length=255), nullable=False),
        sa.Column("name_en", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_vi"),
    )
    # The organisations the province's plan names; curators add the others they work with.
    op.bulk_insert(
        partners,
        [
            {"name_vi": vi, "name_en": en}
            for vi, en in (
                ("Bộ Thông tin và Truyền thông", "Ministry of Information and Communications"),
                (
                    "Sở Thông tin và Truyền thông tỉnh Kon Tum",
                    "Kon Tum Department of Information and Communications",
                ),
                (
                    "Sở Văn hóa, Thể thao và Du lịch tỉnh Kon Tum",
                    "Kon Tum Department of Culture, Sports and Tourism",
                ),
                ("Bảo tàng tỉnh Kon Tum", "Kon Tum Provincial Museum"),
            )
        ],
    )
    op.create_table(
        "daily_views",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("route", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "route", "key"),
    )


def downgrade() -> None:
    op.drop_table("daily_views")
    op.drop_table("partners")
    op.drop_table("exhibitions")
