"""Issue #14, point 4: drafts stay with their authors and reviewers.

A version of a library item (or a question) that is not live — a draft, one waiting at a step, a refused
one — and its trail are seen only by its author and the reviewers of the step it waits at. Students,
colleagues, the school's managers and the reviewer of another step see the live version only, on every
page that shows a version, its uses or its trail; an item with no live version is a 404 for them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from materials.models import Kind, MaterialReview, QuestionReview, VersionStatus
from materials.permissions import can_view_material
from materials.permissions.questions import can_view_question
from materials.services import questions as question_services
from materials.services.library import (
    version_approve_group,
    version_new,
    version_refuse,
    version_submit,
)
from tests.materials.factories import make_question
from tests.materials.test_approval import approved, make_material, pdf

pytestmark = pytest.mark.usefixtures("english_pages")

SECRET_TITLE = "Bản nháp chưa duyệt của cô An"
SECRET_TEXT = "Ghi chú riêng trong bản nháp"
SECRET_USED = "Học liệu chỉ bản nháp dùng"
SECRET_STEM = "Đề sửa đổi còn chờ tổ duyệt"
DRAFT_PDF = b"%PDF-1.4\n% ban nhap\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"1" * 200


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode("utf-8", "replace")


def others(people):
    """Who must never see a draft: a student and a colleague of the school, its principal (the reviewer of
    the next step, not of this one) and the leader of another group."""
    return {
        "student": people.student,
        "colleague": people.teacher2,
        "principal": people.principal,
        "other leader": people.leader2,
    }


# --- a live lesson with a new version waiting at the group step -----------------------------------


@pytest.fixture
def lesson(tree, people):
    """Version 1 is live (it uses one item); version 2, with new text and another item, waits for the
    group leader."""
    first_use = approved(people, tree, title="Phiếu học tập đã duyệt")
    draft_use = approved(people, tree, title=SECRET_USED, file=pdf("khac.pdf"))
    lesson = approved(
        people,
        tree,
        kind=Kind.ILLUSTRATIVE_LESSON,
        title="Bài học minh họa: phân số",
        file=None,
        body="<p>Nội dung đã duyệt.</p>",
        uses=[first_use],
    )
    v2 = version_new(
        actor=people.teacher,
        material=lesson,
        title=SECRET_TITLE,
        description=f"<p>{SECRET_TEXT}</p>",
        body=f"<p>{SECRET_TEXT}</p>",
        uses=[first_use, draft_use],
    )
    version_submit(actor=people.teacher, version=v2)
    lesson.refresh_from_db()
    return lesson, lesson.live_version, v2


def test_the_rule(tree, people, lesson):
    from materials.permissions import can_view_version, sees_drafts_of

    material, live, draft = lesson
    for name, person in others(people).items():
        assert can_view_version(person, live), name
        assert not can_view_version(person, draft) and not sees_drafts_of(person, material), name
    for person in (people.teacher, people.leader):  # the author, the reviewer of the step it waits at
        assert can_view_version(person, draft) and sees_drafts_of(person, material)


def test_others_see_only_the_live_version_of_a_lesson(client, tree, people, lesson):
    material, live, draft = lesson
    submitted = MaterialReview.objects.get(version=draft, decision="submitted")
    for name, person in others(people).items():
        status, text = page(client, person, reverse("materials:detail", args=[material.pk]))
        assert status == 200 and "Phiếu học tập đã duyệt" in text, name  # the live version and what it uses
        assert SECRET_TITLE not in text and SECRET_TEXT not in text and SECRET_USED not in text, name
        # The history lists the live version and its steps only.
        status, text = page(client, person, reverse("materials:history", args=[material.pk]))
        assert status == 200 and "Version 1" in text, name
        assert SECRET_TITLE not in text and "ersion 2" not in text, name
        # The draft's page, the page of a step of its trail: missing.
        assert page(client, person, reverse("materials:review", args=[draft.pk]))[0] == 404, name
        assert page(client, person, reverse("materials:proposal", args=[submitted.pk]))[0] == 404, name
        # The live version's own page shows it, with only the items it uses.
        status, text = page(client, person, reverse("materials:review", args=[live.pk]))
        assert status == 200 and SECRET_USED not in text and SECRET_TEXT not in text, name


def test_the_author_and_the_current_reviewer_see_the_draft_and_its_trail(client, tree, people, lesson):
    material, _live, draft = lesson
    for person in (people.teacher, people.leader):
        status, text = page(client, person, reverse("materials:history", args=[material.pk]))
        assert status == 200 and SECRET_TITLE in text and "Version 2" in text
        status, text = page(client, person, reverse("materials:review", args=[draft.pk]))
        assert status == 200 and SECRET_TEXT in text and SECRET_USED in text


# --- an item never approved ---------------------------------------------------------------------------


@pytest.fixture
def first_draft(tree, people):
    """An item with one version, waiting for the group leader, with a file."""
    material = make_material(
        people, tree, title=SECRET_TITLE, file=SimpleUploadedFile("nhap.pdf", DRAFT_PDF, "application/pdf")
    )
    version = material.versions.get()
    version_submit(actor=people.teacher, version=version)
    return material, version


def item_urls(material, version) -> list[str]:
    step = MaterialReview.objects.filter(version=version).order_by("pk").first()
    return [
        reverse("materials:detail", args=[material.pk]),
        reverse("materials:history", args=[material.pk]),
        reverse("materials:file", args=[material.pk]),
        reverse("materials:download", args=[material.pk]),
        reverse("materials:review", args=[version.pk]),
        reverse("materials:proposal", args=[step.pk]),
    ]


def test_an_item_with_no_live_version_is_missing_for_everyone_else(client, tree, people, first_draft):
    material, version = first_draft
    urls = item_urls(material, version)
    for name, person in {**others(people), "office": people.office}.items():
        assert not can_view_material(person, material), name
        for url in urls:
            assert page(client, person, url)[0] == 404, (name, url)
    for person in (people.teacher, people.leader):
        status, text = page(client, person, reverse("materials:history", args=[material.pk]))
        assert status == 200 and SECRET_TITLE in text
        status, body = page(client, person, reverse("materials:download", args=[material.pk]))
        assert status == 200 and "ban nhap" in body


def test_past_its_step_or_refused_the_reviewer_no_longer_sees_it(client, tree, people, first_draft):
    material, version = first_draft
    version_approve_group(actor=people.leader, version=version)
    history = reverse("materials:history", args=[material.pk])
    assert page(client, people.leader, history)[0] == 404  # its step is done: the principal's now
    assert page(client, people.principal, history)[0] == 200
    version_refuse(actor=people.principal, version=version, reason="Thiếu phần luyện tập.")
    for person in (people.leader, people.principal, people.admin):
        for url in item_urls(material, version):
            assert page(client, person, url)[0] == 404, (person, url)
    status, text = page(client, people.teacher, history)
    assert status == 200 and "Thiếu phần luyện tập." in text


# --- questions ----------------------------------------------------------------------------------------


@pytest.fixture
def revision(tree, people):
    """An approved question and its revision, waiting for the group leader."""
    live = make_question(author=people.teacher, unit=tree.g1, stem="Câu hỏi đã duyệt về phân số")
    pending = make_question(author=people.teacher, unit=tree.g1, approved=False, replaces=live, stem=SECRET_STEM)
    question_services.question_submit(actor=people.teacher, question=pending)
    pending.refresh_from_db()
    assert pending.status == VersionStatus.SUBMITTED
    return live, pending


def test_a_questions_revision_stays_with_its_author_and_reviewer(client, tree, people, revision):
    live, pending = revision
    step = QuestionReview.objects.get(question=pending)
    pending_urls = [
        reverse("materials:question_detail", args=[pending.pk]),
        reverse("materials:question_history", args=[pending.pk]),
        reverse("materials:question_review", args=[pending.pk]),
        reverse("materials:question_proposal", args=[step.pk]),
    ]
    for name, person in others(people).items():
        assert not can_view_question(person, pending), name
        for url in pending_urls:
            assert page(client, person, url)[0] == 404, (name, url)
        if person == people.student:
            continue  # the bank is not for students at all
        for url in (
            reverse("materials:question_detail", args=[live.pk]),
            reverse("materials:question_history", args=[live.pk]),
        ):
            status, text = page(client, person, url)
            assert status == 200 and "Câu hỏi đã duyệt" in text, (name, url)
            assert SECRET_STEM not in text and f"#{pending.pk}" not in text, (name, url)
        status, text = page(client, person, reverse("materials:question_list") + "?q=sua+doi+cho+to")
        assert SECRET_STEM not in text, name
    for person in (people.teacher, people.leader):
        status, text = page(client, person, reverse("materials:question_history", args=[live.pk]))
        assert status == 200 and SECRET_STEM in text
        for url in pending_urls[:3]:
            status, text = page(client, person, url)
            assert status == 200 and SECRET_STEM in text, url


def test_a_refused_question_is_its_authors_alone(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1, approved=False, stem=SECRET_STEM)
    question_services.question_submit(actor=people.teacher, question=question)
    question_services.question_refuse(actor=people.leader, question=question, reason="Sai đáp án.")
    url = reverse("materials:question_detail", args=[question.pk])
    for person in (people.leader, people.principal, people.teacher2):
        assert page(client, person, url)[0] == 404
    status, text = page(client, people.teacher, url)
    assert status == 200 and SECRET_STEM in text
