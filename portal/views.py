"""The pages that belong to no single app: the home page ("Không gian của tôi"), the public front page.
They read every app's selectors, so they sit above all of them (nobody imports portal)."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User
from accounts.selectors import children_of
from courses.selectors.home import learner_work
from forums.homeroom import homeroom_summary
from gradebook.selectors import own_marks, student_absences
from portal.summary import home_summary
from publications.selectors.front import national_front
from publications.selectors.parents import parent_front
from teaching.selectors_timetable import student_week
from truonghoc import fragments
from truonghoc.params import parse_id
from units.models import Role
from units.periods import semester_of


def home(request):
    user = request.user
    if not user.is_authenticated:
        # The public front page: national news and public letters, and the way in.
        return render(request, "portal/front.html", national_front())
    if user.account_type == User.AccountType.PARENT:
        return parent_home(request)
    context = {
        "role_labels": [Role(role).label for role in user.roles],
        # Every list of the page, kept a minute per person (portal/summary.py); the header, messages and
        # unread notifications stay live.
        "summary": home_summary(user=user),
        "summary_cached": fragments.personal_seconds() > 0,
    }
    return render(request, "portal/home.html", context)


def parent_home(request):
    """A parent's home page (issue #17), phone first: a switcher between their children and, for the one
    chosen (`?hs=<id>`, else the first), the work due, handed in and missing in the child's courses, the
    marks of the current semester as the child sees them, and the absences. Only the parent's own
    children (their current links) are ever read; another id is a 404. A fixed number of queries,
    whatever the number of children."""
    links = children_of(parent=request.user)
    asked = parse_id(request.GET.get("hs"))
    if request.GET.get("hs") and asked is None:
        raise Http404
    link = next((link for link in links if link.child_id == asked), None) if asked else (links[0] if links else None)
    if asked and link is None:
        raise Http404
    context = {"links": links, "chosen": link}
    if link is not None:
        child = link.child
        period = semester_of(timezone.localdate(), child.unit)
        year = f"{period.first_year}-{period.first_year + 1}"
        work = learner_work(learner=child)
        marks = own_marks(student=child, school_year=year)
        for row in marks["subjects"]:
            row["term"] = next((t for t in row["semesters"] if t["semester"] == period.number), None)
        context.update(
            child=child,
            semester=period,
            school_year=year,
            upcoming=[a for a in work if not a.is_overdue and a.submission is None],
            missing=[a for a in work if a.is_overdue and a.submission is None],
            handed_in=sorted((a for a in work if a.submission is not None), key=lambda a: a.due_at, reverse=True),
            marks=marks["subjects"],
            conduct=marks["conduct"].get(period.number),
            absences=student_absences(student=child, start=period.start, end=period.end),
        )
        context["timetable_week"] = student_week(
            student=child, joins=False
        )  # the child's week (teaching, three queries)
        context["homeroom"] = homeroom_summary(child=child, user=request.user)  # issue #17: messages
    context["parent_front"] = parent_front(user=request.user)  # issue #17: letters and news for parents
    return render(request, "portal/parent_home.html", context)
