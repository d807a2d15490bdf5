"""The grade book's printed forms: the class book (A3 PDF, xlsx), the report cards (A4 PDF) and the school's
semester summary (xlsx, PDF). Every download of these is a download of personal data: audited."""

import functools
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from truonghoc.xlsx import download_response, xlsx_response
from units.models import Unit
from units.services import audit_export

from . import nav, printing, summary
from .book import class_book_data
from .permissions import can_run_gradebook, can_view_class_book, can_view_own_marks
from .services import current_school_year

YEAR_PATTERN = re.compile(r"([0-9]{4})-([0-9]{4})")


def _year(request, unit: Unit) -> str:
    """The school year asked for (?year=2026-2027), else the current one; a malformed year is a 404."""
    asked = request.GET.get("year", "")
    if not asked:
        return current_school_year(unit)
    match = YEAR_PATTERN.fullmatch(asked)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise Http404
    return asked


def _class(pk: int) -> Unit:
    return get_object_or_404(Unit, pk=pk, kind=Unit.Kind.CLASS)


def _audit(request, kind: str, book):
    return functools.partial(audit_export, actor=request.user, kind=kind, unit=book.school, target=book.school_class)


@login_required
def class_book_pdf(request, pk: int):
    school_class = _class(pk)
    if not can_view_class_book(request.user, school_class):
        raise PermissionDenied
    book = class_book_data(school_class, _year(request, school_class))
    filename = f"so-goi-ten-ghi-diem-{school_class.code}-{book.school_year}.pdf"
    return download_response(
        printing.class_book_pdf(book),
        filename,
        printing.PDF_CONTENT_TYPE,
        audit=_audit(request, "gradebook.class_book", book),
        rows=len(book.students),
    )


@login_required
def class_book_xlsx(request, pk: int):
    school_class = _class(pk)
    if not can_view_class_book(request.user, school_class):
        raise PermissionDenied
    book = class_book_data(school_class, _year(request, school_class))
    workbook, rows = printing.class_book_workbook(book)
    filename = f"so-goi-ten-ghi-diem-{school_class.code}-{book.school_year}.xlsx"
    return xlsx_response(workbook, filename, audit=_audit(request, "gradebook.class_book", book), rows=rows)


@login_required
def report_cards_pdf(request, pk: int):
    """Phiếu báo điểm: the whole class for its staff, or one student (?student=ID) for the staff and for
    that student themself."""
    school_class = _class(pk)
    asked = request.GET.get("student", "")
    if asked and not re.fullmatch(r"[0-9]{1,18}", asked):
        raise Http404
    staff = can_view_class_book(request.user, school_class)
    if not staff and not (asked and int(asked) == request.user.pk and can_view_own_marks(request.user, request.user)):
        raise PermissionDenied
    book = class_book_data(school_class, _year(request, school_class))
    lines = book.students
    if asked:
        lines = [line for line in lines if line.student.pk == int(asked)]
        if not lines:
            raise Http404
    name = f"phieu-bao-diem-{school_class.code}-{book.school_year}.pdf"
    return download_response(
        printing.report_cards_pdf(book, lines),
        name,
        printing.PDF_CONTENT_TYPE,
        audit=_audit(request, "gradebook.report_cards", book),
        rows=len(lines),
    )


@login_required
def semester_summary(request, pk: int, semester: int, fmt: str):
    """The school's semester summary table: per class, students per learning result and conduct, and the
    averages per subject."""
    school = get_object_or_404(Unit, pk=pk, kind__in=Unit.SCHOOL_KINDS)
    if semester not in (0, 1, 2) or fmt not in ("xlsx", "pdf"):
        raise Http404
    if not can_run_gradebook(request.user, school):
        raise PermissionDenied
    table = summary.semester_summary(school=school, school_year=_year(request, school), semester=semester)
    audit = functools.partial(audit_export, actor=request.user, kind="gradebook.summary", unit=school)
    filename = f"tong-hop-{school.code}-{table.school_year}-hk{semester}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(summary.summary_workbook(table), filename, audit=audit, rows=len(table.rows))
    content = printing.pdf_bytes("gradebook/print/summary.html", {"table": table})
    return download_response(content, filename, printing.PDF_CONTENT_TYPE, audit=audit, rows=len(table.rows))


@login_required
def class_print(request, pk: int):
    """The class book's printing page: its A3 PDF and xlsx, and the report cards, for the year asked."""
    school_class = _class(pk)
    if not can_view_class_book(request.user, school_class):
        raise PermissionDenied
    year = _year(request, school_class)
    return render(
        request,
        "gradebook/print/class_print.html",
        {
            "school_class": school_class,
            "school_year": year,
            "title": _("Roll-call and mark book"),
            "nav_links": nav.class_links(
                request.user, school_class=school_class, school_year=year, semester=None, current="print"
            ),
        },
    )
