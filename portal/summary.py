"""A person's home page summary (issue #19, point 9): every list the home page computes from the apps'
selectors (timetable week, tests, teaching, grading queue, group work and tasks, sessions, courses, the
front's news and letters, units) and the actions they may take, rendered once as HTML and kept in their
personal fragment (`truonghoc.fragments.personal`) for at most a minute, or until their own next write.

What must stay live on every request (the header, messages, unread notifications, anything with a CSRF
token) is not here: portal/home.html renders it around the summary."""

from django.template.loader import render_to_string
from django.utils import timezone

from contests.permissions import organiser_units as contest_organiser_units
from contests.selectors import open_for_registration
from courses.permissions import can_assign_group_tasks
from courses.selectors.group_tasks import home_group_tasks
from courses.selectors.home import due_next, my_courses, upcoming_sessions
from courses.selectors.teaching import grading_queue, group_work, taught_courses
from forums.homeroom import homeroom_unread_count
from gradebook.permissions import can_view_progress
from materials.selectors.attempts import home_quizzes
from publications.selectors.front import personal_front
from reports.permissions import can_view_stats
from teaching.permissions import can_edit_timetable
from teaching.selectors_timetable import student_week
from truonghoc import fragments
from units.models import Role
from units.permissions import SCHOOL_MANAGER_ROLES, STAFF_ROLES, TEACHING_ROLES, Action, scope
from units.selectors import home_units

TEMPLATE = "portal/home_summary.html"


def home_context(*, user) -> dict:
    """What the summary shows for `user` (a person signed in who is no parent)."""
    roles = set(user.roles)
    units = home_units(user=user)
    manage_scope = scope(user, Action.MANAGE)
    schools = [u for u in units if u.is_school]
    context = {
        "user": user,
        "roles": user.roles,
        "home_units": units,
        # Where this person follows participation figures: their highest unit they may report on.
        "stats_unit": next((u for u in units if u.kind not in ("group", "class") and can_view_stats(user, u)), None),
        # Schools whose accounts this person looks after, for a direct link ("Quản lý tài khoản").
        "account_schools": schools if Role.SCHOOL_ADMIN in roles else [],
        "decides_quotas": bool(roles & STAFF_ROLES),
        "can_manage_any": bool(manage_scope.prefixes) or manage_scope.everything,
        # Schools whose professional groups this person gives tasks to (their principal).
        "task_schools": [u for u in schools if can_assign_group_tasks(user, u)],
        # The grade book (issue #16): a student's own marks, a school's grade-entry progress.
        "own_marks": Role.STUDENT in roles,
        "progress_schools": [u for u in schools if can_view_progress(user, u)],
        # Teaching plans and the online share (issue #17): whoever teaches or runs a school.
        "teaching_plans": bool(roles & (TEACHING_ROLES | SCHOOL_MANAGER_ROLES)),
        # The timetable (issue #17): a teacher's own week; the schools whose timetables this person edits.
        "my_timetable": bool(roles & TEACHING_ROLES),
        "timetable_schools": [u for u in schools if can_edit_timetable(user, u)],
        # Contests (issue #18): those who organise, and those a contest is taking registrations from.
        "contests_organise": bool(contest_organiser_units(user)),
        "contests_open": open_for_registration(user=user).count(),
        # Experiential activities (issue #18 point 5): teachers set them, principals read them, students
        # take part (by roles alone: no query).
        "activities_teach": bool(roles & (TEACHING_ROLES | {Role.PRINCIPAL, Role.VICE_PRINCIPAL})),
        "activities_learn": Role.STUDENT in roles,
        # Parents' messages to the homeroom teacher (issue #17): None for who is no homeroom teacher.
        "homeroom_unread": homeroom_unread_count(user=user) if roles & (TEACHING_ROLES | {Role.PRINCIPAL}) else None,
    }
    if Role.STUDENT in roles:
        # The pupil's week with the links they may follow (three queries, whatever the number of slots).
        context["timetable_week"] = student_week(student=user)
    # Learners: what to hand in next, sessions coming up, their courses (three queries in all).
    courses = my_courses(user=user)
    if courses:
        context.update(my_courses=courses, due_next=due_next(user=user))
    # Teachers: the courses they teach, the work waiting for a mark, what waits in their professional
    # groups (six queries in all, however many courses and groups).
    teaches = bool(roles & TEACHING_ROLES)
    taught = [] if roles == {Role.STUDENT} else taught_courses(user=user)  # students write none
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
    if Role.STUDENT in roles or courses:
        context["open_tests"] = home_quizzes(user=user)
        context["show_tests"] = Role.STUDENT in roles or bool(context["open_tests"])
    context["front"] = personal_front(user=user)
    return context


def render_summary(*, user) -> dict:
    """The summary's two parts as HTML (`lists`, `actions`) and when they were computed (`at`)."""
    context = home_context(user=user)
    return {
        "lists": render_to_string(f"{TEMPLATE}#lists", context),
        "actions": render_to_string(f"{TEMPLATE}#actions", context),
        "at": timezone.now(),
    }


def home_summary(*, user) -> dict:
    """`render_summary` for this person, from their personal fragment when it is fresh (at most a minute
    old, never older than their own last write)."""
    return fragments.personal(user, "portal.home", lambda: render_summary(user=user))
