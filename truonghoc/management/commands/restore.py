"""`manage.py restore FILE`: an archive of `manage.py backup` loaded into an EMPTY database and its storages,
then checked against the archive's manifest (row counts of every table, SHA-256 of every file)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from truonghoc.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup into an empty database and check it (row counts, file checksums)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **options):
        try:
            report = restore_backup(archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if report.problems:
            raise CommandError(
                _("%(count)s differences from the backup (listed above).") % {"count": len(report.problems)}
            )
        self.stdout.write(
            _(
                "%(path)s: %(tables)s tables, %(rows)s rows, %(files)s files restored (%(skipped)s already there); "
                "every count and checksum matches the backup"
            )
            % {"path": archive, "tables": report.tables, "rows": report.rows, "files": report.files,
               "skipped": report.skipped_files}
        )  # fmt: skip
