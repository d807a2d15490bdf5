"""The grade book's printed forms: the class book on A3 landscape, the report cards (phiếu báo điểm) on A4
and the class book as xlsx, all from `gradebook.book.class_book_data`.

PDFs are made by WeasyPrint (pango underneath) with the DejaVu fonts `make fonts` installs: they carry every
Vietnamese glyph, so names and headings print as typed.
"""

from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook

from truonghoc.formatting import date_text

from .book import ClassBook

PDF_CONTENT_TYPE = "application/pdf"


CSS_DIR = Path(__file__).resolve().parent / "print_css"
A3_LANDSCAPE, A4_PORTRAIT = "a3-landscape.css", "a4-portrait.css"


@cache
def _stylesheet(name: str):
    """A stylesheet of `print_css/`, parsed once per process (WeasyPrint only reads it)."""
    from weasyprint import CSS

    return CSS(filename=str(CSS_DIR / name))


@cache
def _print_html_class():
    from weasyprint import HTML  # imported on use: loading pango takes a while

    class PrintHTML(HTML):
        """HTML with our small user-agent stylesheet (`print_css/ua.css`): matching WeasyPrint's full one
        against every cell of the A3 book took about a third of the time spent on styles. (A WeasyPrint
        without this hook keeps its own sheet: the PDF is the same, only slower.)"""

        def _ua_stylesheets(self, forms=False):
            return [_stylesheet("ua.css")]

    return PrintHTML


def pdf_bytes(template: str, context: dict, *, page: str = A3_LANDSCAPE) -> bytes:
    """Render `template` and print it on `page` (the stylesheets live beside this module, not in the
    HTML: the templates hold no <style>, as everywhere else)."""
    html = render_to_string(template, context)
    sheets = [_stylesheet("book.css"), _stylesheet(page)]
    return _print_html_class()(string=html, base_url=str(CSS_DIR)).write_pdf(stylesheets=sheets)


def class_book_pdf(book: ClassBook) -> bytes:
    return pdf_bytes("gradebook/print/class_book.html", {"book": book})


def report_cards_pdf(book: ClassBook, lines) -> bytes:
    return pdf_bytes("gradebook/print/report_cards.html", {"book": book, "lines": lines}, page=A4_PORTRAIT)


def _mark(value) -> str:
    return "" if value is None else f"{value}".replace(".", ",")


def class_book_workbook(book: ClassBook) -> tuple[Workbook, int]:
    """The class book as a workbook: a sheet of students, then one sheet per subject (both semesters'
    columns, averages), then the results; returns the workbook and its row count (for the export audit)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Students")[:31]
    sheet.append([_("No."), _("Full name"), _("Date of birth"), _("Personal ID")])
    for line in book.students:
        born = line.student.date_of_birth
        sheet.append(
            [line.number, line.student.full_name, date_text(born) if born else "", line.student.national_id or ""]
        )
    for index, rule in enumerate(book.rules):
        sheet = workbook.create_sheet(f"{index + 1}. {rule.subject}"[:31])
        head = [_("No."), _("Full name")]
        for semester in (1, 2):
            if rule.by_comment:
                head.append(_("Semester 1") if semester == 1 else _("Semester 2"))
            else:
                head += [f"TX{i} HK{semester}" for i in range(1, rule.regular_count + 1)]
                head += [f"GK HK{semester}", f"CK HK{semester}", f"ĐTBmhk{semester}"]
        head.append(_("Year"))
        sheet.append(head)
        for line in book.students:
            subject = line.subjects[index]
            row = [line.number, line.student.full_name]
            for semester in (1, 2):
                term = subject.terms[semester]
                if rule.by_comment:
                    row.append(term.level)
                else:
                    row += [_mark(v) for v in term.regulars] + [
                        _mark(term.midterm),
                        _mark(term.end),
                        _mark(term.average),
                    ]
            row.append(subject.year_level if rule.by_comment else _mark(subject.year_average))
            sheet.append(row)
    sheet = workbook.create_sheet(_("Results")[:31])
    sheet.append(
        [
            _("No."),
            _("Full name"),
            _("Result semester 1"),
            _("Result semester 2"),
            _("Result of the year"),
            _("Conduct semester 1"),
            _("Conduct semester 2"),
            _("Conduct of the year"),
            _("Absences with permission"),
            _("Absences without permission"),
            _("Result after re-assessment"),
            _("Conduct after summer training"),
            _("Promoted / repeats the year"),
        ]
    )
    for line in book.students:
        sheet.append(
            [
                line.number,
                line.student.full_name,
                line.result_label(1),
                line.result_label(2),
                line.result_label(0),
                line.conduct_label(1),
                line.conduct_label(2),
                line.conduct_label(0),
                line.absent_with,
                line.absent_without,
                line.result_after_retest_label,
                line.conduct_after_summer_label,
                line.promotion_label,
            ]
        )
    return workbook, len(book.students)
