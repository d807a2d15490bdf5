"""Activity figures that cannot be padded: title-only topics counted apart and flagged, and teachers' forum
posts counted (hidden and students' posts left out), the full recompute equal to the incremental one."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from courses.models import Course
from courses.services.authoring import course_create, course_publish, section_create
from courses.services.trash import content_delete, content_restore
from forums.services import post_hide, post_reply, unit_thread_create
from reports.models import UnitStat
from reports.selectors import definitions, flags_for
from reports.services import stats_recompute
from tests.accounts.factories import complete_profile, make_person
from units.models import Role
from units.periods import all_time
from units.selectors import effective_targets

PURPOSE = "<p>Giáo viên nắm được kĩ thuật khăn trải bàn.</p>"


def stat(unit, period=None):
    period = period or all_time()
    return UnitStat.objects.get(unit=unit, period_kind=period.kind, period_start=period.start)


def snapshot():
    return {(s.unit_id, s.period_kind): [getattr(s, f) for f in UnitStat.SUMMED] for s in UnitStat.objects.all()}


@pytest.fixture
def teacher(tree):
    return complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An"))


def published_topic(actor, group, title, body=""):
    course = course_create(actor=actor, unit=group, kind=Course.Kind.TOPIC, title=title, purpose=PURPOSE, body=body)
    return course_publish(actor=actor, course=course)


# --- a title and its purpose do not make a topic -----------------------------------------------


def test_a_published_topic_with_only_its_title_and_purpose_is_flagged_title_only(tree, teacher):
    empty = published_topic(teacher, tree.g1, "Kĩ thuật khăn trải bàn")
    real = published_topic(teacher, tree.g1, "Dạy học dự án", body="<p>Các bước tổ chức dự án.</p>")
    empty.refresh_from_db()
    assert (empty.quality, real.quality) == (Course.Quality.EMPTY, Course.Quality.OK)
    with translation.override("vi"):
        assert empty.get_quality_display() == "Trống (chỉ có tiêu đề)"
    # A section with content makes it a topic; removing that section makes it title-only again.
    section = section_create(actor=teacher, course=empty, title="Phần 1", body="<p>Cách chia nhóm.</p>")
    empty.refresh_from_db()
    assert empty.quality == Course.Quality.OK
    content_delete(actor=teacher, obj=section)
    empty.refresh_from_db()
    assert empty.quality == Course.Quality.EMPTY
    content_restore(actor=teacher, obj=section)
    empty.refresh_from_db()
    assert empty.quality == Course.Quality.OK


def test_title_only_topics_are_counted_apart_and_flagged_on_the_dashboard(client, tree, teacher):
    published_topic(teacher, tree.g1, "Kĩ thuật khăn trải bàn")
    published_topic(teacher, tree.g1, "Dạy học dự án", body="<p>Các bước tổ chức dự án.</p>")
    stats_recompute(periods=[all_time()])
    s1 = stat(tree.s1)
    assert (s1.topics, s1.topics_empty, s1.real_topics) == (2, 1, 1)
    assert stat(tree.dept_a).topics_empty == 1
    with translation.override("vi"):
        flags = flags_for(s1, effective_targets(unit=tree.s1), all_time())
        assert any(f.kind == "quality" and "chỉ có tiêu đề" in f for f in flags)
        # The published definition says the same.
        real = dict(definitions())["Chuyên đề thực chất"]
        assert "chỉ có tiêu đề" in real and "Mục đích – Yêu cầu" in real
    client.force_login(make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN))
    page = client.get(reverse("reports:dashboard", args=[tree.s1.pk])).content.decode()
    assert "Cách tính các số liệu" in page and "Mục đích – Yêu cầu" in page
    topics = client.get(reverse("reports:topics", args=[tree.s1.pk])).content.decode()
    assert topics.count("Trống (chỉ có tiêu đề)") == 1


def test_the_migration_flags_topics_stored_as_proper_under_the_old_rule(tree, teacher):
    title_only = published_topic(teacher, tree.g1, "Kĩ thuật khăn trải bàn")
    with_section = published_topic(teacher, tree.g1, "Có phần")
    section_create(actor=teacher, course=with_section, title="Phần 1", body="<p>Nội dung</p>")
    Course.objects.filter(pk__in=[title_only.pk, with_section.pk]).update(quality=Course.Quality.OK)  # as stored
    migration = importlib.import_module("courses.migrations.0004_i12_title_only_topics")
    migration.flag_title_only_topics(apps, None)
    assert Course.objects.get(pk=title_only.pk).quality == Course.Quality.EMPTY
    assert Course.objects.get(pk=with_section.pk).quality == Course.Quality.OK


# --- forum posts of the teachers ----------------------------------------------------------------


def test_teachers_forum_posts_are_counted_and_full_recompute_equals_incremental(tree, teacher):
    colleague = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    student = complete_profile(make_person(unit=tree.c1, role=Role.STUDENT))
    other = complete_profile(make_person(unit=tree.g3, role=Role.TEACHER))
    periods = [all_time()]
    stats_recompute(periods=periods)
    assert stat(tree.s1).posts == 0
    thread = unit_thread_create(actor=teacher, unit=tree.s1, title="Chia sẻ", body="Kinh nghiệm dạy học dự án.")
    post_reply(actor=colleague, thread=thread, body="Cảm ơn thầy.")
    hidden = post_reply(actor=colleague, thread=thread, body="Quảng cáo.")
    post_reply(actor=student, thread=thread, body="Em cũng muốn học.")  # a student's post: not a teacher's
    moderator = make_person(unit=tree.s1, role=Role.PRINCIPAL)
    post_hide(actor=moderator, post=hidden, reason="Không liên quan")
    unit_thread_create(actor=other, unit=tree.s2, title="Trường khác", body="Bài của trường khác.")

    stats_recompute(unit=tree.s1, periods=periods)  # the incremental path: one school
    assert stat(tree.s1).posts == 2  # the opening post and one reply; hidden and student posts left out
    assert stat(tree.s1).posts_per_teacher == 1.0
    assert stat(tree.office_a1).posts == 2  # s2's new post is not in yet: only s1 was recomputed
    stats_recompute(unit=tree.s2, periods=periods)
    incremental = snapshot()
    assert stat(tree.office_a1).posts == 3 and stat(tree.ministry).posts == 3
    stats_recompute(periods=periods)  # the full recompute gives exactly the same rows
    assert snapshot() == incremental


def test_each_teachers_forum_posts_show_on_the_activity_page(client, tree, teacher):
    colleague = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    thread = unit_thread_create(actor=teacher, unit=tree.s1, title="Chia sẻ", body="Kinh nghiệm dạy học dự án.")
    post_reply(actor=teacher, thread=thread, body="Bổ sung tài liệu.")
    hidden = post_reply(actor=colleague, thread=thread, body="Quảng cáo.")
    post_hide(actor=make_person(unit=tree.s1, role=Role.PRINCIPAL), post=hidden, reason="Không liên quan")
    client.force_login(make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN))
    response = client.get(reverse("reports:activity", args=[tree.s1.pk]))
    posts = {row["teacher"].pk: row["posts"] for row in response.context["page"]}
    assert posts == {teacher.pk: 2, colleague.pk: 0}
    assert "Bài viết trên diễn đàn" in response.content.decode()


def test_title_only_topics_full_recompute_equals_incremental(tree, teacher):
    periods = [all_time()]
    stats_recompute(periods=periods)
    published_topic(teacher, tree.g1, "Kĩ thuật khăn trải bàn")
    stats_recompute(unit=tree.s1, periods=periods)
    incremental = snapshot()
    assert stat(tree.ministry).topics_empty == 1
    stats_recompute(periods=periods)
    assert snapshot() == incremental
