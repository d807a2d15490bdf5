"""Parent accounts (issue #17): issued from the student import or on a student's page, linked to the
children, one account per person, refused for a child of another school, counting against no quota."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AccountQuota, Guardianship, ImportRow, IssueBatch, User
from accounts.permissions import can_issue_parent, is_parent_of
from accounts.services.credentials import sheet_load
from accounts.services.issuing import account_issue, import_apply, import_confirm, import_start, import_validate
from accounts.services.parents import parent_issue, parent_link, parent_unlink, phone_normalise
from accounts.services.quotas import quota_usage
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role

from .spreadsheets import xlsx

pytestmark = pytest.mark.usefixtures("in_english")  # messages compared in their English source form

HEADER = [
    "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Lớp / Tổ chuyên môn",
    "Họ tên phụ huynh", "SĐT phụ huynh", "Email phụ huynh", "Quan hệ",
]  # fmt: skip


@pytest.fixture
def school(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=10, students=3)
    AccountQuota.objects.create(school=tree.s2, teachers=10, students=10)
    return tree.s1


@pytest.fixture
def admin(school):
    return make_person(unit=school, role=Role.SCHOOL_ADMIN, username="quantri.tp", account_type="teacher")


@pytest.fixture
def principal(school):
    return make_person(unit=school, role=Role.PRINCIPAL, username="hieutruong.tp", account_type="teacher")


def student(admin, school, national_id, name="Nguyễn Văn An", unit="6A1"):
    values = {"full_name": name, "national_id": national_id, "unit": unit}
    return account_issue(actor=admin, school=school, account_type="student", values=values)[0]


def run_import(admin, school, rows):
    content = xlsx(rows, header=HEADER)
    batch = import_start(
        actor=admin, school=school, account_type="student", upload=SimpleUploadedFile("hs.xlsx", content)
    )
    return import_validate(batch=batch, content=content)


def test_phone_numbers_are_compared_as_schools_type_them():
    assert phone_normalise("0912 345 678") == "0912345678"
    assert phone_normalise("+84912345678") == "0912345678"
    assert phone_normalise("912345678") == "0912345678"  # Excel dropped the leading zero
    assert phone_normalise("84912345678") == "0912345678"


# --- from the import -----------------------------------------------------------------------------
def test_import_gives_one_parent_for_two_children_and_one_sheet(tree, school, admin):
    rows = [
        ["Nguyễn Văn An", "05/09/2012", "Nam", "0000000001", "6A1", "Trần Thị Bình", "0912 345 678", "", "Mẹ"],
        ["Nguyễn Thị Hoa", "01/02/2013", "Nữ", "0000000002", "7A1", "", "912345678", "binh@example.vn", "mẹ"],
        ["Lê Văn Cường", "03/03/2012", "Nam", "0000000003", "6A1", "Lê Văn Dũng", "", "DUNG@example.vn", "Bố"],
    ]
    batch = run_import(admin, school, rows)
    assert batch.status == IssueBatch.Status.READY, batch.message
    batch = import_apply(actor=admin, batch=import_confirm(actor=admin, batch=batch))
    assert batch.status == IssueBatch.Status.DONE

    parents = list(User.objects.filter(account_type=User.AccountType.PARENT).order_by("username"))
    assert [p.full_name for p in parents] == ["Trần Thị Bình", "Lê Văn Dũng"]
    binh, dung = parents
    assert binh.unit == school and binh.phone == "0912345678" and binh.email == "binh@example.vn"
    assert dung.email == "dung@example.vn" and dung.username == f"{school.code.lower()}.ph0002"
    assert not binh.role_assignments.exists()  # a parent holds no role: reaches no unit
    an, hoa, cuong = (User.objects.get(national_id=f"000000000{i}") for i in (1, 2, 3))
    assert {g.child for g in Guardianship.objects.filter(parent=binh)} == {an, hoa}
    assert Guardianship.objects.get(parent=dung).child == cuong
    assert {g.relation for g in Guardianship.objects.filter(parent=binh)} == {"mother"}
    assert Guardianship.objects.get(parent=dung).relation == "father"
    # The parents are on the batch's credential sheet with the students, naming their children.
    sheet = {row["username"]: row for row in sheet_load(batch=batch)}
    assert len(sheet) == 5
    assert "Nguyễn Văn An (6A1)" in sheet[binh.username]["note"] and "Nguyễn Thị Hoa" in sheet[binh.username]["note"]
    # One entry per new parent account, naming its children (links to existing parents: their own entry).
    created = AuditEntry.objects.filter(action="account.create", after__account_type="parent")
    assert sorted(len(entry.after["children"]) for entry in created) == [1, 2]
    assert not AuditEntry.objects.filter(action="parent.link").exists()
    # Parents count against no quota: the school's 3 student places are exactly used.
    assert quota_usage(school=school)["student"]["used"] == 3


def test_import_links_the_existing_parent_account_of_the_school(tree, school, admin, principal):
    first = student(admin, school, "0000000009", name="Phạm Minh Khôi")
    existing = parent_issue(actor=principal, child=first, values={"parent_phone": "0987654321"}).parent
    batch = run_import(admin, school, [["Phạm Thu Hà", "", "", "0000000010", "6A1", "", "0987.654.321", "", ""]])
    assert import_apply(actor=admin, batch=import_confirm(actor=admin, batch=batch)).status == "done"
    ha = User.objects.get(national_id="0000000010")
    assert User.objects.filter(account_type="parent").count() == 1
    assert is_parent_of(existing, ha) and is_parent_of(existing, first)
    assert AuditEntry.objects.filter(action="parent.link", target_id=str(ha.pk), after__batch=batch.pk).exists()


def test_import_refuses_bad_parent_details_and_writes_nothing(tree, school, admin):
    make_person(unit=tree.s2, role=Role.TEACHER, account_type="teacher", email="gv@example.vn")
    rows = [
        ["Nguyễn Văn An", "", "", "0000000001", "6A1", "Trần Thị Bình", "12345", "", "Mẹ"],
        ["Nguyễn Thị Hoa", "", "", "0000000002", "6A1", "", "", "khong-phai-email", ""],
        ["Lê Văn Cường", "", "", "0000000003", "6A1", "Lê Văn Dũng", "", "gv@example.vn", ""],
        ["Lê Thị Mai", "", "", "0000000004", "6A1", "Lê Thị Mơ", "", "", "Hàng xóm"],
    ]
    batch = run_import(admin, school, rows)
    assert batch.status == IssueBatch.Status.INVALID and batch.error_rows == 4
    errors = [row.errors for row in batch.rows.order_by("line")]
    assert "phone number" in errors[0][0] and "12345" in errors[0][0]
    assert "khong-phai-email" in errors[1][0]
    assert "already used by another account" in errors[2][0]
    assert any("Hàng xóm" in e for e in errors[3]) and any("phone number or email" in e for e in errors[3])
    assert not User.objects.filter(account_type__in=["parent", "student"]).exists()


def test_teacher_imports_ignore_parent_columns(tree, school, admin):
    content = xlsx([["Đỗ Văn Giáo", "", "", "0000000021", "Tổ Khoa học tự nhiên", "", "0912345678", "", ""]], HEADER)
    batch = import_start(
        actor=admin, school=school, account_type="teacher", upload=SimpleUploadedFile("gv.xlsx", content)
    )
    batch = import_validate(batch=batch, content=content)
    assert batch.status == IssueBatch.Status.READY, list(batch.rows.values_list("errors", flat=True))
    assert ImportRow.objects.get(batch=batch).data.get("parent") is None


# --- on a student's page ------------------------------------------------------------------------------
def test_principal_issues_a_parent_and_the_same_phone_links_the_same_account(tree, school, admin, principal):
    an = student(admin, school, "0000000001")
    hoa = student(admin, school, "0000000002", name="Nguyễn Thị Hoa", unit="7A1")
    issued = parent_issue(
        actor=principal, child=an, values={"parent_name": "Trần Thị Bình", "parent_phone": "0912345678",
                                           "parent_relation": "mother"},
    )  # fmt: skip
    assert issued.created and issued.batch.kind == IssueBatch.Kind.PARENT
    [row] = sheet_load(batch=issued.batch)
    assert row["username"] == issued.parent.username and row["note"] == "Parent of Nguyễn Văn An (6A1)"
    again = parent_issue(actor=admin, child=hoa, values={"parent_phone": "+84 912 345 678"})
    assert not again.created and again.parent == issued.parent and again.batch is None
    assert is_parent_of(issued.parent, an) and is_parent_of(issued.parent, hoa)
    with pytest.raises(ValidationError, match="already linked"):
        parent_issue(actor=admin, child=hoa, values={"parent_phone": "0912345678"})
    # The principal who issued it reads its sheet; so does the school admin.
    from accounts.permissions import can_download_sheet

    assert can_download_sheet(principal, issued.batch) and can_download_sheet(admin, issued.batch)


def test_a_child_of_another_school_is_refused_and_nothing_is_written(tree, school, admin, principal):
    an = student(admin, school, "0000000001")
    parent = parent_issue(actor=admin, child=an, values={"parent_phone": "0912345678"}).parent
    admin2 = make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, account_type="teacher")
    other = make_person(unit=tree.s2, role=Role.STUDENT, account_type="student", full_name="Vũ Văn Khác")
    before = (Guardianship.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError, match="not a student of"):
        parent_link(actor=admin, parent=parent, child=other)
    with pytest.raises(ValidationError, match="not a student of"):
        parent_link(actor=admin2, parent=parent, child=other)
    # Nor may S1's admin issue a parent for S2's pupil, nor S2's admin for S1's.
    with pytest.raises(PermissionDenied):
        parent_issue(actor=admin, child=other, values={"parent_phone": "0911111111"})
    with pytest.raises(PermissionDenied):
        parent_link(actor=admin2, parent=parent, child=an)
    assert (Guardianship.objects.count(), AuditEntry.objects.count()) == before


def test_who_may_issue_parents(tree, school, admin, principal):
    an = student(admin, school, "0000000001")
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    office = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF)
    assert can_issue_parent(admin, an) and can_issue_parent(principal, an)
    assert not can_issue_parent(teacher, an) and not can_issue_parent(office, an)
    with pytest.raises(PermissionDenied):
        parent_issue(actor=teacher, child=an, values={"parent_phone": "0912345678"})


def test_bad_details_on_the_page_are_refused_by_field(tree, school, admin):
    an = student(admin, school, "0000000001")
    with pytest.raises(ValidationError) as caught:
        parent_issue(actor=admin, child=an, values={"parent_name": "Bình", "parent_phone": "abc"})
    assert "parent_phone" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        parent_issue(actor=admin, child=an, values={"parent_name": "Bình"})
    assert "phone number or email" in caught.value.message_dict["parent_phone"][0]
    assert not User.objects.filter(account_type="parent").exists()


def test_unlink_ends_the_link_and_the_access(tree, school, admin):
    an = student(admin, school, "0000000001")
    issued = parent_issue(actor=admin, child=an, values={"parent_email": "me@example.vn"})
    parent_unlink(actor=admin, link=issued.link)
    assert not is_parent_of(issued.parent, an)
    assert Guardianship.objects.get(pk=issued.link.pk).ended_by == admin
    assert AuditEntry.objects.filter(action="parent.unlink", target_id=str(an.pk)).exists()
    with pytest.raises(ValidationError):
        parent_unlink(actor=admin, link=issued.link)


def test_parent_page_on_the_students_profile(client, tree, school, admin):
    an = student(admin, school, "0000000001")
    client.force_login(admin)
    page = client.get(reverse("accounts:account_detail", args=[an.pk])).content.decode()
    assert reverse("accounts:parent_new", args=[an.pk]) in page
    response = client.post(
        reverse("accounts:parent_new", args=[an.pk]),
        {"parent_name": "Trần Thị Bình", "parent_phone": "0912345678", "parent_email": "", "parent_relation": "mother"},
    )
    parent = User.objects.get(account_type="parent")
    batch = IssueBatch.objects.get(kind="parent")
    assert response.status_code == 302 and response.url == reverse("accounts:batch", args=[batch.pk])
    page = client.get(reverse("accounts:account_detail", args=[an.pk])).content.decode()
    assert parent.full_name in page
    bad = client.post(reverse("accounts:parent_new", args=[an.pk]), {"parent_name": "X", "parent_phone": "12"})
    assert bad.status_code == 200 and User.objects.filter(account_type="parent").count() == 1


def test_a_child_who_moves_school_leaves_the_old_schools_parent_account(tree, school, admin):
    from accounts.services.lifecycle import transfer_accept, transfer_request
    from tests.units.factories import make_unit
    from units.models import Unit

    an = student(admin, school, "0000000001")
    issued = parent_issue(actor=admin, child=an, values={"parent_phone": "0912345678"})
    admin2 = make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, account_type="teacher")
    s2_class = make_unit(tree.s2, Unit.Kind.CLASS, "6B", grade=6)
    transfer = transfer_request(actor=admin, account=an, to_school=tree.s2)
    transfer_accept(actor=admin2, transfer=transfer, unit=s2_class)
    assert not is_parent_of(issued.parent, an)
    entry = AuditEntry.objects.get(action="parent.unlink", target_id=str(an.pk))
    assert entry.after["reason"] == "transfer" and entry.unit_id == school.pk


def test_unlink_page_for_the_school_only(client, tree, school, admin):
    an = student(admin, school, "0000000001")
    link = parent_issue(actor=admin, child=an, values={"parent_phone": "0912345678"}).link
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    client.force_login(teacher)
    assert client.post(reverse("accounts:parent_unlink", args=[link.pk])).status_code == 404
    client.force_login(admin)
    response = client.post(reverse("accounts:parent_unlink", args=[link.pk]))
    assert response.status_code == 302 and response.url == reverse("accounts:account_detail", args=[an.pk])
    assert Guardianship.objects.get(pk=link.pk).ended_at is not None


def test_child_for_parent_or_404(tree, school, admin):
    from django.http import Http404

    from accounts.permissions import child_for_parent_or_404

    an = student(admin, school, "0000000001")
    cuong = student(admin, school, "0000000002", name="Lê Văn Cường")
    parent = parent_issue(actor=admin, child=an, values={"parent_phone": "0912345678"}).parent
    assert child_for_parent_or_404(parent, an.pk) == an
    for asked, who in ((cuong.pk, parent), (an.pk, admin), (an.pk, an)):
        with pytest.raises(Http404):
            child_for_parent_or_404(who, asked)
