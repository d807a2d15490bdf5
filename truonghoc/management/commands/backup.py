"""`manage.py backup --out FILE`: the database and every stored file in one consistent archive
(truonghoc/backup.py says what is in it and why it is consistent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "Back up the database and the stored files (media and private) into one archive."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, help="the archive to write (default: var/backups/truonghoc-<time>.tar)")

    def handle(self, *args, out=None, **options):
        if out is None:
            out = Path("var/backups") / f"truonghoc-{timezone.now():%Y%m%d-%H%M%S}.tar"
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            manifest = make_backup(out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        size = sum(entry["size"] for entry in manifest["files"])
        self.stdout.write(
            _("%(path)s: %(tables)s tables, %(rows)s rows, %(files)s files (%(mb).1f MB)")
            % {"path": out, "tables": len(manifest["tables"]), "rows": rows, "files": len(manifest["files"]),
               "mb": size / 1_048_576}
        )  # fmt: skip
