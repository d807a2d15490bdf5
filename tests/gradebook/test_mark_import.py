"""A grid file through the import engine: the statuses, all or nothing when the situation changed since the
check, a second confirm, the page's preview and polling, the Celery path, a crash."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from gradebook import grid_xlsx, locking, services
from gradebook.grid_xlsx import (
    grid_headers,
    mark_import_apply,
    mark_import_cancel,
    mark_import_confirm,
    mark_import_start,
    mark_import_validate,
)
from gradebook.models import Mark, MarkImport, Regulation, SubjectRule
from gradebook.tasks import mark_import_apply_task, mark_import_validate_task

# The grid of a subject with four regular assessments (Toán, grade 6).
FOUR_REGULARS = SubjectRule(regulation=Regulation.TT22_2021, grade=6, subject="Toán", periods_per_year=140)

S = MarkImport.Status


@pytest.fixture
def ids(book):
    for n, student in enumerate(book.students, start=1):
        student.national_id = f"00120000000{n}"
        student.save(update_fields=["national_id"])
    return [s.national_id for s in book.students]


def _sheet(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Trường", "S1"])
    sheet.append(grid_headers(FOUR_REGULARS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _start(book, content):
    return mark_import_start(
        actor=book.maths, school_class=book.school_class, subject="Toán", semester=1,
        upload=SimpleUploadedFile("diem.xlsx", content),
    )  # fmt: skip


def _kwargs(book):
    return {"class_id": book.school_class.pk, "semester": 1, "subject": "Toán"}


def test_the_statuses_from_upload_to_done_and_a_second_confirm_is_refused(book, ids):
    batch = _start(book, _sheet([[1, ids[0], "HS 1", "", "8", None, None, None, "7", "9"]]))
    assert batch.status == S.VALIDATING and batch.working
    batch = mark_import_validate(batch=batch)
    assert batch.status == S.READY and batch.new_rows == 3 and not Mark.objects.exists()
    batch = mark_import_confirm(actor=book.maths, batch=batch)
    assert batch.status == S.IMPORTING
    batch = mark_import_apply(actor=book.maths, batch=batch)
    assert batch.status == S.DONE and batch.finished_at and Mark.objects.count() == 3
    with pytest.raises(ValidationError):
        mark_import_confirm(actor=book.maths, batch=batch)
    assert mark_import_apply(actor=book.maths, batch=batch).status == S.DONE  # a retried task does nothing twice
    assert Mark.objects.count() == 3


def test_a_lock_in_force_since_the_check_fails_the_file_and_writes_nothing(book, ids):
    content = _sheet([[1, ids[0], "HS 1", "", "8"], [2, ids[1], "HS 2", "", None, None, None, None, "6"]])
    batch = mark_import_validate(batch=_start(book, content))
    assert batch.status == S.READY
    locking.lock_set(
        actor=book.principal, school=book.school, semester=1, school_class=book.school_class, subject="Toán",
        kind="gk", locks_at=timezone.now() - timedelta(minutes=1),
    )  # fmt: skip
    batch = mark_import_apply(actor=book.maths, batch=mark_import_confirm(actor=book.maths, batch=batch))
    assert batch.status == S.FAILED and "dòng 4" in batch.message and "GK" in batch.message
    assert not Mark.objects.exists()  # line 3's TX1 was rolled back with it


def test_a_mark_saved_meanwhile_fails_the_file(book, ids):
    batch = mark_import_validate(batch=_start(book, _sheet([[1, ids[0], "HS 1", "", "8"]])))
    services.mark_set(
        actor=book.maths, student_id=book.students[0].pk, school_class=book.school_class, subject="Toán",
        semester=1, kind="tx", index=1, value="5",
    )  # fmt: skip
    batch = mark_import_apply(actor=book.maths, batch=mark_import_confirm(actor=book.maths, batch=batch))
    assert batch.status == S.FAILED
    assert Mark.objects.get().value == 5


def test_the_page_shows_each_lines_problems_and_offers_no_confirm(book, ids):
    client = Client()
    client.force_login(book.maths)
    content = _sheet([[1, ids[0], "HS 1", "", "11"], [2, "nobody", "X", "", "8"], [3, ids[2], "HS 3", "", "7"]])
    response = client.post(reverse("gradebook:grid_upload", kwargs=_kwargs(book)), {"file": io.BytesIO(content)})
    batch = MarkImport.objects.get()
    assert response.url == reverse("gradebook:mark_import", args=[batch.pk])
    assert batch.status == S.INVALID and batch.error_rows == 2
    page = client.get(response.url).content.decode()
    assert page.count('data-testid="row-problems"') == 2 and "TX1: " in page and "nobody" in page
    assert 'data-testid="import-problems"' in page and "confirm-import" not in page
    assert "dòng bị từ chối" in page  # said in Vietnamese
    assert client.get(response.url + "?show=all").content.decode().count("<tr class=") == 3
    assert not Mark.objects.exists()


def test_an_empty_or_non_xlsx_file_says_why(book, ids):
    client = Client()
    client.force_login(book.maths)
    upload = reverse("gradebook:grid_upload", kwargs=_kwargs(book))
    empty = client.post(upload, {"file": SimpleUploadedFile("x.xlsx", b"")})
    assert empty.status_code == 200 and empty.context["form"].errors["file"] and not MarkImport.objects.exists()
    response = client.post(upload, {"file": SimpleUploadedFile("x.xlsx", b"%PDF-1.4\x00\x01")})
    assert "không phải tệp Excel" in client.get(response.url).content.decode()
    # The service refuses an empty file too (the command line has no form).
    assert "Tệp trống" in mark_import_validate(batch=_start(book, b"x"), content=b"").message
    assert not Mark.objects.exists()


def test_confirm_and_cancel_on_the_page(book, ids):
    client = Client()
    client.force_login(book.maths)
    upload = reverse("gradebook:grid_upload", kwargs=_kwargs(book))
    url = client.post(upload, {"file": io.BytesIO(_sheet([[1, ids[0], "HS 1", "", "8,5"]]))}).url
    batch = MarkImport.objects.get()
    page = client.get(url).content.decode()
    assert 'data-testid="import-ready"' in page and "8,5" in page
    assert url in client.get(upload).content.decode()  # listed under the recent imports
    assert reverse("gradebook:mark_import_cancel", args=[batch.pk]) in page
    outsider = Client()
    outsider.force_login(book.other)
    assert outsider.get(url).status_code == 404
    assert outsider.post(reverse("gradebook:grid_upload_confirm", args=[batch.pk])).status_code == 404
    client.post(reverse("gradebook:grid_upload_confirm", args=[batch.pk]))
    assert Mark.objects.get().entered_by == book.maths
    assert 'data-testid="import-done"' in client.get(url).content.decode()
    client.post(reverse("gradebook:grid_upload_confirm", args=[batch.pk]))  # refused: already done
    assert Mark.objects.count() == 1
    second = client.post(upload, {"file": io.BytesIO(_sheet([[1, ids[0], "HS 1", "", "9"]]))}).url
    cancelled = MarkImport.objects.latest("pk")
    client.post(reverse("gradebook:mark_import_cancel", args=[cancelled.pk]))
    cancelled.refresh_from_db()
    assert cancelled.status == S.FAILED and "confirm-import" not in client.get(second).content.decode()
    with pytest.raises(ValidationError):
        mark_import_cancel(actor=book.maths, batch=cancelled)
    assert Mark.objects.get().value == 8.5


def test_a_big_file_goes_to_a_worker_and_the_page_polls(
    book, ids, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_MAX_BYTES = 10
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    queues = []

    def sender(step):
        def apply_async(args, **options):
            sent.append((step, tuple(args)))
            queues.append(options["queue"])

        return apply_async

    monkeypatch.setattr(mark_import_validate_task, "apply_async", sender("validate"))
    monkeypatch.setattr(mark_import_apply_task, "apply_async", sender("apply"))
    client = Client()
    client.force_login(book.maths)
    with django_capture_on_commit_callbacks(execute=True):
        url = client.post(
            reverse("gradebook:grid_upload", kwargs=_kwargs(book)),
            {"file": io.BytesIO(_sheet([[1, ids[0], "HS 1", "", "8"]]))},
        ).url
    batch = MarkImport.objects.get()
    assert sent == [("validate", (batch.pk,))] and batch.status == S.VALIDATING
    page = client.get(url).content.decode()
    assert "hx-get" in page and 'data-status="validating"' in page
    poll = client.get(url, headers={"HX-Request": "true"})
    assert "hx-get" in poll.content.decode() and "HX-Refresh" not in poll
    mark_import_validate_task(batch.pk)  # what the worker does
    poll = client.get(url, headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("gradebook:grid_upload_confirm", args=[batch.pk]))
    assert sent[-1] == ("apply", (batch.pk, book.maths.pk))
    assert queues == ["interactive", "interactive"]  # one class's grid: interactive work (truonghoc/queues.py)
    batch.refresh_from_db()
    assert batch.status == S.IMPORTING and not Mark.objects.exists()
    mark_import_apply_task(batch.pk, book.maths.pk)
    batch.refresh_from_db()
    assert batch.status == S.DONE and Mark.objects.count() == 1


def test_a_crash_in_the_check_marks_the_batch_failed(book, ids, monkeypatch):
    batch = _start(book, _sheet([[1, ids[0], "HS 1", "", "8"]]))

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(grid_xlsx.services, "mark_check", crash)
    assert mark_import_validate_task(batch.pk) == S.FAILED
    batch.refresh_from_db()
    assert batch.status == S.FAILED and batch.message and not Mark.objects.exists()
