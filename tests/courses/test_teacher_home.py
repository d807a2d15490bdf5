"""Issue #12, point 4: teachers see their work. The selectors behind a teacher's home page (courses they
teach, work waiting for a mark, what waits in their professional groups), the notifications that bring
them there (work handed in, a product to review, posts in their topic — batched), reviewing a product,
and the home page itself for the teacher, a student and a teacher of another school, in a fixed number
of queries."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, LearningGroup, LiveSession, Product, Submission
from courses.selectors.home import upcoming_sessions
from courses.selectors.teaching import grading_queue, group_work, taught_courses
from courses.services.authoring import co_instructor_add
from courses.services.submissions import submission_create, submission_grade
from courses.services.topics import product_create, product_review, topic_quality_assess
from forums.models import Forum
from forums.services import forum_for_owner, post_reply, thread_create
from notifications.models import Notification
from notifications.services import notifications_mark_read
from tests.courses.factories import enrol, make_assignment, make_course

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="bai.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def hand_in(student, assignment):
    return submission_create(actor=student, assignment=assignment, uploads=[pdf()])


def notes(user):
    return list(Notification.objects.filter(recipient=user).order_by("-created_at", "-id"))


@pytest.fixture
def course(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, title="Khoa học tự nhiên 6")
    enrol(course=course, user=people.student)
    enrol(course=course, user=people.student2)
    return course


@pytest.fixture
def assignment(course):
    return make_assignment(course=course, title="Báo cáo thực hành")


def topic(group, author, title="Dạy học STEM", body="<p>Nội dung chuyên đề</p>", **fields):
    course = make_course(
        unit=group, author=author, kind=Course.Kind.TOPIC, title=title, body=body,
        purpose="", audience_unit=group.school(), **fields,
    )  # fmt: skip
    return topic_quality_assess(course=course)


# --- selectors ------------------------------------------------------------------------------------


def test_taught_courses_are_the_written_and_co_taught_ones_with_their_counts(tree, people, course, assignment):
    co_taught = make_course(unit=tree.s1, author=people.teacher2, title="Toán 6")
    co_instructor_add(actor=people.teacher2, course=co_taught, user=people.teacher)
    make_course(unit=tree.s1, author=people.teacher2, title="Không phải của tôi")
    gone = make_course(unit=tree.s1, author=people.teacher, title="Đã gỡ")
    Course.objects.filter(pk=gone.pk).update(deleted_at=timezone.now(), deleted_by=people.teacher)
    LearningGroup.objects.create(course=course, name="Nhóm 1", leader=people.student, created_by=people.teacher)
    hand_in(people.student, assignment)
    graded = hand_in(people.student2, assignment)
    submission_grade(actor=people.teacher, submission=graded, grade="8")

    rows = {c.title: c for c in taught_courses(user=people.teacher)}
    assert set(rows) == {"Khoa học tự nhiên 6", "Toán 6"}
    mine = rows["Khoa học tự nhiên 6"]
    assert (mine.to_grade, mine.learners, mine.learning_groups) == (1, 2, 1)
    assert rows["Toán 6"].to_grade == 0
    assert [c.title for c in taught_courses(user=people.student)] == []


def test_grading_queue_counts_current_ungraded_work_oldest_first(tree, people, course, assignment):
    other = make_assignment(course=course, title="Bài thu hoạch 2")
    first = hand_in(people.student, other)
    hand_in(people.student2, assignment)
    second = hand_in(people.student, assignment)
    hand_in(people.student, assignment)  # a new version replaces the current one: still one waiting
    Submission.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    queue = grading_queue(user=people.teacher)
    assert queue.total == 3
    assert [(a.title, a.waiting) for a in queue.assignments] == [("Bài thu hoạch 2", 1), ("Báo cáo thực hành", 2)]
    assert queue.assignments[0].oldest_id == first.pk
    assert second.pk != queue.assignments[1].oldest_id  # the replaced version is not current any more
    # Removed work and removed assignments wait for nobody; another teacher has nothing to grade.
    Submission.objects.filter(pk=first.pk).update(deleted_at=timezone.now(), deleted_by=people.teacher)
    assert grading_queue(user=people.teacher).total == 2
    assert grading_queue(user=people.teacher2).total == 0 and grading_queue(user=people.teacher2).assignments == []


def test_group_work_shows_leaders_products_to_review_and_flagged_topics(tree, people):
    mine = topic(tree.g1, people.teacher, title="Chuyên đề của An")
    topic(tree.g1, people.teacher2, title="Chuyên đề mới của Bình")
    assert topic(tree.g1, people.teacher2, title="Chỉ có tiêu đề", body="").quality == Course.Quality.EMPTY
    product_create(actor=people.teacher2, group=tree.g1, title="Giáo án 1", link_url="https://example.com/1")
    product_create(actor=people.teacher2, group=tree.g1, title="Giáo án 2", link_url="https://e.com/2", topic=mine)
    product_create(actor=people.leader, group=tree.g1, title="Của tổ trưởng", link_url="https://example.com/3")

    [leader] = group_work(user=people.leader)
    assert (leader.group, leader.is_leader) == (tree.g1, True)
    assert (leader.products_to_review, leader.topics_to_check, leader.new_topics) == (2, 1, 3)
    [teacher] = group_work(user=people.teacher)
    # A teacher reviews the products answering their own topic; flagged topics are the leader's to check.
    assert (teacher.products_to_review, teacher.topics_to_check, teacher.new_topics) == (1, 0, 2)
    [other] = group_work(user=people.teacher3)
    assert other.group == tree.g2 and not other.anything
    assert group_work(user=people.student) == []


def test_sessions_of_a_co_taught_course_come_up_for_its_co_instructor(tree, people, course):
    co_instructor_add(actor=people.teacher, course=course, user=people.teacher2)
    LiveSession.objects.create(
        course=course, title="Sinh hoạt trực tuyến", starts_at=timezone.now() + timedelta(days=1),
        url="https://meet.jit.si/x", created_by=people.teacher,
    )  # fmt: skip
    assert [s.title for s in upcoming_sessions(user=people.teacher2)] == ["Sinh hoạt trực tuyến"]
    assert upcoming_sessions(user=people.teacher3) == []


# --- notifications --------------------------------------------------------------------------------


def test_work_handed_in_tells_the_instructors_once_per_assignment_while_unread(tree, people, course, assignment):
    co_instructor_add(actor=people.teacher, course=course, user=people.teacher2)
    hand_in(people.student, assignment)
    [note] = notes(people.teacher)
    assert note.title == "“Báo cáo thực hành”: 1 submission to grade"
    assert note.url == reverse("courses:grading", args=[assignment.pk]) + "?show=ungraded"
    assert people.student.full_name in note.body
    assert len(notes(people.teacher2)) == 1 and notes(people.student) == []

    hand_in(people.student2, assignment)
    [note] = notes(people.teacher)  # batched: the unread entry is brought up to date
    assert note.title == "“Báo cáo thực hành”: 2 submissions to grade" and note.read_at is None
    assert people.student2.full_name in note.body

    notifications_mark_read(user=people.teacher)
    hand_in(people.student, assignment)  # a second version: still two waiting
    latest, earlier = notes(people.teacher)
    assert latest.read_at is None and latest.title == "“Báo cáo thực hành”: 2 submissions to grade"
    assert earlier.read_at is not None
    assert people.teacher3 not in {n.recipient for n in Notification.objects.all()}


def test_a_refused_submission_tells_nobody(tree, people, course, assignment):
    with pytest.raises(ValidationError):
        submission_create(actor=people.teacher3, assignment=assignment, uploads=[pdf()])
    assert not Notification.objects.exists()


def test_a_new_product_tells_the_leaders_and_the_topics_author(tree, people):
    mine = topic(tree.g1, people.teacher)
    product = product_create(
        actor=people.teacher2, group=tree.g1, title="Giáo án STEM", link_url="https://example.com/x", topic=mine
    )
    for person in (people.leader, people.teacher):
        [note] = notes(person)
        assert note.title == f"New product to review in {tree.g1.name}: “Giáo án STEM”"
        assert note.url == reverse("courses:product", args=[product.pk])
    assert notes(people.teacher2) == [] and notes(people.teacher3) == []


def test_reviewing_a_product_tells_its_author_and_refusals_change_nothing(tree, people):
    product = product_create(actor=people.teacher2, group=tree.g1, title="Giáo án", link_url="https://example.com/x")
    for who, reason in (
        (people.teacher, "Only the leaders of"),
        (people.teacher2, "You cannot review your own product"),
        (people.teacher3, "Only the leaders of"),
    ):
        with pytest.raises(ValidationError) as info:
            product_review(actor=who, product=product)
        assert reason in info.value.messages[0]
    product.refresh_from_db()
    assert product.reviewed_at is None and notes(people.teacher2) == []

    product_review(actor=people.leader, product=product)
    product.refresh_from_db()
    assert product.reviewed_by == people.leader and product.reviewed_at is not None
    [note] = notes(people.teacher2)
    assert note.title == f"Your product “Giáo án” has been reviewed by {people.leader.full_name}"
    with pytest.raises(ValidationError, match="already reviewed"):
        product_review(actor=people.leader, product=product)
    assert group_work(user=people.leader)[0].products_to_review == 0


def test_posts_in_a_topic_tell_its_author_batched_per_forum(tree, people):
    mine = topic(tree.g1, people.teacher)
    forum = forum_for_owner(owner=mine, unit=tree.g1, title="Thảo luận: Dạy học STEM", kind=Forum.Kind.DISCUSSION)
    enrol(course=mine, user=people.teacher2)
    enrol(course=mine, user=people.leader)
    thread = thread_create(actor=people.teacher2, forum=forum, title="Góp ý", body="Em xin góp ý phần 1.")
    [note] = notes(people.teacher)
    assert note.title == f"New posts in “{forum.title}”, the latest by {people.teacher2.full_name}"
    assert note.url == reverse("forums:forum", args=[forum.pk]) and "Góp ý" in note.body
    post_reply(actor=people.leader, thread=thread, body="Đồng ý với ý kiến trên.")
    [note] = notes(people.teacher)  # one entry, brought up to date
    assert people.leader.full_name in note.title
    # The author's own posts tell them nothing; followers hear of replies as before.
    post_reply(actor=people.teacher, thread=thread, body="Cảm ơn các đồng chí.")
    assert len(notes(people.teacher)) == 1
    assert any("replied in" in n.title for n in notes(people.teacher2))


def test_posts_in_a_training_course_do_not_tell_its_author(tree, people, course):
    forum = forum_for_owner(owner=course, unit=tree.s1, title="Thảo luận", kind=Forum.Kind.DISCUSSION)
    thread_create(actor=people.student, forum=forum, title="Chào cô", body="Em chào cô ạ.")
    assert notes(people.teacher) == []


# --- pages ----------------------------------------------------------------------------------------


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_teacher_sees_the_count_and_opens_the_oldest_work_from_home(client, tree, people, course, assignment):
    first = hand_in(people.student, assignment)
    hand_in(people.student2, assignment)
    html = home(client, people.teacher)
    assert 'data-testid="home-teaching"' in html
    assert 'data-testid="home-grading-total">2<' in html
    assert reverse("courses:grade", args=[first.pk]) in html and "Báo cáo thực hành" in html
    assert "Khoa học tự nhiên 6" in html and 'data-testid="taught-to-grade"' in html
    assert client.get(reverse("courses:grade", args=[first.pk])).status_code == 200


def test_students_and_other_schools_see_no_one_elses_work(client, tree, people, course, assignment):
    hand_in(people.student, assignment)
    html = home(client, people.student)
    assert 'data-testid="home-teaching"' not in html and 'data-testid="home-learning"' in html
    html = home(client, people.other_school)
    assert 'data-testid="home-teaching"' in html and 'data-testid="nothing-to-grade"' in html
    assert "Báo cáo thực hành" not in html and 'data-testid="home-grading-total">0<' in html
    assert 'data-testid="nothing-taught"' in html
    html = home(client, people.office)
    assert 'data-testid="home-teaching"' not in html


def test_the_leader_sees_products_to_review_and_marks_one_reviewed(client, tree, people):
    product = product_create(actor=people.teacher2, group=tree.g1, title="Giáo án", link_url="https://example.com/x")
    html = home(client, people.leader)
    assert 'data-testid="group-products-to-review"' in html and "1 product to review" in html
    page = client.get(reverse("courses:product", args=[product.pk])).content.decode()
    assert 'data-testid="product-review-button"' in page
    response = client.post(reverse("courses:product_review", args=[product.pk]), follow=True)
    assert "Marked as reviewed" in response.content.decode()
    assert 'data-testid="product-reviewed"' in response.content.decode()
    assert 'data-testid="group-products-to-review"' not in home(client, people.leader)


def test_a_teacher_who_may_not_review_is_told_why_and_nothing_changes(client, tree, people):
    product = product_create(actor=people.teacher2, group=tree.g1, title="Giáo án", link_url="https://example.com/x")
    client.force_login(people.teacher)
    page = client.get(reverse("courses:product", args=[product.pk])).content.decode()
    assert 'data-testid="product-review-button"' not in page and 'data-testid="product-waiting"' in page
    response = client.post(reverse("courses:product_review", args=[product.pk]), follow=True)
    assert "Only the leaders of" in response.content.decode()
    product.refresh_from_db()
    assert product.reviewed_at is None
    client.force_login(people.other_school)  # outside the school: the product looks missing
    assert client.post(reverse("courses:product_review", args=[product.pk])).status_code == 404
    assert client.get(reverse("courses:product_review", args=[product.pk])).status_code == 405


def test_the_teacher_home_costs_the_same_queries_for_1_or_30_courses(
    client, tree, people, django_assert_max_num_queries
):
    def add(start, stop):
        for i in range(start, stop):
            c = make_course(unit=tree.s1, author=people.teacher, title=f"Khóa {i}")
            enrol(course=c, user=people.student)
            work = make_assignment(course=c, title=f"Bài {i}")
            Submission.objects.create(assignment=work, learner=people.student, submitted_by=people.student)
            LiveSession.objects.create(
                course=c, title=f"Buổi {i}", starts_at=timezone.now() + timedelta(days=1),
                url="https://meet.jit.si/x", created_by=people.teacher,
            )  # fmt: skip
            Product.objects.create(unit=tree.g1, author=people.teacher2, title=f"SP {i}", link_url="https://e.x/")
            topic(tree.g1, people.teacher2, title=f"Chuyên đề số {i} về dạy học")

    add(0, 1)
    client.force_login(people.leader)
    client.get(reverse("home"))
    client.force_login(people.teacher)
    client.get(reverse("home"))
    with django_assert_max_num_queries(30) as one:
        html = client.get(reverse("home")).content.decode()
    assert html.count('data-testid="taught-course"') == 1 and 'data-testid="home-grading-total">1<' in html
    add(1, 30)
    with django_assert_max_num_queries(len(one.captured_queries)) as thirty:
        html = client.get(reverse("home")).content.decode()
    assert html.count('data-testid="taught-course"') == 30 and 'data-testid="home-grading-total">30<' in html
    assert html.count('data-testid="grading-item"') == 8 and html.count('data-testid="session-item"') == 5
    assert len(thirty.captured_queries) == len(one.captured_queries)
