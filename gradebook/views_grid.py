"""The entry grid (a class's subject in a semester, typed like a spreadsheet), its JSON save endpoint, and the
class book overview. Thin: permissions from permissions.py, reads from grid.py, every write through
services.mark_set (which checks the writer, the column, the lock and the version itself)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truonghoc.marks import mark_text
from truonghoc.params import parse_id, parse_int
from units.models import Unit

from . import grid as grid_reads
from . import nav, selectors, services
from .book import class_book_data
from .models import Level, MarkKind, Regulation, Semester
from .permissions import can_enter_marks, can_view_class_book
from .services import GRADEBOOK_WORDS, StaleMark

SUBJECT_MAX = 100


def _class_or_404(class_id: int) -> Unit:
    return get_object_or_404(Unit, pk=class_id, kind=Unit.Kind.CLASS, is_active=True)


def _semester_or_404(semester: int) -> int:
    if semester not in (Semester.FIRST, Semester.SECOND):
        raise Http404
    return semester


def _subject_or_404(subject: str) -> str:
    if not subject or len(subject) > SUBJECT_MAX or any(ord(ch) < 32 for ch in subject):
        raise Http404
    return subject


def _context(request, class_id: int, semester: int):
    school_class = _class_or_404(class_id)
    semester = _semester_or_404(semester)
    school = school_class.school()
    year = services.current_school_year(school)
    return school_class, school, year, semester


@login_required
def grid(request, class_id: int, semester: int, subject: str):
    school_class, school, year, semester = _context(request, class_id, semester)
    subject = _subject_or_404(subject)
    can_edit = can_enter_marks(
        request.user, school_class=school_class, subject=subject, school_year=year, semester=semester
    )
    if not can_edit and not can_view_class_book(request.user, school_class):
        raise Http404
    try:
        rule = services.subject_rule(school_year=year, school_class=school_class, subject=subject)
    except ValidationError as refused:
        raise Http404(refused.messages[0]) from refused
    columns, locked, rows = grid_reads.grid_rows(
        school=school, school_class=school_class, school_year=year, semester=semester, rule=rule
    )
    return render(
        request,
        "gradebook/grid_page.html",
        {
            "school_class": school_class,
            "school": school,
            "school_year": year,
            "semester": semester,
            "subject": subject,
            "rule": rule,
            "columns": columns,
            "locked": locked,
            "any_locked": any(locked.values()),
            "rows": rows,
            "can_edit": can_edit,
            "nav_links": nav.class_links(
                request.user,
                school_class=school_class,
                school_year=year,
                semester=semester,
                current=f"grid:{subject}",
                school=school,
            ),
            "levels": [(Level.PASSED, Level.PASSED.label), (Level.NOT_PASSED, Level.NOT_PASSED.label)],
            "primary_levels": [(code, Level(code).label) for code in services.PRIMARY_LEVELS],
            "is_primary": rule.regulation == Regulation.TT27_2020,
            "grid_text": {
                "saving": _("Saving…"),
                "saved": _("Saved"),
                "retry": _("Retry"),
                "offline": _("Not saved yet: the connection failed. Trying again…"),
                "failed": _("Not saved."),
                "yours": _("Yours:"),
                "use_mine": _("Save mine"),
                "unsaved_one": _("1 cell is not saved yet."),
                "unsaved_many": _("%(n)s cells are not saved yet."),
                "leave": _("Some marks are not saved yet. Leave the page anyway?"),
                "not_a_number": str(GRADEBOOK_WORDS.not_a_number),
                "out_of_range": str(GRADEBOOK_WORDS.out_of_range),
                "too_precise": str(GRADEBOOK_WORDS.too_precise),
            },
        },
    )


def _refusal(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message, **extra}, status=status)


@login_required
@require_POST
def cell_save(request, class_id: int, semester: int, subject: str):
    """Save one cell of the grid. Answers {ok, value_text, version, average_text, message}; a refusal is
    400 (bad input), 403 (not the subject's teacher) or 409 (locked, or saved by someone else meanwhile:
    then value_text and version are what is there now)."""
    school_class, _school, year, semester = _context(request, class_id, semester)
    subject = _subject_or_404(subject)
    student_id = parse_id(request.POST.get("student"))
    kind = request.POST.get("kind", "")
    index = parse_int(request.POST.get("index"), default=None, minimum=1, maximum=10)
    version = parse_int(request.POST.get("version"), default=None, minimum=0, maximum=2**31)
    grid_kinds = (MarkKind.REGULAR, MarkKind.MIDTERM, MarkKind.END_OF_TERM, MarkKind.LEVEL)
    if student_id is None or kind not in grid_kinds or index is None:
        return _refusal(_("This cell does not exist in the grid. Reload the page."), 400)
    level = request.POST.get("level", "")
    value = request.POST.get("value", "")
    if kind == MarkKind.LEVEL and level not in ("", *services.PRIMARY_LEVELS):
        return _refusal(services.levels_refusal(services.PRIMARY_LEVELS), 400)
    if level not in ("", *Level.values):
        return _refusal(_("Choose Đạt or Chưa đạt."), 400)
    if len(value) > 20:
        return _refusal(str(GRADEBOOK_WORDS.not_a_number), 400)
    try:
        mark = services.mark_set(
            actor=request.user,
            student_id=student_id,
            school_class=school_class,
            subject=subject,
            semester=semester,
            kind=kind,
            index=index,
            value=value,
            level=level,
            school_year=year,
            expected_version=version,
            source="grid",
        )
    except PermissionDenied as refused:
        return _refusal(str(refused) or _("You may not enter these marks."), 403)
    except StaleMark as refused:
        return _refusal(
            refused.messages[0],
            409,
            stale=True,
            value_text=grid_reads.cell_text(refused.mark),
            version=refused.mark.version,
        )
    except ValidationError as refused:
        status = 409 if refused.code in ("locked", "stale") else 400
        return _refusal(refused.messages[0], status, locked=refused.code == "locked")
    rule = services.subject_rule(school_year=year, school_class=school_class, subject=subject)
    result = grid_reads.student_result(student_id=student_id, school_year=year, semester=semester, rule=rule)
    return JsonResponse(
        {
            "ok": True,
            "value_text": mark_text(mark.value) if mark.value is not None else mark.level,
            "version": mark.version,
            "average_text": grid_reads.result_text(result),
            "message": _("Saved"),
        }
    )


@login_required
def class_book(request, class_id: int, semester: int):
    school_class, school, year, semester = _context(request, class_id, semester)
    if not can_view_class_book(request.user, school_class):
        raise Http404
    services.subject_rules_ensure(school_year=year)
    subject_rules = selectors.rules_for_grade(
        school_year=year, regulation=services.regulation_for(school_class), grade=school_class.grade or 0
    )
    rows = grid_reads.class_book_rows(
        school_class=school_class, school_year=year, semester=semester, subject_rules=subject_rules
    )
    # Semester II's page ends with the year's part: results, conduct (derived) and promotion (`book.py`).
    year_lines = class_book_data(school_class, year).students if semester == Semester.SECOND else None
    return render(
        request,
        "gradebook/class_book_page.html",
        {
            "school_class": school_class,
            "school": school,
            "school_year": year,
            "semester": semester,
            "subject_rules": subject_rules,
            "rows": rows,
            "year_lines": year_lines,
            "nav_links": nav.class_links(
                request.user,
                school_class=school_class,
                school_year=year,
                semester=semester,
                current="class_book",
                school=school,
            ),
        },
    )
