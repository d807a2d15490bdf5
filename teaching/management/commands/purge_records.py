from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from truonghoc.formatting import date_text

from ...archive import archive_purge, archives_to_purge


class Command(BaseCommand):
    help = (
        "Remove the files of online-teaching records archives past their retention date (the rows stay, "
        "marked purged, and each removal is audited). --dry-run lists them without removing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the archives that would be purged.")

    def handle(self, *args, **options):
        found = list(archives_to_purge().select_related("school").order_by("retain_until", "pk"))
        for archive in found:
            self.stdout.write(
                f"#{archive.pk} · {archive.school.name} · {archive.school_year} · "
                + _("kept until %(date)s") % {"date": date_text(archive.retain_until)}
            )
            if not options["dry_run"]:
                archive_purge(archive=archive)
        if options["dry_run"]:
            self.stdout.write(_("%(n)s archive(s) would be purged (dry run: nothing removed).") % {"n": len(found)})
        else:
            self.stdout.write(_("%(n)s archive(s) purged.") % {"n": len(found)})
