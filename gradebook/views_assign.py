"""Teaching-assignment pages, a teacher's "My classes", and the grid as xlsx (its upload, and the
assignments' spreadsheet, are in views_imports.py)."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from truonghoc.forms import service_outcome
from truonghoc.params import parse_id, parse_int
from truonghoc.text import fold, search_text
from truonghoc.xlsx import xlsx_response
from units.models import Unit
from units.services import audit_export

from . import nav, selectors, services
from .grid_xlsx import grid_xlsx
from .models import TeachingAssignment
from .permissions import can_enter_marks, can_run_gradebook, can_view_class_book

PAGE_SIZE = 50


def _school_or_404(user, school_id: int) -> Unit:
    school = get_object_or_404(Unit, pk=school_id, kind=Unit.Kind.SCHOOL)
    if not can_run_gradebook(user, school):
        raise Http404
    return school


def _semester(value) -> int:
    return parse_int(value, default=1, minimum=1, maximum=2)


@login_required
def assignments(request, school_id: int):
    """A school's assignments for a semester of this year: filter, search, set one, links to remove."""
    user = request.user
    school = _school_or_404(user, school_id)
    year = services.current_school_year(school)
    semester = _semester(request.POST.get("semester") if request.method == "POST" else request.GET.get("semester"))
    classes = list(selectors.open_classes(school=school))
    teachers = list(selectors.school_teachers(school=school))
    subjects = selectors.school_subjects(school=school, school_year=year)
    if request.method == "POST":
        by_class = {c.pk: c for c in classes}
        by_teacher = {t.pk: t for t in teachers}
        school_class = by_class.get(parse_id(request.POST.get("class")))
        teacher = by_teacher.get(parse_id(request.POST.get("teacher")))
        subject = (request.POST.get("subject") or "").strip()
        if school_class is None or teacher is None or subject not in subjects:
            messages.error(request, _("Choose a class, a subject and a teacher from the lists. Nothing was changed."))
        else:
            with service_outcome(request) as outcome:
                services.assignment_set(
                    actor=user,
                    school_class=school_class,
                    subject=subject,
                    semester=semester,
                    teacher=teacher,
                    school_year=year,
                )
                outcome.success = _("%(teacher)s now teaches %(subject)s in %(name)s in semester %(semester)s.") % {
                    "teacher": teacher.full_name,
                    "subject": subject,
                    "name": school_class.name,
                    "semester": semester,
                }
        return redirect(f"{request.path}?semester={semester}")
    rows = selectors.assignments_of_school(school=school, school_year=year, semester=semester)
    class_id = parse_id(request.GET.get("class"))
    teacher_id = parse_id(request.GET.get("teacher"))
    subject = (request.GET.get("subject") or "").strip()
    subject = subject if subject in subjects else ""
    if class_id:
        rows = rows.filter(school_class_id=class_id)
    if teacher_id:
        rows = rows.filter(teacher_id=teacher_id)
    if subject:
        rows = rows.filter(subject=subject)
    query = search_text(request.GET.get("q"))
    rows = list(rows)
    if query:
        words = fold(query).split()
        rows = [
            r for r in rows if all(w in fold(f"{r.school_class.name} {r.subject} {r.teacher.full_name}") for w in words)
        ]
    page = Paginator(rows, PAGE_SIZE).get_page(parse_int(request.GET.get("page"), default=1, minimum=1))
    context = {
        "unit": school,
        "school_year": year,
        "semester": semester,
        "page": page,
        "query": query,
        "classes": classes,
        "teachers": teachers,
        "subjects": subjects,
        "filtered": bool(class_id or teacher_id or subject or query),
        "chosen": {"class": class_id, "teacher": teacher_id, "subject": subject},
        "nav_links": nav.school_links(request.user, school=school, semester=semester, current="assignments"),
    }
    return render(request, "gradebook/assignments.html", context)


@login_required
def assignment_remove(request, pk: int):
    """Confirm, then remove one assignment (its marks stay)."""
    assignment = get_object_or_404(
        TeachingAssignment.objects.select_related("school", "school_class", "teacher"), pk=pk
    )
    if not can_run_gradebook(request.user, assignment.school):
        raise Http404
    back = f"{_assignments_url(assignment.school)}?semester={assignment.semester}"
    if request.method == "POST":
        with service_outcome(request, _("The assignment was removed; the marks already entered stay in the book.")):
            services.assignment_remove(actor=request.user, assignment=assignment)
        return redirect(back)
    return render(request, "gradebook/assignment_remove.html", {"assignment": assignment, "back": back})


@login_required
def assignments_copy(request, school_id: int):
    """Confirm, then copy semester 1's assignments to semester 2."""
    school = _school_or_404(request.user, school_id)
    year = services.current_school_year(school)
    if request.method == "POST":
        with service_outcome(request) as outcome:
            changed = services.assignments_copy_semester(actor=request.user, school=school, school_year=year)
            outcome.success = _("Semester 2 now has semester 1's teachers: %(count)s assignment(s) set.") % {
                "count": changed
            }
        return redirect(f"{_assignments_url(school)}?semester=2")
    count = TeachingAssignment.objects.filter(school=school, school_year=year, semester=1).count()
    return render(request, "gradebook/assignments_copy.html", {"unit": school, "school_year": year, "count": count})


def _assignments_url(school: Unit) -> str:
    return reverse("gradebook:assignments", kwargs={"school_id": school.pk})


@login_required
def my_classes(request):
    """What the teacher teaches this school year, each with its grid and its xlsx."""
    user = request.user
    home = getattr(user, "unit", None)
    year = services.current_school_year(home) if home is not None else ""
    rows = list(selectors.assignments_of_teacher(teacher=user, school_year=year)) if year else []
    return render(request, "gradebook/my_classes.html", {"rows": rows, "school_year": year})


def _grid_target(request, class_id: int, semester: int, subject: str, *, write: bool):
    school_class = get_object_or_404(Unit, pk=class_id, kind=Unit.Kind.CLASS)
    if semester not in (1, 2) or "\x00" in subject or len(subject) > 100:
        raise Http404
    year = services.current_school_year(school_class.school())
    allowed = can_enter_marks(
        request.user, school_class=school_class, subject=subject, school_year=year, semester=semester
    )
    if not allowed and (write or not can_view_class_book(request.user, school_class)):
        raise Http404
    try:
        services.subject_rule(school_year=year, school_class=school_class, subject=subject)
    except ValidationError as error:
        raise Http404 from error
    return school_class, year


@login_required
def grid_export(request, class_id: int, semester: int, subject: str):
    school_class, year = _grid_target(request, class_id, semester, subject, write=False)
    content = grid_xlsx(school_class=school_class, subject=subject, semester=semester, school_year=year)
    filename = (
        f"bang-diem-{fold(school_class.name).replace(' ', '')}-{fold(subject).replace(' ', '-')}-hk{semester}.xlsx"
    )
    audit = partial(audit_export, actor=request.user, kind="gradebook_grid", unit=school_class)
    return xlsx_response(content, filename, audit=audit)


# --- marks from online tests and graded submissions ---------------------------------------------------


@login_required
def score_sources(request):
    """The teacher's tests and course assignments, each with "Send to the grade book"."""
    from courses.models import Assignment
    from materials.models import Quiz

    user = request.user
    quizzes = Quiz.objects.filter(author=user, deleted_at__isnull=True).order_by("-pk")[:100]
    tasks = (
        Assignment.objects.filter(course__author=user, course__deleted_at__isnull=True)
        .select_related("course")
        .order_by("-pk")[:100]
    )
    return render(request, "gradebook/score_sources.html", {"quizzes": quizzes, "tasks": tasks})


def _score_source(user, kind: str, pk: int):
    from courses.models import Assignment
    from courses.permissions import is_instructor
    from materials.models import Quiz
    from materials.permissions.quizzes import can_manage_quiz

    from .from_scores import quiz_score_map, submission_score_map

    if kind == "test":
        quiz = get_object_or_404(Quiz, pk=pk, deleted_at__isnull=True)
        if not can_manage_quiz(user, quiz):
            raise Http404
        return quiz.title, lambda: quiz_score_map(quiz), f"test:{quiz.pk}"
    if kind == "submission":
        task = get_object_or_404(Assignment.objects.select_related("course"), pk=pk, course__deleted_at__isnull=True)
        if not is_instructor(user, task.course):
            raise Http404
        return task.title, lambda: submission_score_map(task), f"submission:{task.pk}"
    raise Http404


@login_required
def scores_send(request, kind: str, pk: int):
    """Choose class, subject, semester (one of the teacher's assignments) and a regular column; preview
    per student; confirm writes through mark_set."""
    from .from_scores import scores_send as send
    from .from_scores import send_plan

    user = request.user
    title, scores_of, source = _score_source(user, kind, pk)
    home = getattr(user, "unit", None)
    year = services.current_school_year(home) if home is not None else ""
    targets = list(selectors.assignments_of_teacher(teacher=user, school_year=year)) if year else []
    context = {"title": title, "targets": targets, "kind": kind, "pk": pk}
    if request.method == "POST":
        target = {t.pk: t for t in targets}.get(parse_id(request.POST.get("target")))
        index = parse_int(request.POST.get("index"), default=0, minimum=1, maximum=4)
        if target is None or not index:
            messages.error(request, _("Choose one of your classes and a regular column. Nothing was written."))
            return render(request, "gradebook/scores_send.html", context)
        context.update(target=target, index=index)
        where = {
            "school_class": target.school_class,
            "subject": target.subject,
            "semester": target.semester,
            "index": index,
        }
        if request.POST.get("confirm"):
            with service_outcome(request) as outcome:
                plan = send(actor=user, scores=scores_of(), source=source, school_year=year, **where)
                outcome.success = _("%(count)s mark(s) written into TX%(index)s.") % {
                    "count": len(plan.rows),
                    "index": index,
                }
            if outcome.ok:
                return redirect("gradebook:my_classes")
        context["plan"] = send_plan(scores=scores_of(), school_year=year, **where)
    return render(request, "gradebook/scores_send.html", context)
