"""Courses on the demo province: p95 of the pages issue #5 names, with their query counts.

- the course page (30 sections, 2,000 learners), as a learner and as the instructor;
- a discussion thread with 200 replies;
- a learner's home page (20 courses, each with a deadline and a live session);
- the grading page of an assignment with 2,000 submissions (first and last page, and "save and next").
Usage: python bench/bench_courses.py
"""

from datetime import timedelta

from _setup import engine, page_timings, scratch_database, seed_demo_province

LEARNERS = 2_000


def build():
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from accounts.models import User
    from courses.models import Assignment, Course, Enrolment, LiveSession, Section, Submission, SubmissionFile
    from forums.models import Forum, Post, Thread
    from reports.services import analyze_tables
    from units.models import Unit

    now = timezone.now()
    school = Unit.objects.get(code="HANAM-PHULY-THCS-001")
    province = Unit.objects.get(code="SGD-HANAM")
    teacher = User.objects.get(username="giaovien")
    student = User.objects.get(username="hocsinh")

    course = Course.objects.create(
        kind=Course.Kind.TRAINING,
        title="Bồi dưỡng thường xuyên 2026",
        purpose="<p>Mục đích – yêu cầu: hoàn thành các phần và nộp bài thu hoạch.</p>",
        unit=school,
        audience_unit=province,
        author=teacher,
        status=Course.Status.PUBLISHED,
        published_at=now,
    )
    Section.objects.bulk_create(
        Section(course=course, position=i, title=f"Phần {i}", body=f"<p>Nội dung phần {i}</p>") for i in range(30)
    )
    others = User.objects.filter(account_type="student", is_active=True).exclude(pk=student.pk).order_by("pk")
    learners = [*others[: LEARNERS - 1], student]
    Enrolment.objects.bulk_create(Enrolment(course=course, user=u, sections_done=u.pk % 30) for u in learners)
    assignment = Assignment.objects.create(course=course, title="Bài thu hoạch", due_at=now + timedelta(days=3))
    submissions = Submission.objects.bulk_create(
        Submission(assignment=assignment, learner=u, submitted_by=u, submitted_at=now - timedelta(minutes=i))
        for i, u in enumerate(learners)
    )
    SubmissionFile.objects.bulk_create(
        SubmissionFile(
            submission=s, file=f"courses/submissions/bench/{s.pk}.pdf", name="bai-thu-hoach.pdf", size=90_000
        )
        for s in submissions
    )

    forum = Forum.objects.create(
        title=course.title,
        unit=school,
        owner_type=ContentType.objects.get_for_model(Course),
        owner_id=course.pk,
        kind=Forum.Kind.DISCUSSION,
    )
    thread = Thread.objects.create(forum=forum, title="Trao đổi chung", author=teacher, post_count=201)
    Post.objects.bulk_create(
        Post(thread=thread, author=learners[i % 50] if i else teacher, body=f"<p>Ý kiến số {i}</p>") for i in range(201)
    )

    # The learner's home page: 20 courses, each with a deadline and a live session.
    for n in range(20):
        other = Course.objects.create(
            kind=Course.Kind.LESSON,
            title=f"Bài học {n}",
            purpose="<p>Học và nộp bài.</p>",
            unit=school,
            audience_unit=school,
            author=teacher,
            status=Course.Status.PUBLISHED,
            published_at=now,
        )
        Section.objects.bulk_create(Section(course=other, position=i, title=f"Phần {i}") for i in range(5))
        Enrolment.objects.create(course=other, user=student, sections_done=n % 5)
        Assignment.objects.create(course=other, title=f"Bài tập {n}", due_at=now + timedelta(days=n + 1))
        LiveSession.objects.create(
            course=other,
            title=f"Buổi học trực tuyến {n}",
            starts_at=now + timedelta(days=n % 10, hours=2),
            url="https://meet.jit.si/truonghoc-bench",
            created_by=teacher,
        )
    # Fresh statistics, as autovacuum would have gathered while these rows arrived over weeks.
    analyze_tables(Course, Section, Enrolment, Assignment, Submission, SubmissionFile, LiveSession, Forum, Thread, Post)
    return course, thread, assignment, submissions


def main() -> None:
    from django.urls import reverse

    with scratch_database():
        print(f"database: {engine()}")
        seed_demo_province()
        course, thread, assignment, submissions = build()
        pages = [
            ("course page as a learner (30 sections)", reverse("courses:course", args=[course.pk]), "hocsinh"),
            ("course page as the instructor (2,000 learners)", reverse("courses:course", args=[course.pk]), "giaovien"),
            ("learners' progress, first page", reverse("courses:progress", args=[course.pk]), "giaovien"),
            ("discussion thread (200 replies), first page", reverse("forums:thread", args=[thread.pk]), "hocsinh"),
            (
                "discussion thread (200 replies), last page",
                reverse("forums:thread", args=[thread.pk]) + "?page=5",
                "hocsinh",
            ),
            ("learner's home page (20 courses)", reverse("home"), "hocsinh"),
            (
                "grading page (2,000 submissions), first page",
                reverse("courses:grading", args=[assignment.pk]),
                "giaovien",
            ),
            (
                "grading page (2,000 submissions), last page",
                reverse("courses:grading", args=[assignment.pk]) + "?page=40",
                "giaovien",
            ),
            (
                "grading one submission (with 'save and next')",
                reverse("courses:grade", args=[submissions[1000].pk]),
                "giaovien",
            ),
        ]
        for label, url, username in pages:
            p50, p95, queries = page_timings(url, username, requests=40)
            print(f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")


if __name__ == "__main__":
    main()
