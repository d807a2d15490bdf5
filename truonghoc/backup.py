"""One consistent backup of the site — the database and every stored file — in one archive, and its restore
(issue #19, point 7). `manage.py backup` and `manage.py restore` are thin shells around `make_backup` and
`restore_backup`.

The archive is a plain tar (the database dump is compressed already, uploads mostly are):
- `manifest.json` — format, when, the database engine, the row count of every table, and each file's
  storage, name, size and SHA-256;
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite's online backup);
- `files/<storage>/<name>` — the files of the `default` (media) and `private` storages, read through
  Django's storage API, so the local disk and an S3 bucket are backed up the same way.

Consistency: on PostgreSQL the row counts and `pg_dump` read the same exported snapshot, so the manifest
describes exactly the dump. Files are copied after the dump: an upload's file is stored before the row
naming it commits, so every file a row of the dump names is in the archive (files written later are
extra and harmless).

A restore goes only into an empty database (no table at all) and never overwrites a stored file with
different content: a restore cannot destroy anything. After loading it counts every table again and
compares each file's SHA-256 with the manifest; any difference fails the restore with the list.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
FILE_STORAGES = ("default", "private")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the user's language."""


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    skipped_files: int = 0  # already there with the same content
    problems: list[str] = field(default_factory=list)


# --- reading the database ------------------------------------------------------------------------


def _pg_env(alias="default") -> dict:
    """The libpq environment for pg_dump / pg_restore: the password never appears on a command line."""
    db = settings.DATABASES[alias]
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    return env


def _program(name: str) -> str:
    """The full path of a PostgreSQL client program (the same major version as the server, from Debian's
    postgresql-client)."""
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _("%(program)s is not installed (Debian: apt-get install postgresql-client).") % {"program": name}
        )
    return found


def _tables(conn) -> list[str]:
    """The project's tables (Django's introspection: no views, no SQLite internals), sorted."""
    with conn.cursor() as cursor:
        return sorted(conn.introspection.table_names(cursor))


def _count_tables(cursor, tables, quote) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 — names come from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump and the row counts from one exported snapshot, so the counts describe exactly the dump."""
    conn = connections.create_connection("default")  # a connection of its own: its transaction is ours
    try:
        conn.ensure_connection()
        raw = conn.connection
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _tables(conn)
            counts = _count_tables(cursor, tables, conn.ops.quote_name)
            result = subprocess.run(  # noqa: S603 — fixed arguments, no shell
                [
                    _program("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    target,
                ],
                env=_pg_env(),
                capture_output=True,
                text=True,
            )
        raw.rollback()
    finally:
        conn.close()
    if result.returncode != 0:
        raise BackupError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()[-500:]})
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    """SQLite's online backup: a consistent copy even while the site writes. Counts come from the copy."""
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
    try:
        names = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        cursor = copy.cursor()
        return _count_tables(cursor, names, lambda name: '"' + name.replace('"', '""') + '"')
    finally:
        copy.close()


# --- files ---------------------------------------------------------------------------------------


def _walk(storage, directory=""):
    """Every file name of a storage (the local disk or a bucket), through the storage API."""
    try:
        dirs, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(dirs):
        yield from _walk(storage, f"{directory}/{sub}" if directory else sub)


def _sha256(handle) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# --- backup --------------------------------------------------------------------------------------


def make_backup(out: Path) -> dict:
    """Write the archive to `out` (a new file; an existing one is refused) and return its manifest."""
    out = Path(out)
    if out.exists():
        raise BackupError(_("%(path)s already exists: a backup never overwrites a file.") % {"path": out})
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor})
    with tempfile.TemporaryDirectory(prefix="truonghoc-backup-") as work:
        dump = Path(work) / ("database.dump" if vendor == "postgresql" else "database.sqlite3")
        counts = _dump_postgresql(dump) if vendor == "postgresql" else _dump_sqlite(dump)
        partial = out.with_name(out.name + ".partial")
        files = []
        try:
            with tarfile.open(partial, "w") as archive:
                archive.add(dump, arcname=dump.name)
                for alias in FILE_STORAGES:
                    storage = storages[alias]
                    for name in _walk(storage):
                        with storage.open(name, "rb") as handle:
                            sha, size = _sha256(handle)
                            handle.seek(0)
                            info = tarfile.TarInfo(f"files/{alias}/{name}")
                            info.size = size
                            info.mtime = int(timezone.now().timestamp())
                            archive.addfile(info, handle)
                        files.append({"storage": alias, "name": name, "size": size, "sha256": sha})
                manifest = {
                    "format": FORMAT,
                    "made_at": timezone.now().isoformat(),
                    "engine": vendor,
                    "database": dump.name,
                    "tables": counts,
                    "files": files,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(body)
                info.mtime = int(timezone.now().timestamp())
                archive.addfile(info, _Bytes(body))
            # Renamed only once whole: a backup cut short (disk full, killed) never looks finished.
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


class _Bytes:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def read(self, size=-1):
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at : end], min(end, len(self.data))
        return chunk


# --- restore -------------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r") as archive:
            member = archive.getmember(MANIFEST)
            manifest = json.load(archive.extractfile(member))
    except FileNotFoundError:
        raise BackupError(_("%(path)s does not exist.") % {"path": path}) from None
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError):
        raise BackupError(_("%(path)s is not a backup made by manage.py backup.") % {"path": path}) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("This backup's format (%(found)s) is not supported.") % {"found": manifest.get("format")})
    return manifest


def restore_backup(path: Path) -> RestoreReport:
    """Load the archive into this site's (empty) database and storages, then check it against the manifest."""
    path = Path(path)
    manifest = read_manifest(path)
    vendor = connection.vendor
    if manifest["engine"] != vendor:
        raise BackupError(
            _("This backup is of a %(made)s database; this site runs on %(here)s.")
            % {"made": manifest["engine"], "here": vendor}
        )
    existing = _tables(connection)
    if existing:
        raise BackupError(
            _("A restore needs an empty database; this one has %(count)s tables. Nothing was changed.")
            % {"count": len(existing)}
        )
    clashes = _file_clashes(manifest)
    if clashes:
        raise BackupError(
            _("These files already exist with other content; nothing was changed: %(names)s")
            % {"names": ", ".join(clashes[:10])}
        )
    report = RestoreReport()
    with tarfile.open(path, "r") as archive:
        with tempfile.TemporaryDirectory(prefix="truonghoc-restore-") as work:
            member = archive.getmember(manifest["database"])
            dump = Path(work) / manifest["database"]
            with archive.extractfile(member) as source, open(dump, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            if vendor == "postgresql":
                _load_postgresql(dump)
            else:
                _load_sqlite(dump)
        for entry in manifest["files"]:
            storage = storages[entry["storage"]]
            if storage.exists(entry["name"]):
                report.skipped_files += 1  # the same content: _file_clashes checked it
                continue
            handle = archive.extractfile(f"files/{entry['storage']}/{entry['name']}")
            saved = storage.save(entry["name"], File(handle, name=entry["name"]))
            if saved != entry["name"]:
                report.problems.append(_("%(name)s was stored as %(saved)s") % {"name": entry["name"], "saved": saved})
            report.files += 1
    _verify(manifest, report)
    return report


def _file_clashes(manifest) -> list[str]:
    clashes = []
    for entry in manifest["files"]:
        storage = storages[entry["storage"]]
        if storage.exists(entry["name"]):
            with storage.open(entry["name"], "rb") as handle:
                if _sha256(handle)[0] != entry["sha256"]:
                    clashes.append(f"{entry['storage']}:{entry['name']}")
    return clashes


def _load_postgresql(dump: Path):
    result = subprocess.run(  # noqa: S603 — fixed arguments, no shell
        [_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "-d",
         settings.DATABASES["default"]["NAME"], dump],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )  # fmt: skip
    if result.returncode != 0:
        # One transaction: a failed restore leaves the database as empty as it was.
        raise BackupError(_("pg_restore failed, nothing was loaded: %(error)s") % {"error": result.stderr[-500:]})


def _load_sqlite(dump: Path):
    """SQLite's backup API in reverse: the copy's pages written into the site's (empty) database file."""
    connection.close()
    source = sqlite3.connect(dump)
    target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _verify(manifest, report: RestoreReport):
    connection.close()  # a fresh connection sees the restored tables
    tables = _tables(connection)
    with connection.cursor() as cursor:
        counts = _count_tables(cursor, tables, connection.ops.quote_name)
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(counts)):
        if expected.get(table) != counts.get(table):
            report.problems.append(
                _("table %(table)s: %(found)s rows, the backup had %(expected)s")
                % {"table": table, "found": counts.get(table, "—"), "expected": expected.get(table, "—")}
            )
    for entry in manifest["files"]:
        storage = storages[entry["storage"]]
        try:
            with storage.open(entry["name"], "rb") as handle:
                sha = _sha256(handle)[0]
        except FileNotFoundError:
            sha = None
        if sha != entry["sha256"]:
            report.problems.append(_("file %(name)s differs from the backup") % {"name": entry["name"]})
    report.tables, report.rows = len(counts), sum(counts.values())
