"""The assignments pages, My classes and the grid's xlsx pages: who may open them and what they do."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gradebook.grid_xlsx import grid_headers
from gradebook.models import Mark, MarkImport, Regulation, SubjectRule, TeachingAssignment
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role

from .test_assign import _ids, _sheet

# The grid of a subject with four regular assessments (Toán, grade 6).
FOUR_REGULARS = SubjectRule(regulation=Regulation.TT22_2021, grade=6, subject="Toán", periods_per_year=140)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(book):
    return {
        "runner": book.principal,
        "other_runner": make_person(unit=book.tree.s2, role=Role.PRINCIPAL),
        "teacher": book.maths,
        "student": book.students[0],
    }


@pytest.mark.parametrize("who, status", [("runner", 200), ("other_runner", 404), ("teacher", 404), ("student", 404)])
def test_assignments_page_permission_matrix(book, people, who, status):
    url = reverse("gradebook:assignments", kwargs={"school_id": book.school.pk})
    assert _client(people[who]).get(url).status_code == status
    assignment = TeachingAssignment.objects.get()
    remove = reverse("gradebook:assignment_remove", kwargs={"pk": assignment.pk})
    assert _client(people[who]).post(remove).status_code == (302 if status == 200 else 404)
    assert TeachingAssignment.objects.exists() == (status != 200)


def test_assignments_page_lists_filters_searches_and_sets(book):
    client = _client(book.principal)
    url = reverse("gradebook:assignments", kwargs={"school_id": book.school.pk})
    page = client.get(url).content.decode()
    assert "Nguyễn Văn Toán" in page and reverse("units:homerooms", kwargs={"pk": book.school.pk}) in page
    assert "Nguyễn Văn Toán" in client.get(url, {"q": "nguyen van toan"}).content.decode()
    assert 'data-testid="assignments-empty"' in client.get(url, {"q": "khong co"}).content.decode()
    assert 'data-testid="assignments-empty"' in client.get(url, {"semester": "2"}).content.decode()
    client.post(url, {"semester": "2", "class": book.tree.c2.pk, "subject": "Ngữ văn", "teacher": book.other.pk})
    assert TeachingAssignment.objects.get(semester=2).teacher == book.other
    response = client.post(
        url, {"semester": "1", "class": book.tree.c2.pk, "subject": "Nope", "teacher": book.other.pk}
    )
    assert response.status_code == 302 and TeachingAssignment.objects.count() == 2


def test_copy_page_confirms_then_copies(book):
    client = _client(book.principal)
    url = reverse("gradebook:assignments_copy", kwargs={"school_id": book.school.pk})
    assert client.get(url).status_code == 200 and not TeachingAssignment.objects.filter(semester=2).exists()
    client.post(url)
    assert TeachingAssignment.objects.get(semester=2).teacher == book.maths
    assert _client(book.maths).post(url).status_code == 404


def test_my_classes_links_and_empty_state(book):
    page = _client(book.maths).get(reverse("gradebook:my_classes")).content.decode()
    assert "6A1" in page and "Toán" in page
    empty = _client(book.other).get(reverse("gradebook:my_classes")).content.decode()
    assert 'data-testid="my-classes-empty"' in empty


def test_grid_download_is_audited_and_upload_previews_then_writes(book):
    ids = _ids(book)
    kwargs = {"class_id": book.school_class.pk, "semester": 1, "subject": "Toán"}
    client = _client(book.maths)
    response = client.get(reverse("gradebook:grid_export", kwargs=kwargs))
    assert response.status_code == 200
    assert list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[5] == tuple(
        grid_headers(FOUR_REGULARS)
    )
    assert AuditEntry.objects.filter(action="export.gradebook_grid").count() == 1
    assert _client(book.other).get(reverse("gradebook:grid_export", kwargs=kwargs)).status_code == 404
    assert _client(book.students[0]).get(reverse("gradebook:grid_export", kwargs=kwargs)).status_code == 404
    upload = reverse("gradebook:grid_upload", kwargs=kwargs)
    content = _sheet([[1, ids[0], "HS 1", "", "8,5"]])
    preview = client.post(upload, {"file": io.BytesIO(content)}, format="multipart")
    assert preview.status_code == 302 and not Mark.objects.exists()
    batch = MarkImport.objects.get()
    client.post(reverse("gradebook:grid_upload_confirm", args=[batch.pk]))
    assert Mark.objects.get().entered_by == book.maths
    bad = client.post(upload, {"file": io.BytesIO(_sheet([[1, ids[0], "HS 1", "", "11"]]))}, follow=True)
    assert 'data-testid="row-problems"' in bad.content.decode() and "confirm-import" not in bad.content.decode()
    assert _client(book.other).post(upload, {"file": io.BytesIO(content)}).status_code == 404
