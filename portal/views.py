"""The pages that belong to no single app: the home page ("Không gian của tôi"), the public front page.
They read every app's selectors, so they sit above all of them (nobody imports portal)."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User
from accounts.selectors import children_of
from contests.permissions import organiser_units as contest_organiser_units
from contests.selectors import open_for_registration
from courses.permissions import can_assign_group_tasks
from courses.selectors.group_tasks import home_group_tasks
from courses.selectors.home import due_next, learner_work, my_courses, upcoming_sessions
from courses.selectors.teaching import grading_queue, group_work, taught_courses
from forums.homeroom import homeroom_summary, homeroom_unread_count
from gradebook.permissions import can_view_progress
from gradebook.selectors import own_marks, student_absences
from materials.selectors.attempts import home_quizzes
from publications.selectors.front import national_front, personal_front
from publications.selectors.parents import parent_front
from reports.permissions import can_view_stats
from teaching.permissions import can_edit_timetable
from teaching.selectors_timetable import student_week
from truonghoc.params import parse_id
from units.models import Role
from units.periods import semester_of
from units.permissions import SCHOOL_MANAGER_ROLES, STAFF_ROLES, TEACHING_ROLES, Action, scope
from units.selectors import home_units


def home(request):
    user = request.user
    if not user.is_authenticated:
        # The public front page: national news and public letters, and the way in.
        return render(request, "portal/front.html", national_front())
    if user.account_type == User.AccountType.PARENT:
        return parent_home(request)
    units = home_units(user=user)
    manage_scope = scope(user, Action.MANAGE)
    # Schools whose accounts this person looks after, for a direct link ("Quản lý tài khoản").
    account_schools = [u for u in units if u.is_school and Role.SCHOOL_ADMIN in user.roles]
    # Where this person follows participation figures: their highest unit they may report on.
    stats_unit = next((u for u in units if u.kind not in ("group", "class") and can_view_stats(user, u)), None)
    context = {
        "stats_unit": stats_unit,
        "home_units": units,
        "account_schools": account_schools,
        "decides_quotas": bool(set(user.roles) & STAFF_ROLES),
        "roles": user.roles,
        "role_labels": [Role(role).label for role in user.roles],
        "can_manage_any": bool(manage_scope.prefixes) or manage_scope.everything,
        # Schools whose professional groups this person gives tasks to (their principal).
        "task_schools": [u for u in units if u.is_school and can_assign_group_tasks(user, u)],
        # The grade book (issue #16): a student's own marks, a school's grade-entry progress.
        "own_marks": Role.STUDENT in user.roles,
        "progress_schools": [u for u in units if u.is_school and can_view_progress(user, u)],
        # Teaching plans and the online share (issue #17): whoever teaches or runs a school.
        "teaching_plans": bool(set(user.roles) & (TEACHING_ROLES | SCHOOL_MANAGER_ROLES)),
        # The timetable (issue #17): a teacher's own week; the schools whose timetables this person edits.
        "my_timetable": bool(set(user.roles) & TEACHING_ROLES),
        "timetable_schools": [u for u in units if u.is_school and can_edit_timetable(user, u)],
        # Contests (issue #18): those who organise, and those a contest is taking registrations from.
        "contests_organise": bool(contest_organiser_units(user)),
        "contests_open": open_for_registration(user=user).count(),
        # Experiential activities (issue #18 point 5): teachers set them, principals read them, students
        # take part (by roles alone: no query).
        "activities_teach": bool(set(user.roles) & (TEACHING_ROLES | {Role.PRINCIPAL, Role.VICE_PRINCIPAL})),
        "activities_learn": Role.STUDENT in user.roles,
        # Parents' messages to the homeroom teacher (issue #17): None for who is no homeroom teacher.
        "homeroom_unread": homeroom_unread_count(user=user)
        if set(user.roles) & (TEACHING_ROLES | {Role.PRINCIPAL})
        else None,
    }
    if Role.STUDENT in user.roles:
        # The pupil's week with the links they may follow (three queries, whatever the number of slots).
        context["timetable_week"] = student_week(student=user)
    # Learners: what to hand in next, sessions coming up, their courses (three queries in all).
    courses = my_courses(user=user)
    if courses:
        context.update(my_courses=courses, due_next=due_next(user=user))
    # Teachers: the courses they teach, the work waiting for a mark, what waits in their professional
    # groups (six queries in all, however many courses and groups).
    teaches = bool(set(user.roles) & TEACHING_ROLES)
    taught = [] if set(user.roles) == {Role.STUDENT} else taught_courses(user=user)  # students write none
    if teaches or taught:
        context.update(
            teaching=True, taught_courses=taught, grading=grading_queue(user=user), group_work=group_work(user=user)
        )
    if teaches:
        # The open tasks of the groups they lead and those they were put on (two queries).
        context["group_tasks"] = home_group_tasks(user=user)
    if courses or taught:
        context["upcoming_sessions"] = upcoming_sessions(user=user)
    # Learners: the tests open now, closing soonest first (two queries).
    if Role.STUDENT in user.roles or courses:
        context["open_tests"] = home_quizzes(user=user)
        context["show_tests"] = Role.STUDENT in user.roles or bool(context["open_tests"])
    context["front"] = personal_front(user=user)
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
