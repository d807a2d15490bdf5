"""Issuing accounts one at a time and from spreadsheets, within quota, with one-time credentials."""

import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AccountQuota, ImportRow, InitialCredential, IssueBatch, User
from accounts.services.credentials import code_hash, sheet_load
from accounts.services.issuing import account_issue, import_apply, import_confirm, import_start, import_validate
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role, RoleAssignment, Unit

from .spreadsheets import HEADER, cp1258, students, xlsx


@pytest.fixture
def school(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=10, students=50)
    return tree.s1


@pytest.fixture
def admin(tree, school):
    return make_person(unit=school, role=Role.SCHOOL_ADMIN, username="quantri.tp", account_type="teacher")


def upload(name, content):
    return SimpleUploadedFile(name, content)


def run_import(admin, school, content, name="hs.xlsx", account_type="student"):
    batch = import_start(actor=admin, school=school, account_type=account_type, upload=upload(name, content))
    return import_validate(batch=batch, content=content)


# --- one account --------------------------------------------------------------------------------
def test_issue_one_student_gives_username_and_a_one_time_credential(client, tree, school, admin):
    values = {
        "full_name": "Trần Thị Bình",
        "date_of_birth": "01/02/2013",
        "gender": "Nữ",
        "national_id": "0012345678",
        "unit": "6A1",
    }
    user, batch = account_issue(actor=admin, school=school, account_type="student", values=values)
    assert user.username == f"{school.code.lower()}.hs0001"
    assert user.unit == school and user.must_change_password and not user.has_usable_password()
    assert RoleAssignment.objects.filter(user=user, unit=tree.c1, role=Role.STUDENT).exists()
    [row] = sheet_load(batch=batch)
    code = row["code"]
    assert row["username"] == user.username and len(code) == 10
    # Only a keyed hash is stored: neither the credential row nor the encrypted sheet holds the code.
    credential = InitialCredential.objects.get(user=user)
    assert credential.code_hash == code_hash(user_id=user.pk, code=code) and code not in credential.code_hash
    assert code.encode() not in bytes(IssueBatch.objects.get(pk=batch.pk).sheet_ciphertext)
    assert AuditEntry.objects.filter(action="account.create", target_id=str(user.pk)).exists()

    # First login with the credential forces a password of one's own; then the credential is spent.
    response = client.post("/tai-khoan/login/", {"login": user.username, "password": code.lower()})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("account_set_password")
    assert "Mật khẩu" in client.get(reverse("account_set_password")).content.decode()
    client.post(
        reverse("account_set_password"), {"password1": "Mat-khau-rieng-2026", "password2": "Mat-khau-rieng-2026"}
    )
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Mat-khau-rieng-2026")
    client.logout()
    assert client.post("/tai-khoan/login/", {"login": user.username, "password": code}).status_code == 200


def test_expired_credential_does_not_log_in(client, school, admin):
    user, batch = account_issue(
        actor=admin,
        school=school,
        account_type="student",
        values={"full_name": "Lê Văn Cường", "national_id": "0012345679", "unit": "6A1"},
    )
    code = sheet_load(batch=batch)[0]["code"]
    from datetime import timedelta

    from django.utils import timezone

    InitialCredential.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.post("/tai-khoan/login/", {"login": user.username, "password": code}).status_code == 200


def test_usernames_continue_the_school_sequence(school, admin):
    names = []
    for i in range(3):
        user, _b = account_issue(
            actor=admin,
            school=school,
            account_type="student",
            values={"full_name": f"Học Sinh {i}", "national_id": f"00100000{i}", "unit": "7A1"},
        )
        names.append(user.username)
    assert names == [f"{school.code.lower()}.hs000{i}" for i in (1, 2, 3)]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"full_name": "", "national_id": "0012345670", "unit": "6A1"}, "name"),
        ({"full_name": "An", "national_id": "0012345670", "unit": "9Z9"}, "9Z9"),
        ({"full_name": "An", "national_id": "0012345670", "unit": "6A1", "date_of_birth": "31/02/2013"}, "31/02/2013"),
        (
            {"full_name": "An", "national_id": "0012345670", "unit": "6A1", "email": "khong-phai-email"},
            "khong-phai-email",
        ),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(school, admin, values, message):
    before = User.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        account_issue(actor=admin, school=school, account_type="student", values=values)
    assert message in " ".join(excinfo.value.messages) or message == "name"
    assert User.objects.count() == before


def test_a_personal_id_already_at_another_school_is_refused(tree, school, admin):
    make_person(unit=tree.g3, role=Role.TEACHER, national_id="0099999999")
    with pytest.raises(ValidationError, match="Trường THCS Tiên Tân"):
        account_issue(
            actor=admin,
            school=school,
            account_type="student",
            values={"full_name": "An", "national_id": "0099999999", "unit": "6A1"},
        )


def test_over_quota_says_how_many_remain(school, admin):
    AccountQuota.objects.filter(school=school).update(students=1)
    account_issue(
        actor=admin,
        school=school,
        account_type="student",
        values={"full_name": "A", "national_id": "001111111", "unit": "6A1"},
    )
    with pytest.raises(ValidationError) as excinfo:
        account_issue(
            actor=admin,
            school=school,
            account_type="student",
            values={"full_name": "B", "national_id": "001111112", "unit": "6A1"},
        )
    assert "0" in excinfo.value.messages[0] and excinfo.value.code == "over_quota"
    assert User.objects.filter(national_id="001111112").count() == 0


# --- pages ----------------------------------------------------------------------------------------
def test_the_create_button_works_and_shows_the_credential(client, tree, school, admin):
    client.force_login(admin)
    url = reverse("accounts:account_new", args=[school.pk])
    response = client.post(
        url, {"account_type": "teacher", "full_name": "Phạm Thu Hà", "group": tree.g1.pk, "national_id": "0011112222"}
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    user = User.objects.get(national_id="0011112222")
    assert user.username in page and 'data-testid="sheet-code"' in page
    assert RoleAssignment.objects.filter(user=user, unit=tree.g1, role=Role.TEACHER).exists()


def test_service_problems_are_shown_next_to_their_field(client, tree, school, admin):
    make_person(unit=tree.g3, role=Role.TEACHER, national_id="0777777777")
    client.force_login(admin)
    response = client.post(
        reverse("accounts:account_new", args=[school.pk]),
        {"account_type": "student", "full_name": "Hồ Văn Nam", "national_id": "0777777777", "phone": "12",
         "school_class": Unit.objects.get_children(school).get(name="6A1").pk},
    )  # fmt: skip
    form = response.context["form"]
    assert "Tiên Tân" in " ".join(form.errors["national_id"])
    assert form.errors["phone"]
    assert not form.non_field_errors()


def test_issuing_the_same_person_twice_says_who_has_the_account(client, tree, school, admin):
    values = {"full_name": "Hồ Văn Nam", "national_id": "0888888888", "unit": "6A1"}
    user, _batch = account_issue(actor=admin, school=school, account_type="student", values=values)
    with pytest.raises(ValidationError) as excinfo:
        account_issue(actor=admin, school=school, account_type="student", values=values)
    assert user.username in " ".join(excinfo.value.message_dict["national_id"])
    assert User.objects.filter(national_id="0888888888").count() == 1


def test_confirming_the_same_file_twice_creates_each_person_once(school, admin):
    content = xlsx(students(4))
    first = import_confirm(actor=admin, batch=run_import(admin, school, content))
    second = import_confirm(actor=admin, batch=run_import(admin, school, content))
    assert import_apply(actor=admin, batch=first).status == "done"
    second = import_apply(actor=admin, batch=second)
    assert (second.status, second.new_rows, second.unchanged_rows) == ("done", 0, 4)
    assert User.objects.filter(account_type="student").count() == 4


def test_an_unexpected_error_in_a_task_marks_the_batch_failed(school, admin, monkeypatch):
    from accounts import tasks

    batch = run_import(admin, school, xlsx(students(2)))
    batch = import_confirm(actor=admin, batch=batch)

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tasks, "import_apply", boom)
    assert tasks.import_apply_task(batch.pk, admin.pk) == "failed"
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.message
    assert not User.objects.filter(account_type="student").exists()


def test_the_create_form_keeps_what_was_typed_and_says_what_is_wrong(client, school, admin):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:account_new", args=[school.pk]),
        {"account_type": "student", "full_name": "Đỗ Minh Châu", "email": "sai"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Đỗ Minh Châu"' in page
    assert "invalid-feedback" in page
    assert User.objects.filter(full_name="Đỗ Minh Châu").count() == 0


def test_over_quota_on_the_page_links_to_the_request(client, school, admin):
    AccountQuota.objects.filter(school=school).update(students=0)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:account_new", args=[school.pk]),
        {
            "account_type": "student",
            "full_name": "Vũ An",
            "national_id": "0123123123",
            "school_class": Unit.objects.get_children(school).get(name="6A1").pk,
        },
    )
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page and reverse("accounts:quota", args=[school.pk]) in page


@pytest.mark.parametrize(
    ("role", "where", "status"),
    [(Role.TEACHER, "g1", 404), (Role.SCHOOL_ADMIN, "s2", 404), (Role.OFFICE_STAFF, "office_a1", 200)],
)
def test_issuing_pages_for_the_wrong_role_or_scope(client, tree, school, role, where, status):
    client.force_login(make_person(unit=getattr(tree, where), role=role))
    assert client.get(reverse("accounts:account_new", args=[school.pk])).status_code == status
    assert client.get(reverse("accounts:import_upload", args=[school.pk])).status_code == status


# --- spreadsheets ---------------------------------------------------------------------------------
def test_import_previews_then_creates_all_and_reimport_changes_nothing(client, tree, school, admin):
    content = xlsx(students(30) + students(5, "7A1", start=30), title="Danh sách học sinh lớp 6, 7")
    client.force_login(admin)
    response = client.post(
        reverse("accounts:import_upload", args=[school.pk]),
        {"account_type": "student", "file": upload("hs.xlsx", content)},
    )
    batch = IssueBatch.objects.get(kind="import")
    assert response.url == reverse("accounts:batch", args=[batch.pk])
    assert batch.status == "ready" and batch.new_rows == 35 and User.objects.filter(account_type="student").count() == 0
    page = client.get(response.url + "?show=all").content.decode()
    assert "Nguyễn Văn Học Sinh 0" in page and 'data-testid="confirm-import"' in page

    client.post(reverse("accounts:batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "done"
    assert User.objects.filter(unit=school, account_type="student").count() == 35
    assert RoleAssignment.objects.filter(unit=tree.c2, role=Role.STUDENT).count() == 5
    assert len(sheet_load(batch=batch)) == 35
    # The same file again: everybody is recognised by personal ID, nothing changes.
    again = run_import(admin, school, content)
    assert (again.status, again.new_rows, again.unchanged_rows) == ("invalid", 0, 35)
    assert "nothing to import" in again.message or "không có gì" in again.message.lower() or again.message
    assert User.objects.filter(unit=school, account_type="student").count() == 35


def test_each_problem_is_reported_on_its_line_and_nothing_is_created(tree, school, admin):
    make_person(unit=tree.g3, role=Role.TEACHER, national_id="0555555555")
    rows = [
        ["", "01/01/2012", "Nam", "0100000001", "6A1", "", ""],  # line 3: no name
        ["Lê Bình", "32/13/2012", "Nam", "0100000002", "6A1", "", ""],  # bad date
        ["Lê Châu", "01/01/2012", "Nữ", "0100000003", "6Z", "", ""],  # unknown class
        ["Lê Dũng", "01/01/2012", "Nam", "0100000004", "6A1", "", ""],
        ["Lê Em", "01/01/2012", "Nữ", "0100000004", "6A1", "", ""],  # same ID as the line above
        ["Lê Giang", "01/01/2012", "Nữ", "0555555555", "6A1", "", ""],  # ID at another school
        ['=HYPERLINK("http://x")', "01/01/2012", "Nữ", "0100000007", "6A1", "", ""],  # a formula
        ["Lê Hà", "01/01/2012", "Nữ", "", "6A1", "", ""],  # no personal ID
    ]
    batch = run_import(admin, school, xlsx(rows))
    assert batch.status == "invalid"
    errors = {row.line: " ".join(row.errors) for row in ImportRow.objects.filter(batch=batch, action="error")}
    assert set(errors) == {2, 3, 4, 6, 7, 8, 9}
    assert "32/13/2012" in errors[3] and "6Z" in errors[4] and "0100000004" in errors[6]
    assert ("Tiên Tân" in errors[7] and "Họ và tên" in errors[8]) or "formula" in errors[8] or "công thức" in errors[8]
    assert User.objects.filter(account_type="student").count() == 0


def test_over_quota_import_refuses_all_and_says_how_many_more_to_ask(school, admin):
    AccountQuota.objects.filter(school=school).update(students=4)
    batch = run_import(admin, school, xlsx(students(45)))
    assert batch.status == "invalid" and "45" in batch.message and "4" in batch.message and "41" in batch.message
    with pytest.raises(ValidationError):
        import_confirm(actor=admin, batch=batch)
    assert User.objects.filter(account_type="student").count() == 0


def test_nfd_and_nfc_names_are_the_same_and_csv_variants_read(school, admin):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    header = ",".join(HEADER)
    csv_utf8_bom = ("\ufeff" + header + f"\n{nfd},01/01/2012,Nữ,0123000001,6A1,,\n").encode("utf-8")
    batch = run_import(admin, school, csv_utf8_bom, name="hs.csv")
    assert batch.status == "ready", batch.message
    assert batch.rows.get().data["full_name"] == "Nguyễn Thị Ánh"
    windows = cp1258((header + "\nTrần Văn Bình;01/01/2012;Nam;0123000002;6A1;;\n").replace(",", ";"))
    assert windows.decode("cp1258") != "Trần Văn Bình"  # really decomposed: the reader must compose it
    batch = run_import(admin, school, windows, name="hs-windows.csv")
    assert batch.status == "ready", batch.message
    assert batch.rows.get().data["full_name"] == "Trần Văn Bình"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 this is no real workbook", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password"),
        (b"%PDF-1.7\n%\x00\x00 binary", "neither"),
        (xlsx([]), "no rows"),
        (xlsx([["A", "1"]], header=["Họ và tên", "Họ và tên", "Lớp", "Mã định danh"]), "more than once"),
        (xlsx([["A", "6A1"]], header=["Họ và tên", "Lớp"]), "Mã định danh"),
    ],
    ids=["empty", "corrupt", "password-protected", "pdf", "zero-rows", "duplicate-headers", "missing-column"],
)
def test_bad_files_get_a_clear_message_and_nothing_is_written(school, admin, settings, content, message):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        batch = run_import(admin, school, content)
    assert batch.status == "invalid"
    assert message in batch.message, batch.message
    assert User.objects.filter(account_type="student").count() == 0


def test_too_many_rows_are_refused(school, admin, settings):
    settings.IMPORT_MAX_ROWS = 20
    batch = run_import(admin, school, xlsx(students(21)))
    assert batch.status == "invalid" and "20" in batch.message
    assert not batch.rows.exists()


def test_import_apply_rechecks_what_changed_since_the_preview(tree, school, admin):
    batch = run_import(admin, school, xlsx(students(3)))
    batch = import_confirm(actor=admin, batch=batch)
    make_person(unit=tree.g3, role=Role.TEACHER, national_id=f"{100000001:010d}")  # someone took an ID meanwhile
    batch = import_apply(actor=admin, batch=batch)
    assert batch.status == "failed" and "0100000001" in batch.message
    assert User.objects.filter(account_type="student").count() == 0
    # A retried task on a finished batch does nothing.
    assert import_apply(actor=admin, batch=batch).status == "failed"


# --- the credential sheet -------------------------------------------------------------------------
def test_sheet_downloads_xlsx_and_print_for_the_schools_admins_and_can_be_erased(client, tree, school, admin):
    batch = run_import(admin, school, xlsx(students(3) + students(2, "7A1", start=3)))
    import_apply(actor=admin, batch=import_confirm(actor=admin, batch=batch))
    client.force_login(admin)
    response = client.get(reverse("accounts:batch_sheet_xlsx", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    codes = {row[3]: row[4] for row in values[2:]}
    assert len(codes) == 5 and all(len(code) == 10 for code in codes.values())
    printed = client.get(reverse("accounts:batch_sheet_print", args=[batch.pk])).content.decode()
    assert printed.count('data-testid="slip"') == 5 and "6A1" in printed and "7A1" in printed
    assert AuditEntry.objects.filter(action="credentials.sheet_download").count() == 2
    # Another admin of the same school may hand them out too (audited); an admin of another school may not.
    client.force_login(make_person(unit=school, role=Role.SCHOOL_ADMIN))
    assert client.get(reverse("accounts:batch_sheet_xlsx", args=[batch.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="credentials.sheet_download").count() == 3
    client.force_login(make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN))
    assert client.get(reverse("accounts:batch_sheet_xlsx", args=[batch.pk])).status_code == 404
    assert client.get(reverse("accounts:batch", args=[batch.pk])).status_code == 404
    client.force_login(admin)
    client.post(reverse("accounts:batch_sheet_discard", args=[batch.pk]))
    response = client.get(reverse("accounts:batch_sheet_xlsx", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.sheet_ciphertext is None


def test_reissue_stops_the_old_password_and_gives_a_new_code(client, tree, school, admin):
    student = make_person(unit=tree.c1, role=Role.STUDENT, username="hs.cu")
    client.force_login(admin)
    response = client.post(reverse("accounts:account_reissue", args=[student.pk]))
    batch = IssueBatch.objects.get(kind="reissue")
    assert response.url == reverse("accounts:batch", args=[batch.pk])
    code = sheet_load(batch=batch)[0]["code"]
    client.logout()
    assert client.post("/tai-khoan/login/", {"login": "hs.cu", "password": "secret-pass-123"}).status_code == 200
    assert client.post("/tai-khoan/login/", {"login": "hs.cu", "password": code}).status_code == 302
    assert AuditEntry.objects.filter(action="credentials.reissue", target_id=str(student.pk)).exists()


def test_exports_never_carry_a_formula():
    from truonghoc.xlsx import xlsx_bytes

    content = xlsx_bytes(
        title="=1+1", header=["@SUM(A1)"], rows=[['=HYPERLINK("http://evil")', "+84 912", "-5", "an toàn"]]
    )
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "'=1+1" and rows[1][0] == "'@SUM(A1)"
    assert rows[2] == ('\'=HYPERLINK("http://evil")', "'+84 912", "'-5", "an toàn")


def test_progress_polling_reloads_the_page_when_the_work_is_done(client, school, admin):
    batch = run_import(admin, school, xlsx(students(2)))
    client.force_login(admin)
    response = client.get(reverse("accounts:batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    IssueBatch.objects.filter(pk=batch.pk).update(status="validating")
    response = client.get(reverse("accounts:batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in response and 'hx-trigger="every 1s"' in response.content.decode()
    page = client.get(reverse("accounts:import_upload", args=[school.pk])).content.decode()
    assert reverse("accounts:batch", args=[batch.pk]) in page  # the admin can come back to it


def _rezip(content: bytes, change) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, change(item.filename, source.read(item.filename)))
    return buffer.getvalue()


def test_a_workbook_damaged_inside_its_rows_gets_a_message_not_an_error_page(school, admin):
    truncated = _rezip(xlsx(students(30)), lambda name, data: data[: len(data) // 2] if "sheet1" in name else data)
    batch = run_import(admin, school, truncated)
    assert batch.status == "invalid" and batch.message
    assert not User.objects.filter(account_type="student").exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(school, admin, monkeypatch):
    from truonghoc import spreadsheets

    monkeypatch.setattr(spreadsheets, "MAX_UNZIPPED_BYTES", 50_000)
    padded = _rezip(xlsx(students(3)), lambda name, data: data + b" " * 100_000 if "sheet1" in name else data)
    batch = run_import(admin, school, padded)
    assert batch.status == "invalid" and batch.message


def test_a_whole_class_can_get_new_credentials_at_once(client, tree, school, admin):
    kids = [make_person(unit=tree.c1, role=Role.STUDENT) for _ in range(3)]
    make_person(unit=tree.c2, role=Role.STUDENT)
    client.force_login(admin)
    page = client.get(reverse("accounts:school_accounts", args=[school.pk]), {"unit": tree.c1.pk}).content.decode()
    assert 'data-testid="class-reissue"' in page
    response = client.post(reverse("accounts:class_reissue", args=[tree.c1.pk]))
    batch = IssueBatch.objects.get(kind="reissue")
    assert response.url == reverse("accounts:batch", args=[batch.pk])
    assert {row["username"] for row in sheet_load(batch=batch)} == {k.username for k in kids}
    client.force_login(make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN))
    assert client.post(reverse("accounts:class_reissue", args=[tree.c1.pk])).status_code == 404


def test_account_history_shows_who_issued_it(school, admin):
    from accounts.selectors import account_history

    user, _batch = account_issue(
        actor=admin,
        school=school,
        account_type="student",
        values={"full_name": "An", "national_id": "0123400000", "unit": "6A1"},
    )
    assert [e.action for e in account_history(account=user)] == ["account.create"]


def test_a_code_stops_working_once_an_administrator_sets_a_password(client, school, admin):
    user, batch = account_issue(
        actor=admin,
        school=school,
        account_type="student",
        values={"full_name": "An", "national_id": "0123400001", "unit": "6A1"},
    )
    code = sheet_load(batch=batch)[0]["code"]
    user.set_password("Admin-dat-2026")
    user.save()
    assert client.post("/tai-khoan/login/", {"login": user.username, "password": code}).status_code == 200


def test_usernames_stay_ascii_whatever_the_school_code(tree, admin):
    from accounts.services.issuing import username_prefix
    from units.models import Unit as U

    school = U(code="THCS Đồng Hóa/2", pk=999)
    assert username_prefix(school=school, account_type="student") == "thcs-dong-hoa-2.hs"


def test_the_untouched_template_imports_nobody_and_keeps_ids_as_text(client, school, admin):
    client.force_login(admin)
    content = client.get(reverse("accounts:import_template", args=[school.pk])).content
    book = load_workbook(io.BytesIO(content))
    assert book.worksheets[0]["D2"].number_format == "@"
    assert "Nguyễn Văn An" in [c.value for c in book.worksheets[1]["A"]]
    batch = run_import(admin, school, content)
    assert batch.status == "invalid" and batch.total_rows == 0
    assert not User.objects.filter(account_type="student").exists()


# --- issue #12: what a refused import says, and the names schools give their columns -------------
def test_an_import_with_nothing_new_or_over_quota_says_so_instead_of_file_has_problems(client, school, admin):
    client.force_login(admin)
    content = xlsx(students(3))
    first = run_import(admin, school, content)
    import_confirm(actor=admin, batch=first)
    import_apply(actor=admin, batch=first)
    again = run_import(admin, school, content)
    assert (again.status, again.outcome, again.over_quota_by) == ("invalid", "nothing_new", 0)
    page = client.get(reverse("accounts:batch", args=[again.pk])).content.decode()
    assert 'data-testid="batch-nothing-new"' in page and 'data-testid="batch-problems"' not in page
    assert "Không có gì mới" in page and "Tệp có lỗi" not in page

    AccountQuota.objects.filter(school=school).update(students=10)
    over = run_import(admin, school, xlsx(students(12, start=100)))
    assert (over.status, over.outcome, over.over_quota_by) == ("invalid", "over_quota", 5)  # 3 used, 7 left
    assert User.objects.filter(account_type="student").count() == 3
    page = client.get(reverse("accounts:batch", args=[over.pk])).content.decode()
    assert 'data-testid="batch-over-quota"' in page and "Vượt hạn mức 5 tài khoản" in page
    assert reverse("accounts:quota", args=[school.pk]) in page and "Tệp có lỗi" not in page
    # A file with faulty rows is still “the file has problems”, whatever the quota.
    faulty = run_import(admin, school, xlsx([["", "01/01/2012", "Nam", "0100000001", "6A1", "", ""]]))
    assert faulty.outcome == "invalid" and faulty.status_label == "Tệp có lỗi"

    listing = client.get(reverse("accounts:import_upload", args=[school.pk])).content.decode()
    assert "Vượt hạn mức 5 tài khoản" in listing and "Không có gì mới" in listing
    assert listing.count("Tệp có lỗi") == 1
    assert "cột “STT” được bỏ qua" in listing  # the page says which other column names are understood


def test_a_header_with_other_common_names_is_understood_and_stt_ignored(school, admin):
    header = ["STT", "Họ và tên học sinh", "Ngày tháng năm sinh", "Giới tính", "Số CCCD", "Lớp", "Ghi chú"]
    rows = [[1, "Phạm Thu Hà", "05/09/2012", "Nữ", "001312000001", "6A1", "mới chuyển đến"]]
    batch = run_import(admin, school, xlsx(rows, header=header, title="DANH SÁCH HỌC SINH LỚP 6A1"))
    assert batch.status == "ready", batch.message
    data = batch.rows.get().data
    assert (data["full_name"], data["date_of_birth"], data["gender"], data["national_id"], data["unit_name"]) == (
        "Phạm Thu Hà",
        "2012-09-05",
        "female",
        "001312000001",
        "6A1",
    )
    # Other spellings, accents and case folded, notes in brackets dropped; “Mã định danh” wins over CCCD.
    header = ["stt", "TÊN HỌC SINH", "Ngày sinh (dd/mm/yyyy)", "CCCD", "Mã định danh", "lớp (*)"]
    rows = [[1, "Đỗ Minh Khôi", "01/02/2012", "999999999999", "0100000009", "6A1"]]
    batch = run_import(admin, school, xlsx(rows, header=header))
    assert batch.status == "ready", batch.message
    assert batch.rows.get().data["national_id"] == "0100000009"


def test_a_header_missing_a_column_names_what_was_found_expected_and_missing(school, admin):
    from django.utils import translation

    header = ["STT", "Tên học sinh", "Ngày sinh", "Số báo danh", "Lớp"]
    with translation.override("en"):
        batch = run_import(admin, school, xlsx([[1, "Lê An", "01/01/2012", "15", "6A1"]], header=header))
    assert batch.status == "invalid" and not batch.rows.exists()
    message = batch.message
    assert "Tên học sinh → Họ và tên" in message and "Lớp → Lớp / Tổ chuyên môn" in message
    assert "Số báo danh (not used)" in message and "STT" not in message
    assert "Required: Họ và tên, Mã định danh, Lớp / Tổ chuyên môn" in message
    assert "Missing: Mã định danh" in message
    # No row names any column: the refusal lists the columns to write.
    with translation.override("en"):
        batch = run_import(admin, school, xlsx([["Lê An", "6A1"]], header=["Học sinh", "Khối"]))
    assert batch.status == "invalid" and "Họ và tên, Ngày sinh, Giới tính, Mã định danh" in batch.message


def test_a_sheet_splitting_family_and_given_names_is_put_together(school, admin):
    header = ["STT", "Họ đệm", "Tên", "Ngày sinh", "Mã định danh", "Lớp"]
    rows = [[1, "Nguyễn Thị", "Ánh", "05/09/2012", "0100000011", "6A1"], [2, "", "Bình", "", "0100000012", "6A1"]]
    batch = run_import(admin, school, xlsx(rows, header=header))
    assert batch.status == "ready", batch.message
    assert [r.data["full_name"] for r in batch.rows.order_by("line")] == ["Nguyễn Thị Ánh", "Bình"]


def test_a_large_import_counts_people_the_vietnamese_way(client, school, admin):
    """Point 8: a school re-uploading its whole list reads "Cả 2.587 người", not "2587"."""
    client.force_login(admin)
    content = xlsx(students(3))
    first = run_import(admin, school, content)
    import_confirm(actor=admin, batch=first)
    import_apply(actor=admin, batch=first)
    again = run_import(admin, school, content)
    # The figures a 2,587-person file would leave (building one here would only slow the suite).
    type(again).objects.filter(pk=again.pk).update(total_rows=2587, unchanged_rows=2587)
    page = client.get(reverse("accounts:batch", args=[again.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Cả 2.587 người trong tệp đều đã có tài khoản" in page
