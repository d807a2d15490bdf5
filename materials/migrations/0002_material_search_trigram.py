"""A trigram index on Material.search_text, so the library's LIKE '%word%' filters stay fast at hundreds of
thousands of items, and indexes for the "newest" and "most used" sorts. PostgreSQL only: SQLite
(development and quick tests) scans, which is fine there."""

from django.db import migrations

INDEXES = {
    "material_search_trgm": "ON materials_material USING gin (search_text gin_trgm_ops)",
    # The "most used" order is by the sum of the counts; an index on that expression lets a page read
    # the top rows instead of sorting every visible item.
    "material_used_idx": "ON materials_material ((download_count + view_count) DESC, id DESC)",
    # The "newest" order (drafts last): a page walks this index and stops after its rows.
    "material_newest_idx": "ON materials_material (approved_at DESC NULLS LAST, id DESC)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("materials", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
