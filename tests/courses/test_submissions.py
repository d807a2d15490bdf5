"""Handing in work: versions, the deadline (refused or marked late, to the second), file checks, who
may submit (enrolled, complete profile, the group's leader — and a leader who left), the pages (the
"Hand in" button, the receipt, downloads) for the right role, the wrong role and the wrong unit."""

import io
import zipfile
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.services.profile_rules import profile_rule_set
from courses.models import Assignment, Enrolment, LearningGroup, Submission, SubmissionFile
from courses.services.submissions import assignment_create, assignment_update, submission_create
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_assignment, make_course
from units.models import Role

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def pdf(name="bai-thu-hoach.pdf", size=None):
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if size:
        content += b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(name="bai.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def exe(name="virus.exe"):
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03" + b"\x00" * 200)


@pytest.fixture
def course(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, title="Khoa học tự nhiên 6")
    enrol(course=course, user=people.student)
    enrol(course=course, user=people.student2)
    return course


@pytest.fixture
def assignment(course):
    return make_assignment(course=course, title="Báo cáo thực hành")


def refused(**kwargs) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as info:
        submission_create(**kwargs)
    return " ".join(info.value.messages)


def private_files(settings) -> list:
    root = settings.PRIVATE_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- the service -------------------------------------------------------------------------------


def test_submit_and_resubmit_keep_every_version(people, assignment, settings):
    first = submission_create(actor=people.student, assignment=assignment, uploads=[pdf(), docx()], note=" Em nộp ")
    assert (first.version, first.is_current, first.is_late, first.note) == (1, True, False, "Em nộp")
    assert first.files.count() == 2 and first.total_size == sum(f.size for f in first.files.all())
    second = submission_create(actor=people.student, assignment=assignment, uploads=[pdf("v2.pdf")])
    first.refresh_from_db()
    assert second.version == 2 and second.is_current and not first.is_current
    assert Submission.objects.filter(assignment=assignment, learner=people.student).count() == 2
    assert len(private_files(settings)) == 3
    # The other learner's numbering is their own.
    other = submission_create(actor=people.student2, assignment=assignment, uploads=[pdf()])
    assert other.version == 1


def test_double_click_gives_one_current_version(people, assignment):
    for _ in range(2):
        submission_create(actor=people.student, assignment=assignment, uploads=[pdf()])
    rows = Submission.objects.filter(assignment=assignment, learner=people.student)
    assert sorted(rows.values_list("version", flat=True)) == [1, 2]
    assert rows.filter(is_current=True).count() == 1


def test_deadline_one_second_ago_is_refused_or_late(people, course, settings):
    refuse = make_assignment(course=course, title="Hạn chặt", late_policy=Assignment.LatePolicy.REFUSE)
    late_ok = make_assignment(course=course, title="Nhận muộn", late_policy=Assignment.LatePolicy.MARK_LATE)
    one_second_after = refuse.due_at + timedelta(seconds=1)
    with patch("django.utils.timezone.now", return_value=one_second_after):
        message = refused(actor=people.student, assignment=refuse, uploads=[pdf()])
        late = submission_create(actor=people.student, assignment=late_ok, uploads=[pdf()])
    assert "deadline passed" in message
    assert not Submission.objects.filter(assignment=refuse).exists()
    assert late.is_late
    assert not private_files(settings) or all("courses/submissions" in str(p) for p in private_files(settings))
    # At the deadline itself it is still on time.
    with patch("django.utils.timezone.now", return_value=refuse.due_at):
        assert not submission_create(actor=people.student, assignment=refuse, uploads=[pdf()]).is_late


@pytest.mark.parametrize(
    ("uploads", "expected"),
    [
        (lambda: [], "Choose at least one file"),
        (lambda: [exe()], "not an allowed type"),
        (lambda: [exe("bai.pdf")], "its content is not"),
        (lambda: [SimpleUploadedFile("rong.pdf", b"")], "is empty"),
        (lambda: [pdf(size=2 * 1024 * 1024)], "at most 1.0 MB"),
        (lambda: [pdf(f"{i}.pdf") for i in range(3)], "at most 2"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(people, course, settings, uploads, expected):
    assignment = make_assignment(course=course, max_size_mb=1, max_files=2)
    message = refused(actor=people.student, assignment=assignment, uploads=uploads())
    assert expected in message
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()
    assert private_files(settings) == []


def test_one_bad_file_among_good_ones_saves_nothing(people, assignment, settings):
    message = refused(actor=people.student, assignment=assignment, uploads=[pdf(), exe("bai.docx")])
    assert "bai.docx" in message
    assert not Submission.objects.exists() and private_files(settings) == []


def test_only_enrolled_learners_with_complete_profile_submit(tree, people, course, assignment):
    assert "Register for the course" in refused(actor=people.student_c2, assignment=assignment, uploads=[pdf()])
    incomplete = make_person(unit=tree.c1, role=Role.STUDENT)
    enrol(course=course, user=incomplete)
    # Students need no email by default (issue #12); here their Department requires one.
    profile_rule_set(actor=None, unit=tree.dept_a, account_type=User.AccountType.STUDENT, required={"email"})
    assert "complete your profile" in refused(actor=incomplete, assignment=assignment, uploads=[pdf()])
    Enrolment.objects.filter(user=people.student2).update(withdrawn_at=timezone.now())
    assert "Register" in refused(actor=people.student2, assignment=assignment, uploads=[pdf()])
    assert not Submission.objects.exists()


@pytest.fixture
def group_work(tree, people, course):
    group = LearningGroup.objects.create(course=course, name="Nhóm 1", leader=people.student, created_by=people.teacher)
    Enrolment.objects.filter(course=course, user__in=[people.student, people.student2]).update(group=group)
    return group, make_assignment(course=course, title="Sản phẩm nhóm", per_group=True)


def test_group_work_is_handed_in_by_the_leader_for_the_group(people, group_work):
    group, assignment = group_work
    assert "only the leader" in refused(actor=people.student2, assignment=assignment, uploads=[pdf()])
    submission = submission_create(actor=people.student, assignment=assignment, uploads=[pdf()])
    assert submission.group == group and submission.learner is None and submission.submitted_by == people.student


@pytest.mark.parametrize("how", ["deactivated", "withdrawn"])
def test_group_leader_gone_refuses_with_a_way_out(people, group_work, how):
    _group, assignment = group_work
    if how == "deactivated":
        type(people.student).objects.filter(pk=people.student.pk).update(is_active=False)
    else:
        Enrolment.objects.filter(user=people.student).update(withdrawn_at=timezone.now())
    message = refused(actor=people.student2, assignment=assignment, uploads=[pdf()])
    assert "has left the course" in message and "name a new group leader" in message
    assert not Submission.objects.exists()


def test_closed_or_removed_assignment_refuses(people, course, assignment):
    course.status = course.Status.CLOSED
    course.save()
    assert "closed" in refused(actor=people.student, assignment=assignment, uploads=[pdf()])


def test_assignment_services_check_the_instructor_and_the_types(people, course):
    due = timezone.now() + timedelta(days=3)
    with translation.override("en"):
        with pytest.raises(ValidationError, match="Only the course's instructors"):
            assignment_create(actor=people.student, course=course, title="X", due_at=due)
        with pytest.raises(ValidationError, match="Unknown file types: exe"):
            assignment_create(actor=people.teacher, course=course, title="X", due_at=due, allowed_types="pdf,exe")
    made = assignment_create(
        actor=people.teacher,
        course=course,
        title=" Bài 1 ",
        due_at=due,
        allowed_types="PDF; .docx",
        instructions="<script>x</script>Làm bài",
    )
    assert made.title == "Bài 1" and made.allowed_types == "pdf,docx" and "<script" not in made.instructions
    assignment_update(actor=people.teacher, assignment=made, due_at=due + timedelta(days=1))
    from units.models import AuditEntry

    assert AuditEntry.objects.filter(action="assignment.deadline", target_id=str(made.pk)).exists()


# --- the pages ---------------------------------------------------------------------------------


def page(client, user, url, **kwargs):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(url, **kwargs)


def send(client, user, url, data, **kwargs):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.post(url, data, **kwargs)


def test_hand_in_in_two_clicks_and_get_a_receipt(client, people, assignment):
    listing = page(client, people.student, reverse("courses:assignments", args=[assignment.course_id]))
    submit_url = reverse("courses:submission_create", args=[assignment.pk])
    assert submit_url in listing.content.decode() and 'data-testid="status-missing"' in listing.content.decode()
    form = page(client, people.student, submit_url)
    assert form.status_code == 200 and 'data-testid="submit"' in form.content.decode()
    response = send(client, people.student, submit_url, {"files": [pdf(), docx()], "note": "Em gửi cô"})
    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("courses:submission", args=[submission.pk])
    receipt = page(client, people.student, response["Location"]).content.decode()
    assert "bai-thu-hoach.pdf" in receipt and "bai.docx" in receipt
    assert submission.submitted_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y %H:%M") in receipt
    assert 'data-testid="receipt-version">1' in receipt
    listing = page(client, people.student, reverse("courses:assignments", args=[assignment.course_id])).content.decode()
    assert 'data-testid="status-submitted"' in listing and "Hand in again" in listing


def test_the_form_keeps_the_note_and_says_what_is_wrong(client, people, assignment):
    url = reverse("courses:submission_create", args=[assignment.pk])
    response = send(client, people.student, url, {"files": [exe()], "note": "Ghi chú của em"})
    html = response.content.decode()
    assert response.status_code == 200 and "not an allowed type" in html and "Ghi chú của em" in html
    response = send(client, people.student, url, {"note": "Không có tệp"})
    assert "Choose at least one file" in response.content.decode()
    assert not Submission.objects.exists()


def test_file_dropped_by_the_size_cut_off_is_named(client, people, assignment, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = send(
        client, people.student, reverse("courses:submission_create", args=[assignment.pk]), {"files": [pdf(size=5000)]}
    )
    assert "is too large" in response.content.decode() and not Submission.objects.exists()


def test_submit_page_explains_instead_of_a_form(client, people, course, assignment):
    response = page(client, people.student_c2, reverse("courses:submission_create", args=[assignment.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="cannot-submit"' in html and 'data-testid="submit"' not in html
    # A POST anyway changes nothing.
    send(client, people.student_c2, reverse("courses:submission_create", args=[assignment.pk]), {"files": [pdf()]})
    assert not Submission.objects.exists()


def test_out_of_scope_sees_nothing(client, people, assignment):
    submission = submission_create(actor=people.student, assignment=assignment, uploads=[pdf()])
    for url in (
        reverse("courses:assignments", args=[assignment.course_id]),
        reverse("courses:submission_create", args=[assignment.pk]),
        reverse("courses:submission", args=[submission.pk]),
        reverse("courses:submission_file", args=[submission.files.get().pk]),
    ):
        assert page(client, people.other_school, url).status_code == 404


def test_receipt_and_files_for_the_learner_instructor_and_group_not_classmates(client, people, assignment, group_work):
    submission = submission_create(actor=people.student, assignment=assignment, uploads=[pdf()])
    file_url = reverse("courses:submission_file", args=[submission.files.get().pk])
    response = page(client, people.student, file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert page(client, people.teacher, file_url).status_code == 200
    assert page(client, people.admin, file_url).status_code == 200  # overseer of the school
    assert page(client, people.student2, file_url).status_code == 404  # a classmate
    assert page(client, people.student2, reverse("courses:submission", args=[submission.pk])).status_code == 404
    _group, group_assignment = group_work
    group_submission = submission_create(actor=people.student, assignment=group_assignment, uploads=[pdf()])
    assert page(client, people.student2, reverse("courses:submission", args=[group_submission.pk])).status_code == 200


def test_assignment_pages_for_instructor_learner_and_outsider(client, people, course):
    create_url = reverse("courses:assignment_create", args=[course.pk])
    assert page(client, people.teacher, create_url).status_code == 200
    assert page(client, people.student, create_url).status_code == 403
    assert page(client, people.other_school, create_url).status_code == 404
    data = {
        "title": "Bài thu hoạch cuối khóa",
        "kind": "report",
        "instructions": "Viết 2 trang",
        "due_at": "29/12/2030 17:00",
        "late_policy": "mark_late",
        "allowed_types": "pdf,docx",
        "max_size_mb": "20",
        "max_files": "3",
    }
    response = send(client, people.teacher, create_url, data)
    assert response.status_code == 302
    made = Assignment.objects.get()
    local = timezone.localtime(made.due_at)
    assert (local.day, local.month, local.hour, made.late_policy) == (29, 12, 17, "mark_late")
    edit_url = reverse("courses:assignment_edit", args=[made.pk])
    assert page(client, people.student, edit_url).status_code == 403
    response = send(client, people.teacher, edit_url, {**data, "allowed_types": "pdf,bat", "title": "Đổi tên"})
    assert response.status_code == 200 and "Unknown file types" in response.content.decode()
    assert "Đổi tên" in response.content.decode()
    made.refresh_from_db()
    assert made.title == "Bài thu hoạch cuối khóa"


def test_learner_statuses_late_and_graded(client, people, course):
    late_one = make_assignment(course=course, title="Muộn", due_in=timedelta(seconds=-1), late_policy="mark_late")
    graded_one = make_assignment(course=course, title="Có điểm")
    submission_create(actor=people.student, assignment=late_one, uploads=[pdf()])
    graded = submission_create(actor=people.student, assignment=graded_one, uploads=[pdf()])
    Submission.objects.filter(pk=graded.pk).update(grade="8.5", graded_at=timezone.now())
    html = page(client, people.student, reverse("courses:assignments", args=[course.pk])).content.decode()
    assert 'data-testid="status-late"' in html and "Graded: 8.5/10" in html


def test_another_school_teacher_in_scope_sees_nothing_of_mine(client, tree, people, course, assignment):
    teacher_elsewhere = complete_profile(make_person(unit=tree.s3, role=Role.TEACHER))
    assert page(client, teacher_elsewhere, reverse("courses:assignments", args=[course.pk])).status_code == 404
