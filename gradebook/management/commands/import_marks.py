from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gradebook import services
from gradebook.grid_xlsx import (
    IMPORTER,
    mark_import_apply,
    mark_import_confirm,
    mark_import_start,
    mark_import_summary,
    mark_import_validate,
)
from gradebook.models import MarkImport, TeachingAssignment
from units.models import Unit


class Command(BaseCommand):
    help = (
        "Load a class's marks for one subject and semester from a grid workbook (the layout of the grid's "
        "xlsx export) through the same import as the web page (checked, then written all or nothing). Acts as "
        "the assigned teacher unless --as names another who may. Prints the page's messages: each refused line "
        "and the counts; exits non-zero with nothing written when anything is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--class", dest="class_code", required=True, help="Code of the class unit.")
        parser.add_argument("--subject", required=True)
        parser.add_argument("--semester", type=int, choices=(1, 2), required=True)
        parser.add_argument("--as", dest="actor", default=None, help="Username of the teacher writing the marks.")
        parser.add_argument("--dry-run", action="store_true", help="Check and print; change nothing.")

    def handle(self, *args, **options):
        school_class = Unit.objects.filter(code=options["class_code"], kind=Unit.Kind.CLASS).first()
        if school_class is None:
            raise CommandError(_("No class has the code %(code)s.") % {"code": options["class_code"]})
        school_year = services.current_school_year(school_class.school())
        subject, semester = options["subject"], options["semester"]
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(_("No account has the username %(name)s.") % {"name": options["actor"]})
        else:
            assignment = (
                TeachingAssignment.objects.filter(
                    school_class=school_class, school_year=school_year, semester=semester, subject=subject
                )
                .select_related("teacher")
                .first()
            )
            if assignment is None:
                raise CommandError(
                    _("Nobody teaches %(subject)s in %(name)s in semester %(semester)s; name the writer with --as.")
                    % {"subject": subject, "name": school_class, "semester": semester}
                )
            actor = assignment.teacher
        try:
            content = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        # The page's steps, run here one after the other: start → check → (confirm → apply).
        try:
            batch = mark_import_start(
                actor=actor,
                school_class=school_class,
                subject=subject,
                semester=semester,
                upload=ContentFile(content, name=options["file"].name),
            )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        batch = mark_import_validate(batch=batch, content=content)
        for row in batch.rows.exclude(errors=[]).order_by("line"):
            for problem in row.errors:
                self.stdout.write(_("line %(line)s: refused: %(message)s") % {"line": row.line, "message": problem})
        self.stdout.write(mark_import_summary(batch))
        if batch.status != MarkImport.Status.READY:
            if batch.status == MarkImport.Status.INVALID and not batch.error_rows and batch.total_rows:
                return  # every mark is already there: nothing to do is not a failure
            raise CommandError(_("Nothing was written: correct the refused lines and run again."))
        if options["dry_run"]:
            IMPORTER.cancel(batch, message=_("Checked only (--dry-run): nothing was written."))
            return
        batch = mark_import_apply(actor=actor, batch=mark_import_confirm(actor=actor, batch=batch))
        if batch.status != MarkImport.Status.DONE:
            raise CommandError(batch.message)
        self.stdout.write(mark_import_summary(batch))
