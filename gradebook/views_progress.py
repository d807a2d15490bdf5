"""Grade-entry progress of a school (per teacher, class and subject) and a student's own marks."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from truonghoc.params import parse_id, parse_int
from truonghoc.text import fold
from units.models import Unit

from . import nav, progress
from .permissions import can_view_own_marks, can_view_progress
from .selectors import own_marks
from .services import current_school_year

SORTS = {
    "class": lambda row: (fold(row.class_name), fold(row.subject)),
    "subject": lambda row: (fold(row.subject), fold(row.class_name)),
    "teacher": lambda row: (fold(row.teacher_name), fold(row.class_name)),
    "percent": lambda row: (row.percent if row.percent is not None else 101, fold(row.class_name)),
}


@login_required
def school_progress(request, pk: int):
    """Tiến độ vào điểm of a school: per teaching assignment, marks in / expected, missed deadlines;
    filters by teacher, class, subject and "behind only", sorted by class, subject, teacher or percent."""
    school = get_object_or_404(Unit, pk=pk, kind__in=(Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY))
    if not can_view_progress(request.user, school):
        raise Http404
    semester = parse_int(request.GET.get("semester"), default=1, minimum=1, maximum=2)
    year = current_school_year(school)
    rows = progress.school_progress(school=school, school_year=year, semester=semester)
    teachers = sorted({(row.teacher_id, row.teacher_name) for row in rows}, key=lambda t: fold(t[1]))
    classes = sorted({(row.school_class_id, row.class_name) for row in rows}, key=lambda c: fold(c[1]))
    subjects = sorted({row.subject for row in rows}, key=fold)
    teacher_id = parse_id(request.GET.get("teacher"))
    class_id = parse_id(request.GET.get("class"))
    subject = request.GET.get("subject", "")
    behind_only = request.GET.get("behind") == "1"
    shown = [
        row
        for row in rows
        if (teacher_id is None or row.teacher_id == teacher_id)
        and (class_id is None or row.school_class_id == class_id)
        and (not subject or row.subject == subject)
        and (not behind_only or row.behind)
    ]
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "class"
    shown.sort(key=SORTS[sort])
    context = {
        "school": school,
        "year": year,
        "semester": semester,
        "rows": shown,
        "has_assignments": bool(rows),
        "total": progress.totals(rows),
        "teachers": teachers,
        "classes": classes,
        "subjects": subjects,
        "teacher_id": teacher_id,
        "class_id": class_id,
        "subject": subject,
        "behind_only": behind_only,
        "sort": sort,
        "nav_links": nav.school_links(request.user, school=school, semester=semester, current="progress"),
    }
    return render(request, "gradebook/progress_school.html", context)


@login_required
def my_marks(request):
    """A student's own marks of this school year, with averages and conduct; nobody else's."""
    student = request.user
    if not can_view_own_marks(request.user, student) or student.unit is None:
        raise Http404
    year = current_school_year(student.unit)
    context = {"year": year, **own_marks(student=student, school_year=year)}
    return render(request, "gradebook/my_marks.html", context)
