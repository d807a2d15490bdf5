"""Report requests through the services: recipients resolved once, submissions versioned and marked
late, reminders only to the missing units, and every refusal leaving the database (and the private
folder) as it was."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from notifications.models import Notification
from publications.models import (
    REPORT_FILE_MAX_BYTES,
    ReportRecipient,
    ReportReminder,
    ReportRequest,
    ReportSubmission,
)
from publications.selectors import report_status_counts, report_status_rows
from publications.services import (
    AlreadyDone,
    report_file_check,
    report_request_remind,
    report_submission_create,
)
from tests.accounts.factories import make_person
from tests.units.factories import make_unit
from units.models import AuditEntry, Role, Unit

from .factories import docx_file, exe_named_pdf, in_days, make_request, pdf_file, xlsx_file

A = ReportRequest.Audience
S = ReportRecipient.Status


def private_files() -> list[Path]:
    root = Path(settings.PRIVATE_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot():
    return (
        ReportRequest.objects.count(),
        ReportRecipient.objects.count(),
        ReportSubmission.objects.count(),
        ReportReminder.objects.count(),
        Notification.objects.count(),
        AuditEntry.objects.filter(action__startswith="report").count(),
        private_files(),
    )


def set_deadline(request: ReportRequest, when) -> None:
    """Move the clock past (or before) the deadline by moving the deadline."""
    ReportRequest.objects.filter(pk=request.pk).update(deadline=when)
    request.refresh_from_db()


def recipient(request, unit) -> ReportRecipient:
    return ReportRecipient.objects.get(request=request, unit=unit)


# --- creating ---------------------------------------------------------------------------------


def test_kinds_and_units_resolve_into_one_row_per_unit(tree, people):
    request = make_request(
        actor=people.so,
        issuer=tree.dept_a,
        kinds=[A.THCS, A.OFFICES],
        units=[tree.t1, tree.s1],  # s1 is also a THCS school: it is asked once
        template_file=xlsx_file("mau-bao-cao.xlsx"),
    )
    asked = set(request.recipients.values_list("unit__code", flat=True))
    assert asked == {u.code for u in (tree.office_a1, tree.office_a2, tree.s1, tree.s2, tree.t1)}
    assert tree.s3.code not in asked  # another Department's school
    assert request.template_name == "mau-bao-cao.xlsx"
    assert (Path(settings.PRIVATE_ROOT) / request.template_file.name).exists()
    assert request.audience == {"kinds": ["thcs", "office"], "units": [tree.t1.code, tree.s1.code]}
    entry = AuditEntry.objects.get(action="report_request.create")
    assert entry.unit == tree.dept_a and entry.after["recipients"] == 5


def test_the_people_who_manage_each_unit_are_notified(tree, people):
    make_request(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS, A.THPT])
    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    expected = {people.s1_admin, people.s1_principal, people.s2_admin, people.t1_principal}
    assert notified == {p.username for p in expected}  # not teachers, not the Offices, not the issuer
    note = Notification.objects.filter(recipient=people.s1_admin).get()
    assert tree.dept_a.name in note.title and note.url == "/bao-cao/"


def test_an_office_asks_its_schools(tree, people):
    request = make_request(actor=people.phong, issuer=tree.office_a1, kinds=[A.THCS])
    assert set(request.recipients.values_list("unit", flat=True)) == {tree.s1.pk, tree.s2.pk}


def test_inactive_units_are_not_asked(tree, people):
    Unit.objects.filter(pk=tree.s2.pk).update(is_active=False)
    request = make_request(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS])
    assert list(request.recipients.values_list("unit", flat=True)) == [tree.s1.pk]


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("past_deadline", "already passed"),
        ("outside", "not under"),
        ("issuer_itself", "not under"),
        ("group", "Only Departments"),
        ("empty", "Choose who must report"),
        ("matches_nothing", "No unit below"),
        ("exe_template", "not a PDF, Word or Excel"),
        ("pdf_named_docx", "really a PDF"),
        ("old_word", "97–2003"),
        ("not_allowed_type", "not a PDF, Word (.docx) or Excel"),
        ("too_big", "at most 20 MB"),
        ("school_admin", "cannot ask for reports"),
        ("other_department", "cannot ask for reports"),
    ],
)
def test_creation_refusals_change_nothing(tree, people, case, fragment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    kwargs = {"actor": people.so, "issuer": tree.dept_a, "kinds": [A.THCS]}
    if case == "past_deadline":
        kwargs["deadline"] = in_days(-1)
    elif case == "outside":
        kwargs.update(kinds=[], units=[tree.s1, tree.s3])
    elif case == "issuer_itself":
        kwargs.update(kinds=[], units=[tree.dept_a])
    elif case == "group":
        kwargs.update(kinds=[], units=[tree.g1])
    elif case == "empty":
        kwargs.update(kinds=[], units=[])
    elif case == "matches_nothing":
        kwargs.update(kinds=[A.CONTINUING])
    elif case == "exe_template":
        kwargs["template_file"] = exe_named_pdf()
    elif case == "pdf_named_docx":
        kwargs["template_file"] = pdf_file("mau.docx")
    elif case == "old_word":
        kwargs["template_file"] = SimpleUploadedFile("mau.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    elif case == "not_allowed_type":
        kwargs["template_file"] = SimpleUploadedFile("mau.exe", b"MZ" + b"\0" * 100)
    elif case == "too_big":
        kwargs["template_file"] = pdf_file(size=REPORT_FILE_MAX_BYTES + 1)
    elif case == "school_admin":
        kwargs.update(actor=people.s1_admin, issuer=tree.office_a1)
    elif case == "other_department":
        kwargs.update(actor=people.so_b)
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        make_request(**kwargs)
    assert fragment in " ".join(excinfo.value.messages)
    assert snapshot() == before


def test_outside_units_are_named(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        make_request(actor=people.so, issuer=tree.dept_a, units=[tree.s1, tree.s3])
    assert excinfo.value.message_dict["units"] == [
        f"These units are not under {tree.dept_a.name}, so it cannot ask them for a report: {tree.s3.name}."
    ]


def test_a_file_written_before_a_failure_is_removed(tree, people, monkeypatch):
    """Nothing half-written: the template is saved, then the insert fails; the file goes again."""
    import publications.services as services

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.ReportRecipient.objects, "bulk_create", boom)
    before = snapshot()
    with pytest.raises(RuntimeError):
        make_request(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], template_file=pdf_file())
    assert snapshot() == before


def test_a_second_click_makes_no_second_request(tree, people):
    token = uuid.uuid4()
    first = make_request(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], token=token)
    before = snapshot()
    with pytest.raises(AlreadyDone) as excinfo:
        make_request(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS], token=token)
    assert excinfo.value.obj == first
    assert snapshot() == before


def test_the_ministry_asks_every_department(tree, people):
    request = make_request(actor=people.bo, issuer=tree.ministry, kinds=[A.DEPARTMENTS])
    assert set(request.recipients.values_list("unit", flat=True)) == {tree.dept_a.pk, tree.dept_b.pk}


# --- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("upload", [pdf_file, docx_file, xlsx_file])
def test_real_pdf_word_and_excel_files_pass(upload):
    file = upload()
    assert report_file_check(file) == Path(file.name).suffix
    assert file.tell() == 0  # left ready to be saved


def test_a_zip_that_is_not_an_office_document_is_refused():
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("setup.exe", "MZ")
    with pytest.raises(ValidationError, match="not a PDF, Word or Excel"):
        report_file_check(SimpleUploadedFile("bao-cao.xlsx", buffer.getvalue()))
    with pytest.raises(ValidationError, match="empty"):
        report_file_check(SimpleUploadedFile("bao-cao.pdf", b""))


# --- submitting -------------------------------------------------------------------------------


@pytest.fixture
def asked(tree, people):
    return make_request(actor=people.so, issuer=tree.dept_a, kinds=[A.THCS, A.THPT], units=[tree.office_a1])


def test_submit_then_resubmit_before_the_deadline(tree, people, asked):
    row = recipient(asked, tree.s1)
    first = report_submission_create(actor=people.s1_admin, recipient=row, upload=pdf_file(), note="Lần 1")
    second = report_submission_create(actor=people.s1_principal, recipient=row, upload=docx_file(), note="Bổ sung")
    row.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert not first.is_late and not second.is_late
    assert row.status == S.ON_TIME and row.version_count == 2 and row.latest_submission == second
    assert row.last_submitted_at == second.created_at
    assert all((Path(settings.PRIVATE_ROOT) / s.file.name).exists() for s in (first, second))
    assert first.file.name != second.file.name and first.original_name == "bao-cao.pdf"
    assert AuditEntry.objects.filter(action="report.submit", unit=tree.s1).count() == 2


def test_a_submission_after_the_deadline_is_accepted_and_marked_late(tree, people, asked):
    set_deadline(asked, in_days(-1))
    row = recipient(asked, tree.s2)
    submission = report_submission_create(actor=people.s2_admin, recipient=row, upload=pdf_file())
    again = report_submission_create(actor=people.s2_admin, recipient=row, upload=xlsx_file())
    row.refresh_from_db()
    assert submission.is_late and again.is_late
    assert row.status == S.LATE and row.version_count == 2


def test_after_the_deadline_the_on_time_version_stands(tree, people, asked):
    row = recipient(asked, tree.s1)
    report_submission_create(actor=people.s1_admin, recipient=row, upload=pdf_file())
    set_deadline(asked, in_days(-0.01))
    before = snapshot()
    with pytest.raises(ValidationError, match="can no longer be replaced"):
        report_submission_create(actor=people.s1_admin, recipient=row, upload=pdf_file("v2.pdf"))
    assert snapshot() == before
    row.refresh_from_db()
    assert row.status == S.ON_TIME and row.version_count == 1


@pytest.mark.parametrize(
    ("who", "unit", "upload", "fragment"),
    [
        ("s1_admin", "s1", exe_named_pdf, "not a PDF, Word or Excel"),
        ("s1_admin", "s1", lambda: pdf_file("bao-cao.xlsx"), "really a PDF"),
        ("s1_admin", "s1", lambda: pdf_file(size=REPORT_FILE_MAX_BYTES + 1), "at most 20 MB"),
        ("s2_admin", "s1", pdf_file, "You do not manage"),
        ("teacher", "s1", pdf_file, "You do not manage"),
        ("leader", "s1", pdf_file, "You do not manage"),
        ("so_b", "t1", pdf_file, "You do not manage"),
        ("s1_admin", "office_a1", pdf_file, "You do not manage"),
    ],
)
def test_submission_refusals_change_nothing(tree, people, asked, who, unit, upload, fragment):
    row = recipient(asked, getattr(tree, unit))
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        report_submission_create(actor=getattr(people, who), recipient=row, upload=upload())
    assert fragment in " ".join(excinfo.value.messages)
    assert snapshot() == before


def test_a_closed_unit_cannot_submit(tree, people, asked):
    row = recipient(asked, tree.s2)
    Unit.objects.filter(pk=tree.s2.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="no longer active"):
        report_submission_create(actor=people.s2_admin, recipient=row, upload=pdf_file())


def test_a_double_click_keeps_one_version(tree, people, asked):
    row = recipient(asked, tree.s1)
    token = uuid.uuid4()
    first = report_submission_create(actor=people.s1_admin, recipient=row, upload=pdf_file(), token=token)
    before = snapshot()
    with pytest.raises(AlreadyDone) as excinfo:
        report_submission_create(actor=people.s1_admin, recipient=row, upload=pdf_file(), token=token)
    assert excinfo.value.obj == first and "version 1" in excinfo.value.messages[0]
    assert snapshot() == before


def test_the_staff_above_do_not_answer_for_a_school(tree, people, asked):
    """Review finding: the Office that asked could fill in the school's report itself. Only the
    school's own managers answer; the Office still follows the request."""
    with pytest.raises((PermissionDenied, ValidationError)):
        report_submission_create(actor=people.phong, recipient=recipient(asked, tree.s1), upload=pdf_file())
    assert not recipient(asked, tree.s1).submissions.exists()


# --- the issuer's table -----------------------------------------------------------------------


def test_status_counts_and_filters(tree, people, asked):
    # Asked: office_a1, s1, s2 (THCS), t1 (THPT).
    report_submission_create(actor=people.s1_admin, recipient=recipient(asked, tree.s1), upload=pdf_file())
    report_submission_create(actor=people.s1_admin, recipient=recipient(asked, tree.s1), upload=pdf_file())
    report_submission_create(actor=people.phong, recipient=recipient(asked, tree.office_a1), upload=pdf_file())
    set_deadline(asked, in_days(-1))
    report_submission_create(actor=people.t1_principal, recipient=recipient(asked, tree.t1), upload=pdf_file())
    assert report_status_counts(request=asked) == {"total": 4, "on_time": 2, "late": 1, "missing": 1}

    def units(status="", query=""):
        return {r.unit for r in report_status_rows(request=asked, status=status, query=query)}

    assert units("on_time") == {tree.s1, tree.office_a1}
    assert units("late") == {tree.t1}
    assert units("missing") == {tree.s2}
    assert units() == {tree.s1, tree.s2, tree.t1, tree.office_a1}
    assert units(query="tien tan") == {tree.s2}  # without diacritics
    assert units(query=tree.t1.code) == {tree.t1}
    rows = {r.unit: r for r in report_status_rows(request=asked)}
    assert rows[tree.s1].version_count == 2 and rows[tree.s1].latest_submission.version == 2


# --- reminders --------------------------------------------------------------------------------


def test_reminders_reach_only_the_units_that_have_not_submitted(tree, people, asked):
    report_submission_create(actor=people.s1_admin, recipient=recipient(asked, tree.s1), upload=pdf_file())
    set_deadline(asked, in_days(-1))
    report_submission_create(actor=people.t1_principal, recipient=recipient(asked, tree.t1), upload=pdf_file())
    Notification.objects.all().delete()
    reminder = report_request_remind(actor=people.so, request=asked)
    notified = set(Notification.objects.values_list("recipient", flat=True))
    assert notified == {people.s2_admin.pk, people.phong.pk}  # s2 and office_a1 are missing
    assert (reminder.unit_count, reminder.people_count, reminder.unreached_count) == (2, 2, 0)
    assert "Reminder" in Notification.objects.first().title
    entry = AuditEntry.objects.get(action="report_request.remind")
    assert entry.after == {"units": 2, "people": 2, "units_with_nobody": 0}


def test_a_reminder_cannot_be_sent_twice_within_10_minutes(tree, people, asked):
    first = report_request_remind(actor=people.so, request=asked)
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        report_request_remind(actor=people.bo, request=asked)  # even by someone else
    assert "once every 10 minutes" in excinfo.value.messages[0]
    assert snapshot() == before
    ReportReminder.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(minutes=10, seconds=1))
    report_request_remind(actor=people.so, request=asked)
    assert ReportReminder.objects.count() == 2


def test_units_with_nobody_to_notify_are_counted(tree, people):
    lonely = make_unit(tree.office_a2, Unit.Kind.SCHOOL, "Trường TH Không Ai", school_level="th")
    request = make_request(actor=people.so, issuer=tree.dept_a, units=[lonely, tree.s2])
    reminder = report_request_remind(actor=people.so, request=request)
    assert (reminder.unit_count, reminder.unreached_count) == (2, 1)


@pytest.mark.parametrize("who", ["s1_admin", "so_b", "teacher"])
def test_only_the_issuer_side_reminds(tree, people, asked, who):
    before = snapshot()
    with pytest.raises(ValidationError, match="cannot send reminders"):
        report_request_remind(actor=getattr(people, who), request=asked)
    assert snapshot() == before


def test_nobody_to_remind_when_everyone_submitted(tree, people):
    request = make_request(actor=people.phong, issuer=tree.office_a1, units=[tree.s1])
    report_submission_create(actor=people.s1_admin, recipient=recipient(request, tree.s1), upload=pdf_file())
    with pytest.raises(ValidationError, match="nobody to remind"):
        report_request_remind(actor=people.phong, request=request)
    assert not ReportReminder.objects.exists()


def test_a_new_principal_is_reminded(tree, people, asked):
    """People are found when the reminder goes out, not when the request was made."""
    newcomer = make_person(unit=tree.s2, role=Role.PRINCIPAL)
    report_request_remind(actor=people.so, request=asked)
    assert Notification.objects.filter(recipient=newcomer).exists()
