from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

GROUP_TASK_AUDIT_LABELS = {
    "group_task.create": _("Task given to a professional group"),
    "group_task.assign": _("Members assigned to a group task"),
    "group_task.done": _("Group task marked done"),
    "group_task.reopen": _("Group task reopened"),
    "group_task.delete": _("Group task removed"),
}


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from django.urls import reverse

        from accounts.services.rollover import register_activity_check
        from accounts.signals import person_left_school
        from forums.permissions import register_owner_rules
        from units.selectors import AUDIT_ACTION_LABELS
        from units.services import register_membership_listener

        from . import permissions
        from .models import Course, LearningGroup
        from .services.departure import person_left_school_receiver
        from .services.roster import membership_listener
        from .wording import forum_words

        # A person who moves to another school leaves the old school's courses: enrolments and
        # co-instructor grants end (courses/services/departure.py, issue #14).
        person_left_school.connect(person_left_school_receiver, dispatch_uid="courses.person_left_school")

        # How the group tasks' audit entries read on the audit pages (courses/services/group_tasks.py).
        AUDIT_ACTION_LABELS.update(GROUP_TASK_AUDIT_LABELS)

        # A course given to a class or group follows who is in it (courses/services/roster.py).
        register_membership_listener(membership_listener)

        # A year-end rollover can be undone until the school's first new activity: a new enrolment or
        # submission by the school's people is one (accounts/services/rollover.py).
        register_activity_check(_enrolments_or_submissions_since)

        # The forums of a course (general discussion, questions) and of a learning group follow the
        # course's own rules; see courses/permissions.py.
        register_owner_rules(
            Course,
            can_view=permissions.can_view_course_forum,
            can_moderate=permissions.is_instructor,
            link=lambda course: (course.title, reverse("courses:course", args=[course.pk])),
            words=lambda course: forum_words(course.kind),
            watchers=_topic_watchers,
            related=("unit", "audience_unit", "audience_cluster"),
        )
        register_owner_rules(
            LearningGroup,
            can_view=permissions.can_view_group_forum,
            can_moderate=permissions.can_moderate_group_forum,
            link=lambda group: (group.course.title, reverse("courses:course", args=[group.course_id])),
        )


def _topic_watchers(course) -> list:
    """A professional topic's instructors (its author, co-authors) hear of every post in its discussion;
    a course's instructors hear of questions only (forums tells moderators of those)."""
    from .models import Course
    from .services.authoring import course_instructors

    return course_instructors(course) if course.kind == Course.Kind.TOPIC else []


def _enrolments_or_submissions_since(*, school, since):
    from django.utils.translation import gettext as _

    from .models import Enrolment, Submission

    if Enrolment.objects.filter(user__unit=school, enrolled_at__gt=since).exists():
        return _("new enrolments")
    if Submission.objects.filter(submitted_by__unit=school, submitted_at__gt=since).exists():
        return _("new submissions")
    return ""
