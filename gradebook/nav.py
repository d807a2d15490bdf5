"""The grade book's page navigation: the links between a class's pages (its book, the user's grids,
absences, conduct, comments, printing) and between a school's pages (progress, assignments, deadlines and
locks, change requests, the semester summary). Each list holds only the links the user may follow, decided
by `permissions` here, in the view, so the template only prints them; the views still enforce."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from units.models import Unit

from .permissions import (
    can_decide_changes,
    can_run_gradebook,
    can_view_class_book,
    can_view_progress,
    is_homeroom_teacher,
    teaches_class,
)


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    url: str
    active: bool = False


def _semester(semester: int | None) -> int:
    return semester if semester in (1, 2) else 1


def class_links(
    user, *, school_class: Unit, school_year: str, semester: int | None, current: str, school: Unit | None = None
) -> list[NavLink]:
    """The class's pages `user` may open, `current` marked active (keys: class_book, grid:<subject>,
    absences, conduct, comments, print, locks). One query (the subjects the user teaches there that
    semester), two for a teacher who teaches the class only in another semester, a third for a school's
    runner when `school` (the class's) is not given; the roles come from the per-user cache."""
    semester = _semester(semester)
    pk = school_class.pk
    subjects = teaches_class(user, school_class=school_class, school_year=school_year, semester=semester)
    # Teaching the class that semester is one of the ways to see its book: no second query then.
    sees_book = bool(subjects) or can_view_class_book(user, school_class)
    links: list[tuple[str, str, str]] = []
    if sees_book:
        links.append(("class_book", _("Class book"), reverse("gradebook:class_book", args=[pk, semester])))
    for subject in subjects:
        url = reverse("gradebook:grid", kwargs={"class_id": pk, "semester": semester, "subject": subject})
        links.append((f"grid:{subject}", _("Marks: %(subject)s") % {"subject": subject}, url))
    if sees_book or subjects or is_homeroom_teacher(user, school_class):
        links.append(("absences", _("Absences"), reverse("gradebook:absences", args=[pk])))
    if sees_book:
        links += [
            ("conduct", _("Conduct"), f"{reverse('gradebook:conduct', args=[pk])}?hk={semester}"),
            ("comments", _("Comments"), f"{reverse('gradebook:comments', args=[pk])}?hk={semester}"),
            ("print", _("Print the class book"), reverse("gradebook:class_print", args=[pk])),
        ]
    school_path = school_class.school_path or ""
    if school_path and can_run_gradebook(user, school_path):
        locks = reverse("gradebook:locks", args=[(school or school_class.school()).pk])
        links.append(("locks", _("Deadlines and locks"), f"{locks}?hk={semester}"))
    return [NavLink(key, label, url, key == current) for key, label, url in links]


def school_links(user, *, school: Unit, semester: int | None, current: str) -> list[NavLink]:
    """A school's grade-book pages `user` may open (keys: progress, assignments, locks, change_requests,
    summary_xlsx, summary_pdf), `current` marked active; no query (the roles are cached per user)."""
    semester = _semester(semester)
    pk = school.pk
    runs = can_run_gradebook(user, school)
    links: list[tuple[str, str, str]] = []
    if can_view_progress(user, school):
        progress = reverse("gradebook:progress_school", args=[pk])
        links.append(("progress", _("Grade-entry progress"), f"{progress}?semester={semester}"))
    if runs:
        assignments = f"{reverse('gradebook:assignments', args=[pk])}?semester={semester}"
        links += [
            ("assignments", _("Teaching assignments"), assignments),
            ("locks", _("Deadlines and locks"), f"{reverse('gradebook:locks', args=[pk])}?hk={semester}"),
        ]
    if runs or can_decide_changes(user, school):
        links.append(("change_requests", _("Change requests"), reverse("gradebook:change_requests")))
    if runs:
        for fmt, label in (("xlsx", _("Semester summary (xlsx)")), ("pdf", _("Semester summary (PDF)"))):
            links.append((f"summary_{fmt}", label, reverse("gradebook:semester_summary", args=[pk, semester, fmt])))
    return [NavLink(key, label, url, key == current) for key, label, url in links]
