"""Writing courses: who creates what where, audience choices, drafts and publishing (purpose required,
forums created), editing that keeps what was typed, sections with files (checked by content, size limits,
the streaming cut-off), reordering, the permission-checked file view, and co-instructors."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from courses.models import Course, Section
from courses.permissions import can_edit_course, is_instructor
from courses.services.authoring import (
    DOCUMENT_MAX_BYTES,
    audience_choices,
    co_instructor_add,
    co_instructor_remove,
    course_close,
    course_create,
    course_publish,
    course_update,
    section_create,
    section_move,
    section_update,
)
from forums.models import Forum
from forums.selectors import owner_forums
from tests.courses.factories import enrol, make_course, make_section
from truonghoc.storage import private_storage
from units.models import AuditEntry, Cluster

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"x" * 2000
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 4000


def pdf(name="bai-giang.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def stored_files(settings):
    root = settings.PRIVATE_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def draft(tree, people, **fields):
    fields.setdefault("purpose", "")
    return make_course(unit=tree.s1, author=people.teacher, status=Course.Status.DRAFT, **fields)


# --- creating ----------------------------------------------------------------------------------


def test_teacher_creates_a_draft_lesson_from_the_school_space(client, tree, people):
    client.force_login(people.teacher)
    url = reverse("courses:course_create") + f"?unit={tree.s1.pk}&kind=lesson"
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="course-form"' in page.content.decode()
    response = client.post(
        url,
        {
            "kind": "lesson",
            "title": "  Phân số  ",
            "subject": "Toán",
            "grade": "6",
            "audience": f"u{tree.s1.pk}",
            "purpose": "<p>Hiểu phân số</p><script>alert(1)</script>",
            "body": "",
            "starts_on": "2025-09-05",
            "ends_on": "2025-12-31",
        },
    )
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("courses:course", args=[course.pk])
    assert course.title == "Phân số" and course.kind == "lesson" and course.status == "draft"
    assert course.author == people.teacher and course.unit == tree.s1 and course.audience_unit == tree.s1
    assert course.grade == 6 and course.subject == "Toán"
    assert "<script>" not in course.purpose and "Hiểu phân số" in course.purpose


def test_draft_without_purpose_is_saved_with_a_warning(client, tree, people):
    client.force_login(people.teacher)
    url = reverse("courses:course_create") + f"?unit={tree.s1.pk}&kind=training"
    response = client.post(url, {"kind": "training", "title": "Nháp", "audience": f"u{tree.s1.pk}"}, follow=True)
    assert Course.objects.get().purpose == ""
    html = response.content.decode()
    assert "cannot be published until you write them" in html and 'data-testid="no-purpose"' in html


@pytest.mark.parametrize(
    ("who", "unit", "kind", "status"),
    [
        ("student", "s1", "lesson", 403),
        ("teacher3", "g1", "topic", 403),
        ("office", "office_a1", "lesson", 403),
        ("other_school", "s1", "lesson", 404),
        ("other_office", "office_a1", "training", 404),
    ],
)
def test_create_refused_for_the_wrong_role_or_unit(client, tree, people, who, unit, kind, status):
    client.force_login(getattr(people, who))
    url = reverse("courses:course_create") + f"?unit={getattr(tree, unit).pk}&kind={kind}"
    response = client.get(url)
    assert response.status_code == status
    if status == 403:
        assert 'data-testid="refused"' in response.content.decode()
    assert client.post(url, {"kind": kind, "title": "X", "audience": f"u{tree.s1.pk}"}).status_code == status
    assert not Course.objects.exists()


def test_office_trainer_creates_a_training_course(client, tree, people):
    client.force_login(people.office)
    url = reverse("courses:course_create") + f"?unit={tree.office_a1.pk}&kind=training"
    assert client.get(url).status_code == 200
    client.post(url, {"kind": "training", "title": "Bồi dưỡng", "audience": f"u{tree.dept_a.pk}"})
    course = Course.objects.get()
    assert course.unit == tree.office_a1 and course.audience_unit == tree.dept_a


def test_audience_offers_the_unit_and_above_and_clusters_never_siblings(tree, people):
    cluster = Cluster.objects.create(code="CUM1", name="Cụm 1", owner=tree.office_a1)
    cluster.schools.add(tree.s1, tree.s2)
    keys = [c.key for c in audience_choices(tree.g1)]
    assert keys == [
        f"u{tree.g1.pk}",
        f"u{tree.s1.pk}",
        f"u{tree.office_a1.pk}",
        f"u{tree.dept_a.pk}",
        f"u{tree.ministry.pk}",
        f"c{cluster.pk}",
    ]
    with pytest.raises(ValidationError) as error:
        course_create(actor=people.teacher, unit=tree.s1, kind="lesson", title="X", audience=f"u{tree.s2.pk}")
    assert "audience" in error.value.message_dict
    course = course_create(actor=people.teacher, unit=tree.s1, kind="lesson", title="X", audience=f"c{cluster.pk}")
    assert course.audience_cluster == cluster and course.audience_unit is None


# --- publishing, closing, editing --------------------------------------------------------------


def test_publish_needs_the_purpose_then_creates_both_forums(tree, people):
    course = draft(tree, people)
    with pytest.raises(ValidationError, match="purpose and requirements"):
        course_publish(actor=people.teacher, course=course)
    course.refresh_from_db()
    assert course.status == "draft" and not owner_forums(owner=course)
    course_update(
        actor=people.teacher, course=course, title=course.title, purpose="Nộp bài thu hoạch", audience=f"u{tree.s1.pk}"
    )
    course_publish(actor=people.teacher, course=course)
    course.refresh_from_db()
    assert course.status == "published" and course.published_at is not None
    assert set(owner_forums(owner=course)) == {Forum.Kind.DISCUSSION, Forum.Kind.QUESTIONS}
    assert AuditEntry.objects.filter(action="course.publish", target_id=str(course.pk)).exists()
    with pytest.raises(ValidationError, match="already published"):
        course_publish(actor=people.teacher, course=course)


def test_published_course_keeps_its_purpose(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    with pytest.raises(ValidationError) as error:
        course_update(actor=people.teacher, course=course, title="X", purpose="  ", audience=f"u{tree.s1.pk}")
    assert "purpose" in error.value.message_dict
    course.refresh_from_db()
    assert course.title != "X"


def test_close_and_reopen(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    client.force_login(people.teacher)
    client.post(reverse("courses:course_close", args=[course.pk]))
    course.refresh_from_db()
    assert course.status == "closed" and course.closed_at is not None
    page = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert 'data-testid="closed-note"' in page
    with pytest.raises(ValidationError):
        course_close(actor=people.teacher, course=course)
    client.post(reverse("courses:course_publish", args=[course.pk]))
    course.refresh_from_db()
    assert course.status == "published" and course.closed_at is None


def test_edit_keeps_what_was_typed_on_error(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    client.force_login(people.teacher)
    url = reverse("courses:course_edit", args=[course.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Tiêu đề mới đang gõ",
            "audience": f"u{tree.s1.pk}",
            "purpose": "Mục đích",
            "starts_on": "2025-10-01",
            "ends_on": "2025-09-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "The end date cannot be before the start date." in html
    assert "Tiêu đề mới đang gõ" in html
    course.refresh_from_db()
    assert course.title == "Bồi dưỡng chương trình GDPT 2018"


@pytest.mark.parametrize(("who", "status"), [("teacher2", 403), ("principal", 403), ("other_school", 404)])
def test_edit_pages_refused_to_others(client, tree, people, who, status):
    course = make_course(unit=tree.s1, author=people.teacher)
    section = make_section(course=course)
    client.force_login(getattr(people, who))
    assert client.get(reverse("courses:course_edit", args=[course.pk])).status_code == status
    assert client.get(reverse("courses:section_create", args=[course.pk])).status_code == status
    assert client.get(reverse("courses:section_edit", args=[section.pk])).status_code == status
    assert client.post(reverse("courses:course_close", args=[course.pk])).status_code == status
    assert client.get(reverse("courses:co_instructors", args=[course.pk])).status_code == status
    course.refresh_from_db()
    assert course.status == "published"


# --- sections and files ------------------------------------------------------------------------


def test_section_with_a_pdf_is_stored_privately_and_shown_inline(client, tree, people, settings):
    course = make_course(unit=tree.s1, author=people.teacher)
    client.force_login(people.teacher)
    response = client.post(
        reverse("courses:section_create", args=[course.pk]),
        {"title": "Tài liệu", "body": "Đọc trước", "upload": pdf(), "link_url": "moet.gov.vn", "link_title": "Bộ"},
    )
    section = Section.objects.get()
    assert response.status_code == 302 and f"#section-{section.pk}" in response["Location"]
    assert section.file_kind == Section.FileKind.PDF and section.file_name == "bai-giang.pdf"
    assert section.file_size == len(PDF) and section.position == 1
    assert section.link_url == "https://moet.gov.vn"
    assert private_storage().exists(section.file.name)
    page = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert 'data-testid="section-pdf"' in page

    student = people.student
    client.force_login(student)
    file_url = reverse("courses:section_file", args=[section.pk])
    assert client.get(file_url).status_code == 404  # in the audience, not registered
    enrol(course=course, user=student)
    response = client.get(file_url)
    assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Type"] == "application/pdf" and "inline" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    client.force_login(people.other_school)
    assert client.get(file_url).status_code == 404


def test_video_plays_in_the_page_and_answers_byte_ranges(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    section = section_create(
        actor=people.teacher, course=course, title="Video", upload=SimpleUploadedFile("tiet-day.mp4", MP4)
    )
    assert section.file_kind == Section.FileKind.VIDEO
    client.force_login(people.teacher)
    page = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert 'data-testid="section-video"' in page
    response = client.get(reverse("courses:section_file", args=[section.pk]), HTTP_RANGE="bytes=4-11")
    assert response.status_code == 206 and response["Content-Range"] == f"bytes 4-11/{len(MP4)}"
    assert b"".join(response.streaming_content) == MP4[4:12]


def test_wrong_content_or_too_big_is_refused_and_leaves_no_file(client, tree, people, settings):
    course = make_course(unit=tree.s1, author=people.teacher)
    client.force_login(people.teacher)
    fake = SimpleUploadedFile("bao-cao.docx", PDF)
    response = client.post(reverse("courses:section_create", args=[course.pk]), {"title": "Đang gõ", "upload": fake})
    html = response.content.decode()
    assert response.status_code == 200 and "really a PDF file" in html and "Đang gõ" in html
    big = pdf("lon.pdf")
    big.size = DOCUMENT_MAX_BYTES + 1
    with pytest.raises(ValidationError) as error:
        section_create(actor=people.teacher, course=course, title="X", upload=big)
    assert "at most 50.0 MB" in " ".join(error.value.messages)
    assert not Section.objects.exists() and stored_files(settings) == []


def test_a_file_over_the_streaming_limit_saves_nothing(client, tree, people, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    course = make_course(unit=tree.s1, author=people.teacher)
    client.force_login(people.teacher)
    response = client.post(
        reverse("courses:section_create", args=[course.pk]),
        {"title": "Video 2 GB", "upload": SimpleUploadedFile("lon.mp4", MP4)},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "lon.mp4 is too large" in html and "Video 2 GB" in html
    assert not Section.objects.exists() and stored_files(settings) == []


def test_replacing_a_file_deletes_the_old_one(tree, people, settings, django_capture_on_commit_callbacks):
    course = make_course(unit=tree.s1, author=people.teacher)
    section = section_create(actor=people.teacher, course=course, title="Tài liệu", upload=pdf("cu.pdf"))
    old = section.file.name
    with django_capture_on_commit_callbacks(execute=True):
        section_update(
            actor=people.teacher, section=section, title="Tài liệu", upload=SimpleUploadedFile("moi.mp4", MP4)
        )
    section.refresh_from_db()
    assert section.file_kind == "video" and section.file_name == "moi.mp4"
    assert not private_storage().exists(old) and private_storage().exists(section.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        section_update(actor=people.teacher, section=section, title="Chỉ chữ", remove_file=True)
    section.refresh_from_db()
    assert not section.file and section.file_kind == "" and stored_files(settings) == []


def test_sections_move_up_and_down(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    a, _b, c = (make_section(course=course, position=n, title=t) for n, t in ((1, "A"), (2, "B"), (3, "C")))
    client.force_login(people.teacher)
    client.post(reverse("courses:section_move", args=[c.pk]), {"direction": "up"})
    order = list(Section.objects.filter(course=course).order_by("position").values_list("title", flat=True))
    assert order == ["A", "C", "B"]
    with pytest.raises(ValidationError, match="already the first"):
        section_move(actor=people.teacher, section=a, direction="up")
    section_move(actor=people.teacher, section=a, direction="down")
    order = list(Section.objects.filter(course=course).order_by("position").values_list("title", flat=True))
    assert order == ["C", "A", "B"]


# --- co-instructors ----------------------------------------------------------------------------


def test_author_adds_and_removes_a_co_instructor(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    client.force_login(people.teacher)
    url = reverse("courses:co_instructors", args=[course.pk])
    page = client.get(url, {"q": "binh"}).content.decode()
    assert "Trần Thị Bình" in page and "Bùi Văn Khoa" not in page
    client.post(url, {"user": people.teacher3.pk, "action": "add"})
    assert is_instructor(type(people.teacher3).objects.get(pk=people.teacher3.pk), course)
    assert AuditEntry.objects.filter(action="course.co_instructor_add").count() == 1
    fresh = type(people.teacher3).objects.get(pk=people.teacher3.pk)
    assert can_edit_course(fresh, course)
    client.post(url, {"user": people.teacher3.pk, "action": "remove"})
    assert not is_instructor(type(people.teacher3).objects.get(pk=people.teacher3.pk), course)
    assert AuditEntry.objects.filter(action="course.co_instructor_remove").count() == 1


def test_co_instructors_come_from_the_school_and_only_the_author_chooses(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    with pytest.raises(ValidationError, match="does not teach in"):
        co_instructor_add(actor=people.teacher, course=course, user=people.other_school)
    with pytest.raises(ValidationError, match="does not teach in"):
        co_instructor_add(actor=people.teacher, course=course, user=people.student)
    assign_perm("courses.teach_course", people.teacher2, course)
    with pytest.raises(ValidationError, match="Only the course's author"):
        co_instructor_add(actor=people.teacher2, course=course, user=people.teacher3)
    client.force_login(people.teacher2)
    url = reverse("courses:co_instructors", args=[course.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"user": people.teacher3.pk, "action": "add"}).status_code == 403
    with pytest.raises(ValidationError, match="not a co-instructor"):
        co_instructor_remove(actor=people.teacher, course=course, user=people.teacher3)
    assert not AuditEntry.objects.filter(action__startswith="course.co_instructor").exists()
