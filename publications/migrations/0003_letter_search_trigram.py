"""A trigram index on Letter.search_text, so the archive's LIKE '%word%' filters stay fast at hundreds of
thousands of letters. PostgreSQL only: SQLite (development and quick tests) scans, which is fine there."""

from django.db import migrations

INDEX = "letter_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON publications_letter USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("publications", "0002_letters_and_news")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
