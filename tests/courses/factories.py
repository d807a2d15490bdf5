"""Courses for tests. Courses are built directly (with their audience) so each test states only what it
needs; writes under test go through courses.services."""

from datetime import timedelta

from django.utils import timezone

from courses.models import Assignment, Course, Enrolment, Section


def make_course(*, unit, author=None, kind=Course.Kind.TRAINING, status=Course.Status.PUBLISHED, **fields) -> Course:
    school = unit.school() if unit.kind in (unit.Kind.GROUP, unit.Kind.CLASS) else unit
    fields.setdefault("title", "Bồi dưỡng chương trình GDPT 2018")
    fields.setdefault("purpose", "<p>Nắm vững chương trình; nộp một bài thu hoạch.</p>")
    fields.setdefault("audience_unit", school)
    now = timezone.now()
    return Course.objects.create(
        unit=unit,
        author=author,
        kind=kind,
        status=status,
        published_at=now if status != Course.Status.DRAFT else None,
        **fields,
    )


def make_section(*, course, position=1, **fields) -> Section:
    fields.setdefault("title", f"Phần {position}")
    fields.setdefault("body", "<p>Nội dung</p>")
    return Section.objects.create(course=course, position=position, **fields)


def make_assignment(*, course, due_in=timedelta(days=7), **fields) -> Assignment:
    fields.setdefault("title", "Bài thu hoạch")
    return Assignment.objects.create(course=course, due_at=timezone.now() + due_in, **fields)


def enrol(*, course, user, group=None, source=Enrolment.Source.SELF) -> Enrolment:
    return Enrolment.objects.create(course=course, user=user, group=group, source=source, enrolled_by=user)
