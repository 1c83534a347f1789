"""The Leadership group, and a full-text index on PostgreSQL."""

from django.db import migrations

# Must match DocumentQuerySet.search(): SearchVector("search_text", config="english").
SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS document_search_idx ON prfaq_document "
    "USING gin (to_tsvector('english'::regconfig, COALESCE((search_text)::text, '')))"
)


def create_leadership(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.get_or_create(name="Leadership")


def add_search_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX)


def drop_search_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS document_search_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("prfaq", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_leadership, migrations.RunPython.noop),
        migrations.RunPython(add_search_index, drop_search_index),
    ]
