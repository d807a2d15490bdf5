import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gradebook import printing
from gradebook.book import class_book_data
from gradebook.services import current_school_year
from truonghoc.text import nfc
from truonghoc.xlsx import workbook_bytes
from units.models import Unit


class Command(BaseCommand):
    help = (
        "Write a class's book (Sổ gọi tên và ghi điểm) with every computed average, result and conduct, as the "
        "page shows them: an A3 PDF or an xlsx workbook."
    )

    def add_arguments(self, parser):
        parser.add_argument("--class", dest="unit_code", required=True, help="The class's unit code.")
        parser.add_argument("--format", dest="fmt", choices=("xlsx", "pdf"), required=True)
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument(
            "--year", default="", help='The school year, such as "2026-2027" (default: the current one).'
        )

    def handle(self, *args, **options):
        code = nfc(options["unit_code"]).strip()
        school_class = Unit.objects.filter(code=code, kind=Unit.Kind.CLASS).first()
        if school_class is None:
            raise CommandError(_("No class has the code “%(code)s”.") % {"code": code})
        year = options["year"] or current_school_year(school_class)
        match = re.fullmatch(r"([0-9]{4})-([0-9]{4})", year)
        if not match or int(match.group(2)) != int(match.group(1)) + 1:
            raise CommandError(_("“%(year)s” is not a school year such as 2026-2027.") % {"year": year})
        book = class_book_data(school_class, year)
        if options["fmt"] == "pdf":
            content = printing.class_book_pdf(book)
        else:
            workbook, _rows = printing.class_book_workbook(book)
            content = workbook_bytes(workbook)
        try:
            options["out"].write_bytes(content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(out)s: %(error)s") % {"out": options["out"], "error": error}
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("The book of %(name)s (%(year)s, %(n)d students) was written to %(out)s.")
                % {"name": school_class.name, "year": year, "n": len(book.students), "out": options["out"]}
            )
        )
