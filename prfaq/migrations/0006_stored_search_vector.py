"""PostgreSQL: each document's search vector stored with the row, indexed.

Ranking a search recomputed the vector of every matching document from its text; a
generated column keeps it, computed once per save. SQLite has no such search.
"""

from django.db import migrations

ADD = [
    "ALTER TABLE prfaq_document ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(search_text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS document_search_vector_idx ON prfaq_document "
    "USING gin (search_vector)",
    "DROP INDEX IF EXISTS document_search_idx",
]
REMOVE = [
    "CREATE INDEX IF NOT EXISTS document_search_idx ON prfaq_document "
    "USING gin (to_tsvector('english'::regconfig, COALESCE((search_text)::text, '')))",
    "DROP INDEX IF EXISTS document_search_vector_idx",
    "ALTER TABLE prfaq_document DROP COLUMN IF EXISTS search_vector",
]


def add_search_vector(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in ADD:
            schema_editor.execute(statement)


def remove_search_vector(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("prfaq", "0005_page_stamps")]

    operations = [migrations.RunPython(add_search_vector, remove_search_vector)]
