"""Shared set-up for the benchmark scripts: Django configured for the machine's database (DATABASE_URL,
or SQLite), with a throw-away test database so a benchmark never touches real data."""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truonghoc.settings.test")

import django  # noqa: E402

django.setup()


@contextmanager
def scratch_database():
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases, teardown_test_environment

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)
        teardown_test_environment()


def engine() -> str:
    from django.db import connection

    return connection.vendor
