"""SQLite: a full-text index of each document's search text (FTS5).

Search on SQLite was ``LIKE '%word%'`` over every document's whole text: a scan of all
the text there is, growing with every document written (52 ms for a word in no
document, 10,000 seeded documents). An FTS5 table finds words and the beginnings of
words from an index, accents and case ignored (``remove_diacritics 2``), as
PostgreSQL's search finds words. It holds no copy of the text (``content=``): triggers
keep it in step with every insert, update and delete, bulk ones included.

If a later migration rebuilds ``prfaq_document`` on SQLite (Django copies the table to
change a column), the triggers go with the old table: that migration must run ADD
again. ``tests/prfaq/test_reading.py`` fails if the index stops following the
documents. PostgreSQL has its own (migration 0006); an SQLite built without FTS5
keeps ``LIKE``.
"""

from django.db import migrations

ADD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS prfaq_document_fts USING fts5("
    "search_text, content='prfaq_document', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS prfaq_document_fts_insert AFTER INSERT ON prfaq_document "
    "BEGIN INSERT INTO prfaq_document_fts(rowid, search_text) "
    "VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS prfaq_document_fts_delete AFTER DELETE ON prfaq_document "
    "BEGIN INSERT INTO prfaq_document_fts(prfaq_document_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS prfaq_document_fts_update AFTER UPDATE OF search_text "
    "ON prfaq_document BEGIN INSERT INTO prfaq_document_fts(prfaq_document_fts, rowid, "
    "search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO prfaq_document_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO prfaq_document_fts(prfaq_document_fts) VALUES ('rebuild')",
]
REMOVE = [
    "DROP TRIGGER IF EXISTS prfaq_document_fts_insert",
    "DROP TRIGGER IF EXISTS prfaq_document_fts_delete",
    "DROP TRIGGER IF EXISTS prfaq_document_fts_update",
    "DROP TABLE IF EXISTS prfaq_document_fts",
]


def has_fts5(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return "ENABLE_FTS5" in {row[0] for row in cursor.fetchall()}


def add_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite" and has_fts5(schema_editor.connection):
        for statement in ADD:
            schema_editor.execute(statement)


def remove_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("prfaq", "0006_stored_search_vector")]

    operations = [migrations.RunPython(add_index, remove_index)]
