"""The school's account list: filters, accent-free search, given-name order, export, fixed queries."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AccountQuota, User
from tests.accounts.factories import make_person
from units.models import Role

from .spreadsheets import students, xlsx


@pytest.fixture
def admin(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=100, students=1000)
    return make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, account_type="teacher", full_name="Quản Trị Viên")


def test_list_filters_by_type_class_status_and_finds_without_accents(client, tree, admin):
    make_person(unit=tree.c1, role=Role.STUDENT, full_name="Nguyễn Văn A")
    make_person(unit=tree.c2, role=Role.STUDENT, full_name="Trần Thị Bích")
    gone = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Lê Văn Cũ")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    make_person(unit=tree.g1, role=Role.TEACHER, full_name="Phạm Văn Giáo")
    client.force_login(admin)
    url = reverse("accounts:school_accounts", args=[tree.s1.pk])

    def names(**params):
        return [u.full_name for u in client.get(url, params).context["page"]]

    assert names(q="nguyen van a") == ["Nguyễn Văn A"]
    assert names(type="student") == ["Nguyễn Văn A", "Trần Thị Bích"]  # A before Bích: sorted by given name
    assert names(unit=tree.c2.pk) == ["Trần Thị Bích"]
    assert names(status="inactive") == ["Lê Văn Cũ"]
    assert names(type="teacher") == ["Phạm Văn Giáo", "Quản Trị Viên"]
    counts = client.get(url).context["counts"]
    assert counts["student"] == {"active": 2, "inactive": 1}


def test_list_export_is_an_xlsx_of_the_filtered_accounts(client, tree, admin):
    make_person(unit=tree.c1, role=Role.STUDENT, full_name="=cmd|' /C calc'!A0")
    make_person(unit=tree.c1, role=Role.STUDENT, full_name="Đỗ Thị Hoa")
    client.force_login(admin)
    response = client.get(reverse("accounts:school_accounts", args=[tree.s1.pk]), {"type": "student", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    names = {row[1] for row in rows[2:]}
    assert "Đỗ Thị Hoa" in names and "'=cmd|' /C calc'!A0" in names and len(rows) == 4
    assert all(row[4] == "6A1" for row in rows[2:])


@pytest.mark.parametrize("people", [5, 60])
def test_list_costs_a_fixed_number_of_queries(client, tree, admin, people, django_assert_max_num_queries):
    for _ in range(people):
        make_person(unit=tree.c1, role=Role.STUDENT)
    client.force_login(admin)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("accounts:school_accounts", args=[tree.s1.pk]))
    assert len(response.context["page"]) == min(people + 1, 50)


@pytest.mark.parametrize(
    ("role", "where", "status"),
    [
        (Role.PRINCIPAL, "s1", 200),
        (Role.TEACHER, "g1", 404),
        (Role.SCHOOL_ADMIN, "s2", 404),
        (Role.DEPARTMENT_STAFF, "dept_b", 404),
    ],
)
def test_list_scope(client, tree, admin, role, where, status):
    client.force_login(make_person(unit=getattr(tree, where), role=role))
    assert client.get(reverse("accounts:school_accounts", args=[tree.s1.pk])).status_code == status


def test_command_line_import_writes_the_sheet_beside_the_file(tree, admin, tmp_path, capsys):
    path = tmp_path / "hoc-sinh.xlsx"
    path.write_bytes(xlsx(students(12)))
    call_command("import_accounts", str(path), "--school", tree.s1.code, "--type", "student", "--as", admin.username)
    out = capsys.readouterr().out
    assert "12" in out
    sheet = tmp_path / "hoc-sinh.tai-khoan.xlsx"
    rows = list(load_workbook(sheet).active.iter_rows(values_only=True))
    assert len(rows) == 14 and rows[2][3].endswith(".hs0001")
    assert User.objects.filter(unit=tree.s1, account_type="student").count() == 12
    assert sheet.stat().st_mode & 0o777 == 0o600
    # The same file again changes nothing, says so, and is not an error.
    from django.utils import translation

    with translation.override("en"):
        call_command("import_accounts", str(path), "--school", tree.s1.code)
    assert "0 created, 12 unchanged" in capsys.readouterr().out
    assert User.objects.filter(unit=tree.s1, account_type="student").count() == 12


def test_command_line_refuses_bad_rows_with_reasons(tree, admin, tmp_path, capsys):
    path = tmp_path / "loi.xlsx"
    path.write_bytes(xlsx([["", "01/01/2012", "Nam", "0200000001", "6A1", "", ""], *students(2)]))
    with pytest.raises(CommandError, match="1"):
        call_command("import_accounts", str(path), "--school", tree.s1.code)
    assert "2" in capsys.readouterr().err  # line 2 and its reason
    assert not User.objects.filter(account_type="student").exists()
    with pytest.raises(CommandError):
        call_command("import_accounts", str(path), "--school", "KHONG-CO")
