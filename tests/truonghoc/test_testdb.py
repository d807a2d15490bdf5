"""Test databases copied from a migrated one (truonghoc/testdb.py)."""

import django
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from truonghoc import testdb


@pytest.mark.django_db
def test_this_test_database_has_every_migration_on_disk_applied():
    """Copied or migrated, the test database is at the schema the code has: a stale copy would fail here."""
    loader = MigrationLoader(connection)
    on_disk = set(loader.disk_migrations)
    assert on_disk
    assert on_disk <= set(loader.applied_migrations)


def test_the_fingerprint_follows_what_the_schema_depends_on(monkeypatch):
    testdb.schema_fingerprint.cache_clear()
    first = testdb.schema_fingerprint()
    testdb.schema_fingerprint.cache_clear()
    assert testdb.schema_fingerprint() == first  # stable from run to run
    monkeypatch.setattr(django, "get_version", lambda: "0.0")
    testdb.schema_fingerprint.cache_clear()
    assert testdb.schema_fingerprint() != first
    testdb.schema_fingerprint.cache_clear()


def test_copies_are_used_by_the_test_settings_only(settings):
    assert testdb.templates_on()
    settings.TEST_DB_TEMPLATES = False
    assert not testdb.templates_on()
