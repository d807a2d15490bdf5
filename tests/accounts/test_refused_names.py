"""Person names that start like a formula or hold bidi controls are refused at entry: in the account
form and on the rows of a spreadsheet import, with the same message (issue #14 point 8)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.forms.issuing import AccountForm
from accounts.models import ImportRow, IssueBatch, User
from accounts.services.issuing import import_start, import_validate
from truonghoc.text import formula_or_bidi_problem
from units.models import Unit

from .spreadsheets import xlsx

pytestmark = pytest.mark.usefixtures("in_english")


def _form(school, full_name):
    six_a1 = Unit.objects.get_children(school).get(name="6A1")
    return AccountForm({"account_type": "student", "full_name": full_name, "school_class": six_a1.pk}, school=school)


@pytest.mark.parametrize("name", ["+Nguyễn Văn An", "@Trần Bình", "-Lê Hoa", "Nguyễn \u202eVăn An"])
def test_the_account_form_refuses_the_name(school, name):
    form = _form(school, name)
    assert not form.is_valid()
    assert form.errors["full_name"] == [formula_or_bidi_problem(name)]
    assert _form(school, "Nguyễn Văn An").is_valid()


def test_the_issue_page_refuses_and_creates_nothing(client, school, admin, english_pages):
    client.force_login(admin)
    six_a1 = Unit.objects.get_children(school).get(name="6A1")
    response = client.post(
        reverse("accounts:account_new", args=[school.pk]),
        {"account_type": "student", "full_name": "@cmd|' /C calc'!A0", "school_class": six_a1.pk},
    )
    assert response.status_code == 200 and "formula" in response.content.decode()
    assert not User.objects.filter(account_type="student").exists()


def test_an_import_row_with_such_a_name_is_refused_with_the_same_message(school, admin):
    rows = [
        ["Nguyễn Văn An", "05/09/2012", "Nam", "0100000001", "6A1", "", ""],
        ["+Trần Văn Bình", "05/09/2012", "Nam", "0100000002", "6A1", "", ""],
        ["Lê \u2067Thị\u2069 Hoa", "05/09/2012", "Nữ", "0100000003", "6A1", "", ""],
        ["-Phạm Minh", "05/09/2012", "Nam", "0100000004", "6A1", "", ""],
    ]
    content = xlsx(rows)
    batch = import_start(
        actor=admin, school=school, account_type="student", upload=SimpleUploadedFile("hs.xlsx", content)
    )
    batch = import_validate(batch=batch, content=content)
    assert batch.status == IssueBatch.Status.INVALID and batch.error_rows == 3
    errors = {row.line: row.errors for row in ImportRow.objects.filter(batch=batch, action=ImportRow.Action.ERROR)}
    assert set(errors) == {3, 4, 5}
    assert errors[3] == [formula_or_bidi_problem("+x")] and errors[5] == [formula_or_bidi_problem("-x")]
    assert errors[4] == [formula_or_bidi_problem("\u2067")]
    assert not User.objects.filter(account_type="student").exists()
