from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gradebook import services
from gradebook.grid_xlsx import grid_import
from gradebook.models import TeachingAssignment
from units.models import Unit


class Command(BaseCommand):
    help = (
        "Load a class's marks for one subject and semester from a grid workbook (the layout of the grid's "
        "xlsx export), with the same checks as the web page, all or nothing. Acts as the assigned teacher "
        "unless --as names another who may. Prints written / unchanged / refused with line numbers; exits "
        "non-zero when anything is refused."
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
        result = grid_import(
            actor=actor,
            content=content,
            school_class=school_class,
            subject=subject,
            semester=semester,
            school_year=school_year,
            dry_run=options["dry_run"],
        )
        for line, message in result.refusals:
            self.stdout.write(_("line %(line)s: refused: %(message)s") % {"line": line, "message": message})
        self.stdout.write(
            _("written: %(written)d, unchanged: %(unchanged)d, refused: %(refused)d")
            % {
                "written": 0 if not result.ok else result.written,
                "unchanged": result.unchanged,
                "refused": len(result.refusals),
            }
        )
        if not result.ok:
            raise CommandError(_("Nothing was written: correct the refused lines and run again."))
