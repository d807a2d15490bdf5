"""Django's SQLite backend for the test runs: test databases copied from a migrated one (truonghoc/testdb.py)."""

from django.db.backends.sqlite3 import base

from truonghoc.testdb import SQLiteCreation


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = SQLiteCreation
