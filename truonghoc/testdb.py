"""Test databases migrated once, then copied (the test settings' TEST_DB_TEMPLATES).

Every test process starts by building its test database from the ~100 migrations: about 30 s of Python a
process, paid again by each pytest-xdist worker and by each run (the unit tests, the browser tests, the run on
SQLite and the run on PostgreSQL). The first process to migrate keeps a copy named by the schema's
fingerprint (every migration file of every installed app, the apps, Django's version); the next ones copy it
in well under a second: `CREATE DATABASE … TEMPLATE` on PostgreSQL, a file copy on SQLite.

A copy can never be stale: any change to a migration (ours or a library's) changes the fingerprint, so the
next run migrates afresh and keeps a new copy (older copies are dropped on the way). Two processes starting
together may both migrate and both try to keep the copy: the second attempt is simply dropped. Anything that
goes wrong with a copy falls back to migrating, as Django does.
"""

import hashlib
import logging
import os
import shutil
import sqlite3
from functools import cache
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.db.backends.postgresql import creation as postgresql_creation
from django.db.backends.sqlite3 import creation as sqlite_creation

logger = logging.getLogger(__name__)


def templates_on() -> bool:
    return getattr(settings, "TEST_DB_TEMPLATES", False)


@cache
def schema_fingerprint() -> str:
    """What the migrated schema depends on, as 12 hex digits."""
    digest = hashlib.blake2b(digest_size=6)
    digest.update(django.get_version().encode())
    for config in apps.get_app_configs():
        digest.update(config.name.encode())
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class _FromTemplate:
    """What both engines share: use the copy when there is one, else migrate and keep a copy."""

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        in_memory = getattr(self.connection, "is_in_memory_db", lambda: False)()
        if keepdb or not templates_on() or in_memory:
            return super().create_test_db(verbosity, autoclobber, serialize, keepdb)
        self._source_name = self.connection.settings_dict["NAME"]  # before it becomes the test database's
        name = self._get_test_db_name()
        if self._copy_template(name):
            if verbosity >= 1:
                self.log(f"Test database {name} copied from the migrated schema {schema_fingerprint()}")
            self.connection.close()
            settings.DATABASES[self.connection.alias]["NAME"] = name
            self.connection.settings_dict["NAME"] = name
            if serialize:
                self.connection._test_serialized_contents = self.serialize_db_to_string()
            self.connection.ensure_connection()
            return name
        name = super().create_test_db(verbosity, autoclobber, serialize, keepdb)
        self._keep_template(name)
        return name


class PostgreSQLCreation(_FromTemplate, postgresql_creation.DatabaseCreation):
    def _template_name(self) -> str:
        return f"tpl_{self._source_name}_{schema_fingerprint()}"[:63]

    def _copy_template(self, name: str) -> bool:
        template = self._template_name()
        with self._nodb_cursor() as cursor:
            if not self._database_exists(cursor, template):
                return False
            try:
                cursor.execute(f"DROP DATABASE IF EXISTS {self._quote_name(name)}")
                cursor.execute(f"CREATE DATABASE {self._quote_name(name)} WITH TEMPLATE {self._quote_name(template)}")
            except DatabaseError as error:  # the copy busy, or gone meanwhile: migrate as usual
                logger.warning("Could not copy the test database template %s: %s", template, error)
                return False
        return True

    def _keep_template(self, name: str) -> None:
        template = self._template_name()
        building = f"{template[:50]}_{os.getpid()}"
        self.connection.close()  # CREATE DATABASE … TEMPLATE wants nobody connected to the source
        try:
            with self._nodb_cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {self._quote_name(building)} WITH TEMPLATE {self._quote_name(name)}")
                cursor.execute(f"ALTER DATABASE {self._quote_name(building)} RENAME TO {self._quote_name(template)}")
                # Copies of earlier schemas of this database are of no more use.
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                    [f"tpl\\_{self._source_name}\\_%", template],
                )
                for (old,) in cursor.fetchall():
                    cursor.execute(f"DROP DATABASE IF EXISTS {self._quote_name(old)}")
        except DatabaseError as error:  # another process kept it first, or a copy is in use: no matter
            logger.info("Test database template not kept: %s", error)
            with self._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {self._quote_name(building)}")
        self.connection.ensure_connection()


class SQLiteCreation(_FromTemplate, sqlite_creation.DatabaseCreation):
    def _template_path(self, name: str) -> Path:
        return Path(name).parent / f"template-{schema_fingerprint()}.sqlite3"

    def _copy_template(self, name: str) -> bool:
        template = self._template_path(name)
        if not template.exists():
            return False
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
        shutil.copyfile(template, name)
        return True

    def _keep_template(self, name: str) -> None:
        template = self._template_path(name)
        building = template.with_name(f"{template.name}.{os.getpid()}")
        self.connection.ensure_connection()
        target = sqlite3.connect(building)
        try:
            self.connection.connection.backup(target)  # a consistent copy, WAL included
        finally:
            target.close()
        os.replace(building, template)
        for old in template.parent.glob("template-*.sqlite3"):
            if old != template:
                old.unlink(missing_ok=True)
