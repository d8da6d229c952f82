"""The models and the Alembic migrations describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from archive import db
from archive.models import Base


def test_the_migrations_build_exactly_the_schema_of_the_models(archive):
    with archive.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert db.current_revision(archive.engine) == db.head_revision() == db.SCHEMA_REVISION
