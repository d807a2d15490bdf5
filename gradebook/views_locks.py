"""Pages of deadlines and locks, change requests, a mark's history, and the class book (absences,
conduct, comments). Thin: each checks who may see, then hands the write to gradebook.locking or
gradebook.classbook and shows its refusal next to the form."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import class_students
from truonghoc.forms import add_service_errors, service_outcome
from truonghoc.params import parse_int
from units.models import Unit

from . import classbook, locking, nav
from .forms_locks import RATING_CHOICES, AbsenceForm, ChangeRequestForm, DeadlineForm, DecisionForm, LockForm
from .models import Absence, EntryDeadline, Lock, Mark, MarkChangeRequest, StudentComment
from .permissions import (
    can_decide_changes,
    can_run_gradebook,
    can_set_conduct,
    can_view_class_book,
    can_view_mark_history,
    teaches_class,
)
from .selectors import conduct_rows
from .services import current_school_year


def _semester_param(request, default=1) -> int:
    return parse_int(request.GET.get("hk"), default=default, minimum=0, maximum=2)


def _school_or_404(pk) -> Unit:
    unit = get_object_or_404(Unit, pk=pk)
    if not unit.is_school:
        raise Http404
    return unit


def _class_or_404(pk) -> Unit:
    return get_object_or_404(Unit, pk=pk, kind=Unit.Kind.CLASS)


# --- deadlines and locks -------------------------------------------------------------------------------


@login_required
def locks_page(request, school_id):
    school = _school_or_404(school_id)
    if not can_run_gradebook(request.user, school):
        raise PermissionDenied
    semester = _semester_param(request)
    year = current_school_year(school)
    classes = Unit.objects.children(school, kinds=[Unit.Kind.CLASS]).filter(is_active=True).order_by("name")
    action = request.POST.get("action") if request.method == "POST" else ""
    deadline_form = DeadlineForm(request.POST if action == "deadline" else None, prefix="d")
    lock_form = LockForm(request.POST if action == "lock" else None, classes=classes, prefix="l")
    here = locking.locks_url(school, semester)
    if action == "deadline" and deadline_form.is_valid():
        try:
            locking.deadline_set(actor=request.user, school=school, semester=semester, **deadline_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(deadline_form, exc)
        else:
            messages.success(request, _("Deadline saved; the teachers have been told."))
            return redirect(here)
    if action == "lock" and lock_form.is_valid():
        try:
            locking.lock_set(actor=request.user, school=school, semester=semester, **lock_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(lock_form, exc)
        else:
            messages.success(request, _("Lock saved; the teachers concerned have been told."))
            return redirect(here)
    now = timezone.now()
    locks = list(
        Lock.objects.filter(school=school, school_year=year, semester=semester)
        .select_related("school_class", "set_by")
        .order_by("locks_at", "pk")
    )
    for lock in locks:
        lock.in_force = lock.locks_at <= now
        lock.scope = locking.lock_scope_text(lock)
    deadlines = EntryDeadline.objects.filter(school=school, school_year=year, semester=semester).order_by("due")
    return render(
        request,
        "gradebook/locks.html",
        {
            "school": school,
            "year": year,
            "semester": semester,
            "semesters": [(1, _("Semester 1")), (2, _("Semester 2")), (0, _("Whole year"))],
            "deadline_form": deadline_form,
            "lock_form": lock_form,
            "locks": locks,
            "deadlines": deadlines,
            "nav_links": nav.school_links(request.user, school=school, semester=semester, current="locks"),
        },
    )


@login_required
@require_POST
def lock_cancel(request, pk):
    lock = get_object_or_404(Lock.objects.select_related("school"), pk=pk)
    if not can_run_gradebook(request.user, lock.school):
        raise PermissionDenied
    with service_outcome(request, _("The scheduled lock was cancelled.")):
        locking.lock_cancel(actor=request.user, lock=lock)
    return redirect(locking.locks_url(lock.school, lock.semester))


# --- change requests -----------------------------------------------------------------------------------


@login_required
def change_request_new(request, mark_id):
    mark = get_object_or_404(Mark.objects.select_related("school_class", "student", "school"), pk=mark_id)
    if not can_view_mark_history(request.user, mark) or mark.student_id == request.user.pk:
        raise Http404
    form = ChangeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = locking.change_request_create(
                actor=request.user,
                mark=mark,
                value=data["value"].strip() or None,
                level=data["level"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your request was sent to the principal."))
            return redirect(locking.request_url(change))
    return render(request, "gradebook/change_request_new.html", {"mark": mark, "form": form})


def _may_see_request(user, change: MarkChangeRequest) -> bool:
    return change.author_id == user.pk or can_decide_changes(user, change.unit) or can_run_gradebook(user, change.unit)


@login_required
def change_requests(request):
    """What waits for this principal's decision, and the requests this teacher sent."""
    schools = [
        unit
        for unit in Unit.objects.filter(
            role_assignments__user=request.user, kind__in=Unit.SCHOOL_KINDS, is_active=True
        ).distinct()
        if can_decide_changes(request.user, unit)
    ]
    waiting = (
        MarkChangeRequest.objects.filter(unit__in=schools, status__in=locking.OPEN_STATUSES)
        .exclude(author=request.user)
        .select_related("mark", "mark__school_class", "mark__student", "author")
        .order_by("created_at", "pk")
    )
    mine = (
        MarkChangeRequest.objects.filter(author=request.user)
        .select_related("mark", "mark__school_class", "mark__student")
        .order_by("-created_at", "-pk")[:50]
    )
    return render(request, "gradebook/change_requests.html", {"waiting": waiting, "mine": mine})


@login_required
def change_request_detail(request, pk):
    change = get_object_or_404(
        MarkChangeRequest.objects.select_related("mark", "mark__school_class", "mark__student", "author", "unit"),
        pk=pk,
    )
    if not _may_see_request(request.user, change):
        raise Http404
    may_decide = change.is_open and locking._may_decide(request.user, change)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    locking.change_request_approve(actor=request.user, request=change)
                    done = _("Approved: the mark has its new value.")
                else:
                    locking.change_request_refuse(
                        actor=request.user, request=change, reason=form.cleaned_data["reason"]
                    )
                    done = _("Refused; the teacher has been told why.")
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect(reverse("gradebook:change_requests"))
    trail = change.reviews.select_related("unit", "by").order_by("at", "pk")
    return render(
        request,
        "gradebook/change_request.html",
        {"change": change, "form": form, "may_decide": may_decide, "trail": trail},
    )


# --- a mark's history ----------------------------------------------------------------------------------


@login_required
def mark_history(request, mark_id):
    mark = get_object_or_404(Mark.objects.select_related("school_class", "student"), pk=mark_id)
    if not can_view_mark_history(request.user, mark):
        raise Http404
    events = mark.events.select_related("by", "approved_by").order_by("at", "pk")
    return render(request, "gradebook/mark_history.html", {"mark": mark, "events": events})


# --- the class book: absences, conduct, comments -------------------------------------------------------


@login_required
def class_absences(request, class_id):
    school_class = _class_or_404(class_id)
    year = current_school_year(school_class.school())
    subjects = teaches_class(request.user, school_class=school_class, school_year=year)
    homeroom = can_set_conduct(request.user, school_class)
    if not (can_view_class_book(request.user, school_class) or subjects):
        raise Http404
    today = timezone.localdate()
    start = parse_date(request.GET.get("tuan") or "") if len(request.GET.get("tuan") or "") == 10 else None
    start = start or today
    start -= timedelta(days=start.weekday())
    days = [start + timedelta(days=n) for n in range(6)]
    students = class_students(school_class=school_class)
    form = AbsenceForm(request.POST or None, students=students, initial={"day": today})
    may_write = homeroom or bool(subjects)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                classbook.absence_record(
                    actor=request.user,
                    school_class=school_class,
                    student_id=data["student"],
                    day=data["day"],
                    period=data["period"],
                    subject=data["subject"],
                    with_permission=data["with_permission"],
                )
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, _("Absence recorded."))
                return redirect(f"{request.path}?tuan={data['day'] - timedelta(days=data['day'].weekday())}")
    absences = Absence.objects.filter(school_class=school_class, day__gte=days[0], day__lte=days[-1])
    grid = {}
    for absence in absences:
        grid.setdefault(absence.student_id, {}).setdefault(absence.day, []).append(absence)
    rows = [(student, [grid.get(student.pk, {}).get(day, []) for day in days]) for student in students]
    return render(
        request,
        "gradebook/absences.html",
        {
            "school_class": school_class,
            "days": days,
            "rows": rows,
            "form": form,
            "may_write": may_write,
            "previous": days[0] - timedelta(days=7),
            "next": days[0] + timedelta(days=7),
            "nav_links": nav.class_links(
                request.user, school_class=school_class, school_year=year, semester=None, current="absences"
            ),
        },
    )


@login_required
@require_POST
def absence_remove(request, pk):
    absence = get_object_or_404(Absence.objects.select_related("school_class"), pk=pk)
    try:
        classbook.absence_remove(actor=request.user, absence=absence)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Absence removed."))
    monday = absence.day - timedelta(days=absence.day.weekday())
    return redirect(reverse("gradebook:absences", kwargs={"class_id": absence.school_class_id}) + f"?tuan={monday}")


@login_required
def class_conduct(request, class_id):
    school_class = _class_or_404(class_id)
    if not can_view_class_book(request.user, school_class):
        raise Http404
    semester = _semester_param(request)
    year = current_school_year(school_class.school())
    students = class_students(school_class=school_class)
    may_write = can_set_conduct(request.user, school_class)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        saved, refused = 0, []
        for student in students:
            rating = request.POST.get(f"s{student.pk}")
            if rating is None:
                continue
            try:
                classbook.conduct_set(
                    actor=request.user,
                    school_class=school_class,
                    student_id=student.pk,
                    semester=semester,
                    rating=rating,
                    school_year=year,
                )
                saved += 1
            except ValidationError as exc:
                refused.append(f"{student.full_name}: {' '.join(exc.messages)}")
        for line in refused[:5]:
            messages.error(request, line)
        if not refused:
            messages.success(request, _("Conduct saved."))
        return redirect(f"{request.path}?hk={semester}")
    rows = conduct_rows(students=students, school_class=school_class, school_year=year, semester=semester)
    locked = classbook.conduct_locked(school_class=school_class, school_year=year, semester=semester)
    return render(
        request,
        "gradebook/conduct.html",
        {
            "school_class": school_class,
            "semester": semester,
            "semesters": [(1, _("Semester 1")), (2, _("Semester 2")), (0, _("Year and after summer training"))],
            "rows": rows,
            "choices": RATING_CHOICES,
            "may_write": may_write and not locked,
            "locked": locked,
            "nav_links": nav.class_links(
                request.user, school_class=school_class, school_year=year, semester=semester, current="conduct"
            ),
        },
    )


@login_required
def class_comments(request, class_id):
    school_class = _class_or_404(class_id)
    if not can_view_class_book(request.user, school_class):
        raise Http404
    semester = parse_int(request.GET.get("hk"), default=1, minimum=1, maximum=2)
    year = current_school_year(school_class.school())
    subjects = teaches_class(request.user, school_class=school_class, school_year=year, semester=semester)
    subject = (request.GET.get("subject") or "")[:100]
    if subject and subject not in subjects:
        subject = ""
    may_write = (not subject and can_set_conduct(request.user, school_class)) or bool(subject)
    students = class_students(school_class=school_class)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        refused = []
        for student in students:
            text = request.POST.get(f"s{student.pk}")
            if text is None:
                continue
            try:
                classbook.comment_set(
                    actor=request.user,
                    school_class=school_class,
                    student_id=student.pk,
                    semester=semester,
                    subject=subject,
                    text=text.replace("\x00", ""),
                    school_year=year,
                )
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{student.full_name}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        for line in refused[:5]:
            messages.error(request, line)
        if not refused:
            messages.success(request, _("Comments saved."))
        query = f"?hk={semester}" + (f"&subject={subject}" if subject else "")
        return redirect(request.path + query)
    texts = dict(
        StudentComment.objects.filter(
            student__in=students, school_year=year, semester=semester, subject=subject
        ).values_list("student_id", "text")
    )
    rows = [(student, texts.get(student.pk, "")) for student in students]
    return render(
        request,
        "gradebook/comments.html",
        {
            "school_class": school_class,
            "semester": semester,
            "subject": subject,
            "subjects": subjects,
            "rows": rows,
            "may_write": may_write,
            "nav_links": nav.class_links(
                request.user, school_class=school_class, school_year=year, semester=semester, current="comments"
            ),
        },
    )
