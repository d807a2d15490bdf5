"""Soft delete and restore of course content: who may, what it changes (nothing erased, audited), the
confirmation page, the banner in place of a removed item, and a unit's trash."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, LiveSession, Product, Section, Submission
from courses.permissions import can_delete_content, can_restore_content
from courses.services.trash import content_delete, content_restore
from tests.courses.factories import enrol, make_assignment, make_course, make_section
from units.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def submit(assignment, learner, version=1, **fields):
    Submission.objects.filter(assignment=assignment, learner=learner).update(is_current=False)
    return Submission.objects.create(
        assignment=assignment, learner=learner, submitted_by=learner, version=version, is_current=True, **fields
    )


def product(author, group, title="Giáo án"):
    return Product.objects.create(unit=group, author=author, title=title, link_url="https://example.com/p")


def delete_url(kind, obj):
    return reverse("courses:delete", args=[kind, obj.pk])


def restore_url(kind, obj):
    return reverse("courses:restore", args=[kind, obj.pk])


def test_removing_a_course_is_confirmed_then_soft_and_audited(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, title="Bồi dưỡng GDPT 2018")
    enrol(course=course, user=people.student)
    client.force_login(people.teacher)
    page = client.get(delete_url("course", course))
    assert page.status_code == 200 and "Training course: “Bồi dưỡng GDPT 2018”" in page.content.decode()
    assert Course.objects.get(pk=course.pk).deleted_at is None  # GET changes nothing
    response = client.post(delete_url("course", course))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.is_deleted and course.deleted_by == people.teacher
    entry = AuditEntry.objects.get(action="courses.delete")
    assert (entry.actor, entry.unit, entry.target_id, entry.after["kind"]) == (
        people.teacher, tree.s1, str(course.pk), "course",
    )  # fmt: skip
    # Learners lose it; its instructor and the school still see it.
    client.force_login(people.student)
    assert client.get(reverse("courses:course", args=[course.pk])).status_code == 404
    for user in (people.teacher, people.admin):
        client.force_login(user)
        assert client.get(reverse("courses:course", args=[course.pk])).status_code == 200
    # Twice: a clear message, nothing changes.
    client.force_login(people.admin)
    client.post(delete_url("course", course), follow=True)
    with pytest.raises(ValidationError, match="already removed"):
        content_delete(actor=people.admin, obj=course)
    assert Course.objects.get(pk=course.pk).deleted_by == people.teacher


def test_who_may_remove_and_restore_course_content(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    section = make_section(course=course)
    assignment = make_assignment(course=course)
    live = LiveSession.objects.create(
        course=course, title="Buổi 1", starts_at=timezone.now(), url="https://meet.jit.si/x", created_by=people.teacher
    )
    for kind, obj in (("course", course), ("section", section), ("assignment", assignment), ("live_session", live)):
        assert can_delete_content(people.teacher, obj) and can_delete_content(people.admin, obj), kind
        assert can_delete_content(people.office, obj)  # the Office manages the school
        for outsider in (people.teacher2, people.student, people.other_school, people.other_office):
            assert not can_delete_content(outsider, obj), (kind, outsider)
            client.force_login(outsider)
            assert client.get(delete_url(kind, obj)).status_code == 404
            assert client.post(delete_url(kind, obj)).status_code == 404
        client.force_login(people.teacher)
        assert client.post(delete_url(kind, obj)).status_code == 302
        obj.refresh_from_db()
        assert obj.is_deleted, kind
        assert can_restore_content(people.admin, obj) and not can_restore_content(people.teacher2, obj)
        client.force_login(people.teacher2)
        assert client.post(restore_url(kind, obj)).status_code == 404
        client.force_login(people.admin)
        assert client.get(restore_url(kind, obj)).status_code == 405  # restoring is a POST
        assert client.post(restore_url(kind, obj)).status_code == 302
        obj.refresh_from_db()
        assert not obj.is_deleted and obj.deleted_by is None, kind
    assert AuditEntry.objects.filter(action="courses.restore").count() == 4
    client.force_login(people.teacher)
    assert client.get(reverse("courses:delete", args=["nonsense", course.pk])).status_code == 404


def test_learners_remove_their_own_work_until_it_is_graded(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    assignment = make_assignment(course=course)
    first = submit(assignment, people.student, 1)
    second = submit(assignment, people.student, 2)
    other = submit(assignment, people.student2, 1)
    assert not can_delete_content(people.student, other)
    client.force_login(people.student)
    assert client.post(delete_url("submission", other)).status_code == 404
    assert client.post(delete_url("submission", second)).status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.is_deleted and not second.is_current and first.is_current  # the previous version is back
    assert not can_restore_content(people.student, second)  # restoring is for the instructors and the school
    content_restore(actor=people.teacher, obj=second)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.is_current and not first.is_current
    Submission.objects.filter(pk=second.pk).update(grade=Decimal("8.5"), graded_at=timezone.now())
    second.refresh_from_db()
    with pytest.raises(ValidationError, match="has been graded"):
        content_delete(actor=people.student, obj=second)
    assert client.get(delete_url("submission", second)).status_code == 404
    assert can_delete_content(people.teacher, second)  # the instructor still can


def test_products_are_removed_by_their_author_or_the_groups_managers(client, tree, people):
    made = product(people.teacher, tree.g1)
    assert can_delete_content(people.teacher, made) and can_delete_content(people.leader, made)
    assert not can_delete_content(people.teacher2, made) and not can_delete_content(people.teacher3, made)
    client.force_login(people.teacher2)
    assert client.post(delete_url("product", made)).status_code == 404
    client.force_login(people.leader)
    response = client.post(delete_url("product", made))
    assert response.status_code == 302 and response["Location"] == reverse("courses:group_space", args=[tree.g1.pk])
    made.refresh_from_db()
    assert made.is_deleted
    # Hidden from the group, shown with its banner to those who may restore it.
    client.force_login(people.teacher2)
    assert client.get(reverse("courses:product", args=[made.pk])).status_code == 404
    client.force_login(people.teacher)
    html = client.get(reverse("courses:product", args=[made.pk])).content.decode()
    assert 'data-testid="removed-banner"' in html and "by Vũ Thị Giang" in html
    assert restore_url("product", made) in html
    assert client.post(restore_url("product", made)).status_code == 302
    assert not Product.objects.get(pk=made.pk).is_deleted


def test_the_banner_names_when_and_who_and_offers_restore_to_those_who_may(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    content_delete(actor=people.admin, obj=course)
    course.refresh_from_db()
    request = RequestFactory().get("/")
    request.user = people.teacher
    html = render_to_string("courses/trash_banner.html", {"obj": course, "request": request})
    when = timezone.localtime(course.deleted_at).strftime("%d/%m/%Y %H:%M")
    assert f"Removed on {when} by Mai Văn Kiên" in html and restore_url("course", course) in html
    request.user = people.student
    html = render_to_string("courses/trash_banner.html", {"obj": course, "request": request})
    assert "Removed on" in html and restore_url("course", course) not in html


def test_the_trash_lists_what_the_viewer_may_restore(client, tree, people, django_assert_max_num_queries):
    mine = make_course(unit=tree.s1, author=people.teacher, title="Khoá của An")
    theirs = make_course(unit=tree.s1, author=people.teacher2, title="Khoá của Bình")
    elsewhere = make_course(unit=tree.s2, author=people.other_school, title="Trường khác")
    section = make_section(course=theirs, title="Phần bị xoá")
    made = product(people.teacher3, tree.g2, title="Sản phẩm của Cường")
    for obj in (mine, theirs, section, made):
        content_delete(actor=people.admin, obj=obj)
    content_delete(actor=people.other_school, obj=elsewhere)
    url = reverse("courses:trash", args=[tree.s1.pk])
    client.force_login(people.admin)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    listed = {item.what for item in response.context["items"]}
    assert listed == {
        "Training course: “Khoá của An”",
        "Training course: “Khoá của Bình”",
        "Section: “Phần bị xoá” in “Khoá của Bình”",
        "Product: “Sản phẩm của Cường”",
    }
    html = response.content.decode()
    assert "Removed on" in html and "by Mai Văn Kiên" in html
    client.force_login(people.teacher)
    assert {i.what for i in client.get(url).context["items"]} == {"Training course: “Khoá của An”"}
    client.force_login(people.teacher3)
    assert {i.what for i in client.get(url).context["items"]} == {"Product: “Sản phẩm của Cường”"}
    client.force_login(people.student)
    assert client.get(url).status_code == 404
    client.force_login(people.other_school)
    assert client.get(url).status_code == 404  # another school's trash
    client.force_login(people.office)
    office = client.get(reverse("courses:trash", args=[tree.office_a1.pk]))
    assert len(office.context["items"]) == 5


def test_the_trash_paginates_with_a_fixed_number_of_queries(client, tree, people, django_assert_max_num_queries):
    course = make_course(unit=tree.s1, author=people.teacher)
    for n in range(35):
        content_delete(actor=people.teacher, obj=make_section(course=course, position=n, title=f"Phần {n}"))
    client.force_login(people.admin)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("courses:trash", args=[tree.s1.pk]))
    assert response.context["page"].paginator.count == 35 and len(response.context["items"]) == 30
    assert Section.objects.filter(deleted_at__isnull=False).count() == 35
