"""Professional-group spaces: members and the semester's figures, topics and products, the by-month
view of everyone's posting dates, handing in products and downloading them, and the create buttons in
the unit spaces."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Product
from courses.services.topics import product_create, topic_quality_assess
from forums.services import forum_for_unit, thread_create
from tests.courses.factories import make_course

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"x" * 2000


def pdf(name="giao-an.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(settings):
    root = settings.PRIVATE_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def topic(unit, author, title, body="<p>Nội dung</p>", **fields):
    course = make_course(
        unit=unit, author=author, kind=Course.Kind.TOPIC, title=title, body=body, purpose="",
        audience_unit=unit.school(), **fields,
    )  # fmt: skip
    return topic_quality_assess(course=course)


def product(author, group, title="Giáo án mẫu", **fields):
    return product_create(actor=author, group=group, title=title, link_url="https://example.com/x", **fields)


def space(client, user, unit):
    client.force_login(user)
    return client.get(reverse("courses:group_space", args=[unit.pk]))


# --- the space ------------------------------------------------------------------------------------


def test_the_space_shows_members_figures_and_flags_teachers_without_products(client, tree, people):
    topic(tree.g1, people.teacher, "Dạy học dự án")
    topic(tree.g1, people.teacher2, "Dạy học dự án")  # a copy: shown apart
    product(people.teacher, tree.g1)
    response = space(client, people.admin, tree.g1)
    assert response.status_code == 200
    members = {m.user.pk: m for m in response.context["members"]}
    assert set(members) == {people.teacher.pk, people.teacher2.pk, people.leader.pk, people.incomplete.pk}
    assert response.context["members"][0].user == people.leader and members[people.leader.pk].is_leader
    teacher, teacher2 = members[people.teacher.pk], members[people.teacher2.pk]
    assert (teacher.real_topics, teacher.products, teacher.needs_product) == (1, 1, False)
    assert (teacher2.topics, teacher2.real_topics, teacher2.flagged_topics, teacher2.needs_product) == (1, 0, 1, True)
    assert response.context["without_product"] == 3
    html = response.content.decode()
    assert "3 teachers have not reached it yet" in html and "Near-duplicate of “Dạy học dự án”" in html
    assert 'data-testid="flagged-badge"' in html  # the school admin manages the group
    assert "Posted by Nguyễn Văn An on" in html and "last changed" in html


def test_who_sees_the_space(client, tree, people):
    for user in (people.teacher, people.leader, people.teacher3, people.admin, people.principal, people.office):
        assert space(client, user, tree.g1).status_code == 200, user
    for user in (people.student, people.other_school, people.other_office):
        assert space(client, user, tree.g1).status_code == 404, user
    assert space(client, people.teacher, tree.s1).status_code == 404  # a school is not a professional group
    assert space(client, people.teacher, tree.c1).status_code == 404


def test_members_and_leader_see_their_actions_others_do_not(client, tree, people):
    html = space(client, people.teacher, tree.g1).content.decode()
    assert 'data-testid="new-product"' in html and 'data-testid="create-topic"' in html
    assert 'data-testid="flagged-badge"' not in html  # nothing flagged
    html = space(client, people.teacher3, tree.g1).content.decode()
    assert 'data-testid="new-product"' not in html and 'data-testid="create-topic"' not in html


def test_the_space_costs_the_same_queries_for_many_rows(client, tree, people, django_assert_max_num_queries):
    for n in range(3):
        topic(tree.g1, people.teacher, f"Chuyên đề số {n}")
        product(people.teacher2, tree.g1, title=f"Sản phẩm {n}")
    client.force_login(people.admin)
    url = reverse("courses:group_space", args=[tree.g1.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(3, 15):
        topic(tree.g1, people.teacher2, f"Chuyên đề mới số {n} về phương pháp")
        product(people.teacher, tree.g1, title=f"Sản phẩm {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_topic_and_product_lists_paginate(client, tree, people):
    for n in range(25):
        topic(tree.g1, people.teacher, f"Chuyên đề số {n}")
    mine = topic(tree.g1, people.teacher2, "Bản nháp của tôi", status=Course.Status.DRAFT)
    client.force_login(people.teacher)
    page = client.get(reverse("courses:group_topics", args=[tree.g1.pk]))
    assert page.context["page"].paginator.count == 25  # another teacher's draft is not listed
    client.force_login(people.teacher2)
    assert client.get(reverse("courses:group_topics", args=[tree.g1.pk])).context["page"].paginator.count == 26
    assert mine.pk in [c.pk for c in client.get(reverse("courses:group_topics", args=[tree.g1.pk])).context["page"]]
    response = client.get(reverse("courses:group_products", args=[tree.g1.pk]))
    assert response.status_code == 200 and "No product has been handed in yet" in response.content.decode()
    client.force_login(people.other_school)
    assert client.get(reverse("courses:group_topics", args=[tree.g1.pk])).status_code == 404
    assert client.get(reverse("courses:group_products", args=[tree.g1.pk])).status_code == 404


# --- by month ----------------------------------------------------------------------------------------


def test_by_month_lists_each_teachers_dated_posts(client, tree, people, django_assert_max_num_queries):
    now = timezone.now()
    old = topic(tree.g1, people.teacher, "Chuyên đề cũ")
    Course.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=70))
    topic(tree.g1, people.teacher2, "Chuyên đề mới")
    topic(tree.g1, people.teacher2, "Trống", body="")
    product(people.teacher, tree.g1, title="Video tiết dạy")
    thread_create(actor=people.teacher, forum=forum_for_unit(unit=tree.g1), title="Trao đổi đề kiểm tra", body="Ý kiến")
    topic(tree.g3, people.other_school, "Trường khác")  # another group: not listed
    client.force_login(people.admin)
    url = reverse("courses:group_by_month", args=[tree.g1.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    months = response.context["months"]
    assert len(months) == 12 and months[0].start == timezone.localdate().replace(day=1)
    current = {t.user.pk: [(i.kind, i.title) for i in t.items] for t in months[0].teachers}
    assert sorted(current[people.teacher.pk]) == [("post", "Trao đổi đề kiểm tra"), ("product", "Video tiết dạy")]
    assert sorted(current[people.teacher2.pk]) == [("topic", "Chuyên đề mới"), ("topic", "Trống")]
    everything = [i.title for m in months for t in m.teachers for i in t.items]
    assert "Chuyên đề cũ" in everything and "Trường khác" not in everything
    html = response.content.decode()
    assert timezone.localtime(old.created_at).strftime("%d/%m/%Y") in html  # the posting date is shown
    assert "Empty (title only)" in html
    # Older pages: twelve months earlier holds nothing of this group.
    older = client.get(url, {"den": response.context["older"]})
    assert sum(m.count for m in older.context["months"]) == 0
    assert client.get(url, {"den": "garbage"}).status_code == 200
    client.force_login(people.student)
    assert client.get(url).status_code == 404


# --- products ---------------------------------------------------------------------------------------


def test_a_member_hands_in_a_file_and_the_school_downloads_it(client, tree, people, settings):
    tp = topic(tree.g1, people.teacher, "Dạy học dự án")
    client.force_login(people.teacher2)
    url = reverse("courses:product_create", args=[tree.g1.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Giáo án Toán 6", "description": "Bài 1", "file": pdf(), "topic": tp.pk})
    made = Product.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("courses:product", args=[made.pk])
    assert (made.author, made.unit, made.topic, made.file_name) == (people.teacher2, tree.g1, tp, "giao-an.pdf")
    assert made.description == "<p>Bài 1</p>" and len(stored_files(settings)) == 1
    detail = client.get(reverse("courses:product", args=[made.pk])).content.decode()
    assert "Handed in by Trần Thị Bình on" in detail and "last changed" in detail
    download = reverse("courses:product_download", args=[made.pk])
    for user in (people.teacher2, people.admin, people.teacher3, people.office):
        client.force_login(user)
        response = client.get(download)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")
    for user in (people.student, people.other_school, people.other_office):
        client.force_login(user)
        assert client.get(download).status_code == 404
        assert client.get(reverse("courses:product", args=[made.pk])).status_code == 404


def test_refused_products_save_nothing_and_keep_what_was_typed(client, tree, people, settings):
    client.force_login(people.teacher)
    url = reverse("courses:product_create", args=[tree.g1.pk])
    fake = pdf("bao-cao.pdf", content=b"not a pdf at all" * 10)
    html = client.post(url, {"title": "Báo cáo chuyên đề", "file": fake}).content.decode()
    assert "bao-cao.pdf is named .pdf but its content is not" in html and "Báo cáo chuyên đề" in html
    html = client.post(url, {"title": "Chỉ có tiêu đề"}).content.decode()
    assert "Attach the product&#x27;s file, or give a link to it." in html
    exe = SimpleUploadedFile("virus.exe", b"MZ" + b"\x00" * 100)
    assert "virus.exe is not an allowed type" in client.post(url, {"title": "X", "file": exe}).content.decode()
    other_topic = topic(tree.g3, people.other_school, "Của trường khác")
    response = client.post(url, {"title": "X", "link_url": "https://e.com", "topic": other_topic.pk})
    assert response.status_code == 200  # not one of the group's topics
    settings.UPLOAD_MAX_BYTES = 1000
    html = client.post(url, {"title": "Video lớn", "file": pdf("lon.pdf")}).content.decode()
    assert "lon.pdf is too large" in html and "Video lớn" in html
    assert not Product.objects.exists() and stored_files(settings) == []
    big = pdf("to.pdf")
    big.size = 50 * 1024 * 1024 + 1
    with pytest.raises(ValidationError, match=r"at most 50\.0 MB"):
        product_create(actor=people.teacher, group=tree.g1, title="To", upload=big)


def test_only_members_with_a_complete_profile_hand_in(client, tree, people):
    for user in (people.teacher3, people.admin, people.student, people.other_school):
        client.force_login(user)
        response = client.post(
            reverse("courses:product_create", args=[tree.g1.pk]), {"title": "X", "link_url": "https://e.com"}
        )
        assert response.status_code == 404, user
    client.force_login(people.incomplete)
    html = client.post(
        reverse("courses:product_create", args=[tree.g1.pk]), {"title": "X", "link_url": "https://e.com"}
    ).content.decode()
    assert "Please complete your profile first" in html and not Product.objects.exists()
    client.force_login(people.leader)
    response = client.post(
        reverse("courses:product_create", args=[tree.g1.pk]), {"title": "Link", "link_url": "youtube.com/watch?v=1"}
    )
    assert response.status_code == 302 and Product.objects.get().link_url == "https://youtube.com/watch?v=1"


# --- the unit spaces ----------------------------------------------------------------------------------


def test_unit_spaces_offer_what_the_visitor_may_create(client, tree, people):
    client.force_login(people.teacher)
    html = client.get(reverse("units:space", args=[tree.g1.pk])).content.decode()
    create = reverse("courses:course_create")
    assert f"{create}?unit={tree.g1.pk}&amp;kind=topic" in html and 'data-testid="group-space"' in html
    html = client.get(reverse("units:space", args=[tree.s1.pk])).content.decode()
    assert f"{create}?unit={tree.s1.pk}&amp;kind=lesson" in html and "kind=topic" not in html
    assert 'data-testid="group-space"' not in html
    client.force_login(people.teacher3)
    html = client.get(reverse("units:space", args=[tree.g1.pk])).content.decode()
    assert "kind=topic" not in html and 'data-testid="group-space"' in html
    client.force_login(people.student)
    assert 'data-testid="create-' not in client.get(reverse("units:space", args=[tree.s1.pk])).content.decode()
    client.force_login(people.office)
    html = client.get(reverse("units:space", args=[tree.office_a1.pk])).content.decode()
    assert f"{create}?unit={tree.office_a1.pk}&amp;kind=training" in html
