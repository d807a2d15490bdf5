"""Issue #19, point 7: one command makes a consistent backup (database + stored files) and one restores it.
The restore runs as an operator would run it — `manage.py restore` in its own process, pointed at an empty
database and empty storage folders — and the restored site is compared with the live one: the row count of
every table, and the bytes of the files."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection

from truonghoc.backup import read_manifest
from units.models import Unit

from .conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
SHEET = "Họ và tên;Lớp\nNguyễn Văn An;6A\n".encode()


def _live_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def empty_database(tmp_path):
    """(DATABASE_URL, a function counting every table) of a new empty database on the same engine."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def counts():
            with sqlite3.connect(path) as conn:
                names = [
                    r[0]
                    for r in conn.execute(
                        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608

        yield f"sqlite:///{path}", counts
        return
    name = f"{db['NAME']}_restore"
    params = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"], "password": db["PASSWORD"]}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')

    def counts():
        with psycopg2.connect(dbname=name, **params) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            found = {}
            for (table,) in cursor.fetchall():
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
                found[table] = cursor.fetchone()[0]
            return found

    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    yield f"postgres://{db['USER']}{password}@{db['HOST']}:{params['port']}/{name}", counts
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _restore(archive, database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="truonghoc.settings.local",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(tmp_path / "restored-media"),
        PRIVATE_ROOT=str(tmp_path / "restored-private"),
    )
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_backup_restored_into_an_empty_database_has_every_row_and_file(tree, tmp_path, empty_database):
    storages["default"].save("news/2026/anh-khai-giang.png", ContentFile(PICTURE))
    storages["private"].save("imports/danh-sach.csv", ContentFile(SHEET))
    archive = tmp_path / "backup.tar"
    out = StringIO()
    call_command("backup", out=archive, stdout=out)
    live = _live_counts()
    manifest = read_manifest(archive)
    # The manifest describes the database as it was: every table, every row.
    assert manifest["tables"] == live
    assert manifest["tables"]["units_unit"] == Unit.objects.count() > 5
    assert {(f["storage"], f["name"]) for f in manifest["files"]} == {
        ("default", "news/2026/anh-khai-giang.png"),
        ("private", "imports/danh-sach.csv"),
    }

    database_url, restored_counts = empty_database
    result = _restore(archive, database_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert restored_counts() == live
    assert (tmp_path / "restored-media" / "news/2026/anh-khai-giang.png").read_bytes() == PICTURE
    assert (tmp_path / "restored-private" / "imports/danh-sach.csv").read_bytes() == SHEET

    # A second restore into the now full database is refused, and changes nothing.
    again = _restore(archive, database_url, tmp_path)
    assert again.returncode != 0
    assert "empty database" in again.stderr or "cơ sở dữ liệu trống" in again.stderr
    assert restored_counts() == live


def test_a_restore_into_a_database_with_tables_is_refused_and_changes_nothing(tree, tmp_path, in_english):
    archive = tmp_path / "backup.tar"
    call_command("backup", out=archive, stdout=StringIO())
    before = _live_counts()
    with pytest.raises(CommandError, match="needs an empty database"):
        call_command("restore", archive, stdout=StringIO())
    assert _live_counts() == before


def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path, in_english):
    bogus = tmp_path / "not-a-backup.tar"
    bogus.write_bytes(b"PK\x03\x04 this is a zip, not a tar")
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore", bogus, stdout=StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", tmp_path / "missing.tar", stdout=StringIO())


def test_a_backup_never_overwrites_a_file(db, tmp_path, in_english):
    archive = tmp_path / "backup.tar"
    archive.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="never overwrites"):
        call_command("backup", out=archive, stdout=StringIO())
    assert archive.read_bytes() == b"an older backup"
    assert not (tmp_path / "backup.tar.partial").exists()
