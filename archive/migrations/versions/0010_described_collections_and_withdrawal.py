"""collections described (scope, dates, creator, extent), and items withdrawn from the public

Revision ID: 0010
Revises: 0007

Collections made by ingest's --collection had no title: each takes the last part of its slug as
its title in the first language until an archivist describes it, so the catalogue always has a
title to show.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("collections") as batch:
        batch.add_column(sa.Column("scope", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("dates", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("creator", sa.Text(), nullable=True))
        batch.add_column(sa.Column("extent_units", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("extent_metres", sa.Float(), nullable=True))
    with op.batch_alter_table("collections") as batch:
        batch.alter_column("scope", server_default=None)
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("withdrawn_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
    _title_the_untitled()


def _title_the_untitled() -> None:
    collections = sa.table(
        "collections", sa.column("id", sa.Integer), sa.column("slug"), sa.column("title", sa.JSON)
    )
    connection = op.get_bind()
    for key, slug, title in connection.execute(
        sa.select(collections.c.id, collections.c.slug, collections.c.title)
    ).all():
        if not title:
            name = {"vi": slug.rsplit("/", 1)[-1]}
            connection.execute(
                collections.update().where(collections.c.id == key).values(title=name)
            )


def downgrade() -> None:
    # Dropped one by one, in place (SQLite has ALTER TABLE DROP COLUMN since 3.35): a batch
    # would copy the tables, and dropping `items` while pages refer to it breaks their keys.
    for column in ("withdrawn_reason", "withdrawn_by", "withdrawn_at"):
        op.drop_column("items", column)
    for column in ("extent_metres", "extent_units", "creator", "dates", "scope"):
        op.drop_column("collections", column)
