"""The pages that belong to no single app: the home page ("Không gian của tôi"), the public front page.
They read every app's selectors, so they sit above all of them (nobody imports portal)."""

from django.shortcuts import render

from courses.permissions import can_assign_group_tasks
from courses.selectors.group_tasks import home_group_tasks
from courses.selectors.home import due_next, my_courses, upcoming_sessions
from courses.selectors.teaching import grading_queue, group_work, taught_courses
from gradebook.permissions import can_view_progress
from materials.selectors.attempts import home_quizzes
from publications.selectors.front import national_front, personal_front
from reports.permissions import can_view_stats
from units.models import Role
from units.permissions import SCHOOL_MANAGER_ROLES, STAFF_ROLES, TEACHING_ROLES, Action, scope
from units.selectors import home_units


def home(request):
    user = request.user
    if not user.is_authenticated:
        # The public front page: national news and public letters, and the way in.
        return render(request, "portal/front.html", national_front())
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
    }
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
