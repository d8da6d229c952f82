"""search documents kept in the database, for PostgreSQL's own full-text search

Revision ID: 0012
Revises: 0011

With `search_engine = "postgresql"` the search index is a table of the archive's database,
written in the same transaction as the items it describes (`search_index.postgresql`). Only a
PostgreSQL database gets it: SQLite archives search with Whoosh, and nothing changes for them.
`archive reindex` fills it.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE search_documents (
    id text PRIMARY KEY,
    public boolean NOT NULL,
    type text NOT NULL,
    added text NOT NULL,
    updated text NOT NULL,
    year_start integer,
    year_lo integer,
    year_hi integer,
    facets text[] NOT NULL,
    filters text[] NOT NULL,
    words tsvector NOT NULL,
    head tsvector NOT NULL,
    record jsonb NOT NULL
);
CREATE INDEX search_documents_words ON search_documents USING gin (words);
CREATE INDEX search_documents_filters ON search_documents USING gin (filters);
CREATE TABLE search_generation (
    id integer PRIMARY KEY CHECK (id = 1),
    generation bigint NOT NULL
);
INSERT INTO search_generation VALUES (1, 0);
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TABLES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE search_generation; DROP TABLE search_documents")
