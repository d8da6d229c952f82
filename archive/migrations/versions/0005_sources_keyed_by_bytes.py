"""sources keyed by the bytes of their path

Revision ID: 0005
Revises: 0004

A source was keyed by its path as text for people (NFC, bytes that are not UTF-8 escaped): two
files whose names differ only in Unicode normalisation (macOS writes NFD), or a name that is not
UTF-8 and one that spells its escape, had one key between them, and every run read them again
and reported them as duplicates. The key is now the path's bytes, as the file system gives
them; `path` stays, for people. A row from before is keyed by its text's UTF-8: a file whose
bytes differ is read once more, as a duplicate of its item, and is known by its bytes after.
"""

from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CHUNK = 10_000  # rows copied at a time: an archive may know millions of files
KEYED = "sources_keyed"
OLD = sa.table(
    "sources",
    sa.column("path", sa.Text),
    sa.column("size", sa.BigInteger),
    sa.column("mtime_ns", sa.BigInteger),
    sa.column("sha256", sa.String),
    sa.column("item_id", sa.Integer),
)


def _columns(key: bool) -> list[sa.Column]:
    first = [sa.Column("key", sa.LargeBinary(), nullable=False)] if key else []
    return [
        *first,
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.PrimaryKeyConstraint("key" if key else "path"),
    ]


def _rows(table: sa.TableClause) -> Iterator[list[dict]]:
    result = op.get_bind().execute(sa.select(table))
    while rows := result.mappings().fetchmany(CHUNK):
        yield [dict(row) for row in rows]


def _replace(new: sa.Table) -> None:
    """`new`, filled, takes the place of `sources`."""
    op.drop_index("ix_sources_item_id", table_name="sources")
    op.drop_table("sources")
    op.rename_table(new.name, "sources")
    op.create_index("ix_sources_item_id", "sources", ["item_id"], unique=False)


def upgrade() -> None:
    keyed = op.create_table(KEYED, *_columns(key=True))
    for rows in _rows(OLD):
        op.bulk_insert(keyed, [{"key": row["path"].encode("utf-8"), **row} for row in rows])
    _replace(keyed)


def downgrade() -> None:
    """Back to one row per text: of the files whose names have one text, the first is kept."""
    by_text = op.create_table(f"{KEYED}_by_text", *_columns(key=False))
    seen: set[str] = set()
    current = sa.table("sources", *(sa.column(c.name) for c in OLD.columns))
    for rows in _rows(current):
        kept = []
        for row in rows:
            if row["path"] not in seen:
                seen.add(row["path"])
                kept.append(row)
        if kept:
            op.bulk_insert(by_text, kept)
    _replace(by_text)
