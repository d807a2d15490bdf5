"""Topic quality (the Hà Nam letter): a topic with a title and no content, or a near-copy of an earlier
topic of the same school, is flagged to the group's leader and counted apart in the statistics."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from courses.models import Course, Product
from courses.services.topics import TopicSpec, topic_quality_assess, topics_bulk_create
from notifications.models import Notification
from reports.models import UnitStat
from reports.selectors import flags_for
from reports.services import stats_recompute
from tests.courses.factories import make_course, make_section
from units.periods import all_time, semester_of
from units.selectors import effective_targets

pytestmark = pytest.mark.django_db

LONG_BODY = "<p>" + "Mục tiêu: học sinh vận dụng kiến thức vào thực tiễn qua các hoạt động trải nghiệm. " * 4 + "</p>"


def topic(unit, author, title, body="<p>Nội dung chuyên đề</p>", **fields):
    fields.setdefault("purpose", "")
    course = make_course(
        unit=unit, author=author, kind=Course.Kind.TOPIC, title=title, body=body, audience_unit=unit.school(), **fields
    )
    return topic_quality_assess(course=course)


def test_a_title_without_content_is_empty(tree, people):
    assert topic(tree.g1, people.teacher, "Chuyên đề trống", body="<p>&nbsp; </p>").quality == Course.Quality.EMPTY
    # Issue #12: the purpose every published topic must have does not make it a topic (title only).
    assert topic(tree.g1, people.teacher, "Chỉ có mục tiêu", body="", purpose="<p>Mục tiêu</p>").quality == "empty"
    with_section = make_course(
        unit=tree.g1, kind=Course.Kind.TOPIC, title="Có phần", body="", purpose="", audience_unit=tree.s1
    )
    make_section(course=with_section, body="<p>  </p>", file="courses/sections/x.pdf")
    assert topic_quality_assess(course=with_section).quality == Course.Quality.OK
    titled_only = make_course(
        unit=tree.g1, kind=Course.Kind.TOPIC, title="Phần rỗng", body="", purpose="", audience_unit=tree.s1
    )
    make_section(course=titled_only, body="<p></p>")
    assert topic_quality_assess(course=titled_only).quality == Course.Quality.EMPTY


def test_same_words_in_any_order_accents_and_punctuation_ignored(tree, people):
    first = topic(tree.g1, people.teacher, "Dạy học dự án – Toán 6")
    again = topic(tree.g2, people.teacher3, "toán 6: DẠY HỌC dự án!")
    assert first.quality == Course.Quality.OK
    assert (again.quality, again.duplicate_of) == (Course.Quality.DUPLICATE, first)
    again.refresh_from_db()
    assert again.duplicate_of_id == first.pk  # stored, not only set on the object


def test_near_titles_by_jaccard_only_with_enough_words(tree, people):
    original = topic(tree.g1, people.teacher, "Đổi mới phương pháp dạy học môn Toán lớp 6")
    near = topic(tree.g1, people.teacher2, "Đổi mới phương pháp dạy học môn Toán lớp 6 năm học")  # 10/11
    other = topic(tree.g1, people.teacher2, "Dạy học dự án – Ngữ văn 7")
    assert near.quality == Course.Quality.DUPLICATE and near.duplicate_of == original
    assert other.quality == Course.Quality.OK
    short = topic(tree.g1, people.teacher, "Toán 6")
    assert topic(tree.g1, people.teacher2, "Toán 6 HK1").quality == Course.Quality.OK  # 2 words: too few to judge
    assert short.quality == Course.Quality.OK


def test_identical_content_is_a_copy_but_a_shared_boilerplate_line_is_not(tree, people):
    first = topic(tree.g1, people.teacher, "Trải nghiệm hướng nghiệp", body=LONG_BODY)
    copy = topic(tree.g1, people.teacher2, "Giáo dục STEM ở trường", body=LONG_BODY)
    assert copy.quality == Course.Quality.DUPLICATE and copy.duplicate_of == first
    a = topic(tree.g2, people.teacher3, "Bản đồ tư duy", body="<p>Chuyên đề của tổ.</p>")
    b = topic(tree.g2, people.teacher3, "Trò chơi học tập", body="<p>Chuyên đề của tổ.</p>")
    assert (a.quality, b.quality) == (Course.Quality.OK, Course.Quality.OK)


def test_only_earlier_proper_topics_of_the_same_school_count(tree, people):
    other_school = topic(tree.g3, people.other_school, "Kĩ thuật khăn trải bàn")
    assert topic(tree.g1, people.teacher, "Kĩ thuật khăn trải bàn").quality == Course.Quality.OK
    assert other_school.quality == Course.Quality.OK
    # An empty earlier topic does not make its proper re-post a copy; a removed one does not count either.
    topic(tree.g1, people.teacher, "Sơ đồ tư duy", body="")
    assert topic(tree.g1, people.teacher, "Sơ đồ tư duy").quality == Course.Quality.OK
    removed = topic(tree.g2, people.teacher3, "Dạy học phân hóa")
    Course.objects.filter(pk=removed.pk).update(deleted_at=timezone.now())
    assert topic(tree.g1, people.teacher, "Dạy học phân hóa").quality == Course.Quality.OK
    # Re-assessing the original later does not flag it against the copy posted after it.
    first = Course.objects.get(title="Kĩ thuật khăn trải bàn", unit=tree.g1)
    assert topic_quality_assess(course=first).quality == Course.Quality.OK


def test_the_leader_is_told_once_and_a_fixed_topic_is_cleared(tree, people):
    empty = topic(tree.g1, people.teacher, "Chuyên đề tháng 10", body="")
    notes = Notification.objects.filter(recipient=people.leader)
    assert notes.count() == 1 and "Chuyên đề tháng 10" in notes.get().title
    topic_quality_assess(course=empty)
    assert notes.count() == 1  # unchanged verdict: no second notification
    Course.objects.filter(pk=empty.pk).update(body="<p>Đã bổ sung nội dung.</p>")
    empty.refresh_from_db()
    assert topic_quality_assess(course=empty).quality == Course.Quality.OK
    assert Course.objects.get(pk=empty.pk).quality == Course.Quality.OK
    draft = topic(tree.g1, people.teacher, "Nháp", body="", status=Course.Status.DRAFT)
    assert draft.quality == Course.Quality.EMPTY and notes.count() == 1  # drafts are not reported


def test_other_kinds_are_left_alone(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, body="", purpose="")
    assert topic_quality_assess(course=course).quality == Course.Quality.OK


def test_bulk_creation_assesses_in_memory_with_a_fixed_number_of_queries(tree, people, django_assert_max_num_queries):
    start = timezone.now() - timedelta(days=30)
    posted = topic(tree.g1, people.teacher, "Dạy học theo chủ đề – Toán")  # already posted, before the batch
    Course.objects.filter(pk=posted.pk).update(published_at=start - timedelta(days=1))

    def specs(n, prefix):
        return [
            TopicSpec(
                title=f"{prefix} chuyên đề số {i}",
                unit_id=tree.g1.pk if i % 2 else tree.g2.pk,
                author_id=people.teacher.pk,
                body="<p>Nội dung</p>",
                created_at=start + timedelta(hours=i),
            )
            for i in range(n)
        ]

    batch = [
        *specs(6, "Riêng"),
        TopicSpec("Toán – dạy học theo chủ đề", tree.g2.pk, None, "<p>x</p>", start + timedelta(days=29, hours=23)),
        TopicSpec("Trống", tree.g1.pk, None, "", start),
        TopicSpec("Trải nghiệm", tree.g1.pk, None, LONG_BODY, start + timedelta(days=1)),
        TopicSpec("Sáng tạo", tree.g2.pk, None, LONG_BODY, start + timedelta(days=2)),
        TopicSpec("Khác trường", tree.g3.pk, None, LONG_BODY, start + timedelta(days=3)),
    ]
    with django_assert_max_num_queries(6):
        assert topics_bulk_create(specs=batch) == 11
    quality = dict(Course.objects.values_list("title", "quality"))
    assert quality["Toán – dạy học theo chủ đề"] == "duplicate"  # of the topic already posted
    assert quality["Trống"] == "empty"
    assert (quality["Trải nghiệm"], quality["Sáng tạo"], quality["Khác trường"]) == ("ok", "duplicate", "ok")
    assert Course.objects.get(title="Sáng tạo").duplicate_of == Course.objects.get(title="Trải nghiệm")
    assert Course.objects.get(title="Toán – dạy học theo chủ đề").duplicate_of.title == "Dạy học theo chủ đề – Toán"
    assert all(q == "ok" for t, q in quality.items() if t.startswith("Riêng"))
    # Twice the rows, the same number of queries.
    with django_assert_max_num_queries(6):
        topics_bulk_create(specs=specs(40, "Khác"))


def _stat(unit, period=None):
    period = period or all_time()
    return UnitStat.objects.get(unit=unit, period_kind=period.kind, period_start=period.start)


def test_statistics_read_the_stored_quality_and_count_products(tree, people):
    topic(tree.g1, people.teacher, "Dạy học dự án")
    topic(tree.g1, people.teacher2, "Dạy học dự án")
    topic(tree.g2, people.teacher3, "Trống", body="")
    proper = topic(tree.g2, people.teacher3, "Hợp lệ")
    Product.objects.create(unit=tree.g1, author=people.teacher, title="Giáo án", link_url="https://example.com/a")
    Product.objects.create(unit=tree.g3, author=people.other_school, title="Video", link_url="https://example.com/v")
    gone = Product.objects.create(unit=tree.g1, author=people.teacher2, title="Đã xoá", link_url="https://e.com/")
    Product.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    semester = semester_of(timezone.localdate())
    stats_recompute(periods=[all_time(), semester])
    s1 = _stat(tree.s1)
    assert (s1.topics, s1.topics_empty, s1.topics_duplicate, s1.real_topics, s1.products) == (4, 1, 1, 2, 1)
    assert _stat(tree.s2).products == 1 and _stat(tree.office_a1).products == 2
    # The figure follows what is stored (a leader's later judgement included), not a recomputation.
    Course.objects.filter(pk=proper.pk).update(quality=Course.Quality.DUPLICATE)
    stats_recompute(periods=[all_time()])
    assert _stat(tree.s1).topics_duplicate == 2
    with translation.override("en"):  # the flags are worded in the active language (Vietnamese by default)
        flags = flags_for(_stat(tree.s1, semester), effective_targets(unit=tree.s1), semester)
    assert any("1 products for" in f for f in flags)
