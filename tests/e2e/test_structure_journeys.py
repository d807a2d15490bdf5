"""Issue #15 in a real browser, as people do it through the pages.

a) A Department loads its province from a file (an Office with a THCS under it, a THPT directly under the
   Department) through the unit-import page: upload → the preview lists the rows → confirm → the units
   exist, in the database and on the structure pages. Loading the same file again creates nothing; a
   corrected file updates and never duplicates. Then it gives the new THPT its account quota and issues
   its principal's account from "People and roles".
b) A school's principal creates a professional group and a class on the structure page, names a group
   leader from the school's teachers, sets a homeroom teacher, then runs the year-end rollover wizard
   (preview → run: 6A1 → 7A1, the grade-9 class graduates, the new intake opens) and undoes it."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Rollover, User
from tests.accounts.factories import make_person
from tests.e2e.conftest import log_in, person
from tests.units.factories import make_unit
from units.models import Role, RoleAssignment, Unit, UnitImport
from units.rollover import rollover_years

K = Unit.Kind
HEADER = "Mã đơn vị,Tên đơn vị,Cấp học / loại đơn vị,Loại hình,Mã đơn vị cấp trên,Địa chỉ,Số giáo viên,Số học sinh"
PROVINCE = [
    "PGD-KB,Phòng GDĐT Kim Bảng,Phòng,,,,,",
    '35101,Trường THCS Ba Sao,THCS,Công lập,PGD-KB,"Ba Sao, Kim Bảng",40,700',
    "35103,Trường THPT Kim Bảng A,THPT,Công lập,,Quế Sơn,80,1500",
]


def csv_file(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8-sig")
    return path


def upload(page, path):
    page.set_input_files("input[name=file]", str(path))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("unit-import-status")).to_be_visible()


def accept_dialogs(page):
    """The pages' "are you sure?" (data-confirm → window.confirm), answered yes as a person would."""
    page.on("dialog", lambda dialog: dialog.accept())


# --- a) A Department loads its province and names a principal ----------------------------------------


def test_a_department_loads_its_province_from_a_file_and_names_a_principal(live_server, page, tree, tmp_path):
    person(tree.dept_a, Role.DEPARTMENT_STAFF, "so.hanam", "Lê Thị Sở")
    base = live_server.url
    first = csv_file(tmp_path, "don-vi-ha-nam.csv", PROVINCE)
    before = Unit.objects.count()

    log_in(page, base, "so.hanam")
    page.goto(f"{base}/don-vi/{tree.dept_a.pk}/")
    page.get_by_test_id("unit-import").click()
    expect(page.locator("h1 a.help-link")).to_be_visible()  # its "?"
    upload(page, first)

    # The preview: every row with what confirming will do; nothing is written yet.
    rows = page.get_by_test_id("import-rows")
    for code in ("PGD-KB", "35101", "35103"):
        expect(rows).to_contain_text(code)
    expect(rows.locator("tbody tr[data-action=create]")).to_have_count(3)
    assert Unit.objects.count() == before
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("unit-import-done")).to_be_visible()

    office = Unit.objects.get(code="PGD-KB")
    thcs = Unit.objects.get(code="35101")
    thpt = Unit.objects.get(code="35103")
    assert Unit.objects.count() == before + 3
    assert (office.kind, Unit.objects.get_parent(office)) == (K.OFFICE, tree.dept_a)
    assert (thcs.school_level, Unit.objects.get_parent(thcs)) == ("thcs", office)
    assert (thpt.school_level, Unit.objects.get_parent(thpt)) == ("thpt", tree.dept_a)  # run by the Department
    assert (thpt.declared_teachers, thpt.declared_students) == (80, 1500)

    # The structure pages show them where they belong.
    page.goto(f"{base}/don-vi/{tree.dept_a.pk}/")
    page.get_by_test_id("unit-structure").click()
    table = page.get_by_test_id("structure-table")
    expect(table).to_contain_text("Phòng GDĐT Kim Bảng")
    expect(table).to_contain_text("Trường THPT Kim Bảng A")
    expect(table).not_to_contain_text("Trường THCS Ba Sao")  # under its Office, not the Department
    table.locator("tr", has_text="Phòng GDĐT Kim Bảng").get_by_role("link", name="1").click()
    expect(page.get_by_test_id("structure-table")).to_contain_text("Trường THCS Ba Sao")

    # The same file again creates nothing; a corrected file updates, never duplicates.
    page.goto(f"{base}/don-vi/{tree.dept_a.pk}/nhap-don-vi/")
    upload(page, first)
    expect(page.get_by_test_id("unit-import-nothing")).to_be_visible()
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    corrected = [PROVINCE[0], PROVINCE[1].replace(",40,700", ",42,715"), PROVINCE[2]]
    page.goto(f"{base}/don-vi/{tree.dept_a.pk}/nhap-don-vi/")
    upload(page, csv_file(tmp_path, "don-vi-ha-nam-sua.csv", corrected))
    page.get_by_role("link", name=re.compile(r"^(Tất cả|All) \(3\)")).click()
    expect(page.get_by_test_id("import-rows").locator("tbody tr[data-action=update]")).to_have_count(1)
    expect(page.get_by_test_id("import-rows").locator("tbody tr[data-action=create]")).to_have_count(0)
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("unit-import-done")).to_be_visible()
    assert Unit.objects.count() == before + 3
    assert Unit.objects.filter(code="35101").count() == 1
    thcs.refresh_from_db()
    assert (thcs.declared_teachers, thcs.declared_students) == (42, 715)
    assert UnitImport.objects.filter(under=tree.dept_a, status=UnitImport.Status.DONE).count() == 2

    # The new THPT gets its account quota, then its principal's account from "People and roles".
    page.goto(f"{base}/don-vi/{tree.dept_a.pk}/co-cau/")
    page.get_by_test_id("structure-table").get_by_role("link", name="Trường THPT Kim Bảng A").click()
    page.get_by_test_id("school-quota").click()
    page.fill("#id_teachers", "90")
    page.fill("#id_students", "1600")
    page.get_by_test_id("quota-set").click()
    expect(page.locator(".messages")).to_contain_text("Trường THPT Kim Bảng A")
    page.goto(f"{base}/don-vi/{thpt.pk}/")
    page.get_by_test_id("unit-roles").click()
    expect(page.get_by_test_id("roles-empty")).to_be_visible()
    page.get_by_test_id("staff-account-new").click()
    page.select_option("#id_role", Role.PRINCIPAL)
    page.fill("#id_full_name", "Trần Văn Hiệu")
    page.fill("#id_national_id", "035180004321")
    page.fill("#id_email", "hieu.kba@hanam.edu.vn")
    page.get_by_test_id("create-staff-account").click()
    expect(page.get_by_test_id("credential-sheet")).to_be_visible()
    username = page.get_by_test_id("sheet-username").first.inner_text()

    principal = User.objects.get(username=username)
    assert (principal.full_name, principal.unit) == ("Trần Văn Hiệu", thpt)
    assert RoleAssignment.objects.filter(user=principal, unit=thpt, role=Role.PRINCIPAL).exists()
    page.goto(f"{base}/don-vi/{thpt.pk}/vai-tro/")
    expect(page.get_by_test_id("role-holders")).to_contain_text("Trần Văn Hiệu")


# --- b) A school sets up its groups and classes, then rolls over ----------------------------------------


@pytest.fixture
def school(tree):
    """School S1 (THCS): 6A1 and 7A1 of the tree, 8A1 and 9A1 added, two students in each; its principal
    and two teachers of the school (not yet in any group)."""
    s1 = tree.s1
    classes = {"6A1": tree.c1, "7A1": tree.c2}
    classes["8A1"] = make_unit(s1, K.CLASS, "8A1", grade=8)
    classes["9A1"] = make_unit(s1, K.CLASS, "9A1", grade=9)
    students = {name: [make_person(unit=unit, role=Role.STUDENT) for _ in range(2)] for name, unit in classes.items()}
    person(s1, Role.PRINCIPAL, "hieutruong.tp", "Đỗ Văn Hải")
    teachers = [
        person(s1, Role.TEACHER, "gv.an", "Nguyễn Văn An"),
        person(s1, Role.TEACHER, "gv.binh", "Trần Thị Bình"),
    ]
    return classes, students, teachers


def test_a_school_sets_up_its_groups_and_classes_and_rolls_over(live_server, page, tree, school):
    classes, students, (an, binh) = school
    base = live_server.url
    s1 = tree.s1
    accept_dialogs(page)

    log_in(page, base, "hieutruong.tp")
    page.goto(f"{base}/don-vi/{s1.pk}/")

    # A professional group and a class, on the structure page.
    page.get_by_test_id("unit-structure").click()
    page.get_by_test_id("unit-add").click()
    page.select_option("#id_kind", label="Tổ/nhóm chuyên môn")
    page.fill("#id_code", "TP-TOAN")
    page.fill("#id_name", "Tổ Toán - Tin")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("structure-table")).to_contain_text("Tổ Toán - Tin")
    page.get_by_test_id("unit-add").click()
    page.select_option("#id_kind", label="Lớp")
    page.fill("#id_code", "TP-6A2")
    page.fill("#id_name", "6A2")
    page.fill("#id_grade", "6")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("structure-table")).to_contain_text("6A2")
    group = Unit.objects.get(code="TP-TOAN")
    new_class = Unit.objects.get(code="TP-6A2")
    assert (group.kind, Unit.objects.get_parent(group)) == (K.GROUP, s1)
    assert (new_class.kind, new_class.grade, Unit.objects.get_parent(new_class)) == (K.CLASS, 6, s1)

    # The group's leader, found by name among the school's teachers.
    page.get_by_test_id("structure-table").get_by_role("link", name="Tổ Toán - Tin").click()
    page.get_by_test_id("unit-roles").click()
    page.fill("#person-search", "binh")  # without accents
    page.press("#person-search", "Enter")
    expect(page.get_by_test_id("found-count")).to_contain_text("1")
    page.select_option("#id_role", Role.GROUP_LEADER)
    page.select_option("#id_person", label="Trần Thị Bình")
    page.get_by_test_id("grant-submit").click()
    expect(page.get_by_test_id("role-holders")).to_contain_text("Trần Thị Bình")
    assert RoleAssignment.objects.filter(user=binh, unit=group, role=Role.GROUP_LEADER).exists()

    # A homeroom teacher for 6A1.
    page.goto(f"{base}/don-vi/{s1.pk}/")
    page.get_by_test_id("unit-homerooms").click()
    page.select_option(f"#class-{classes['6A1'].pk}", label="Nguyễn Văn An")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    assert Unit.objects.get(pk=classes["6A1"].pk).homeroom_teacher == an

    # The year-end rollover: the preview, then one step.
    from_year, to_year = rollover_years()
    page.goto(f"{base}/don-vi/{s1.pk}/")
    page.get_by_test_id("rollover").click()
    expect(page.locator("h1")).to_contain_text(to_year)
    form = page.get_by_test_id("rollover-form")
    expect(form).to_contain_text("9A1")
    expect(form.locator(f"#id_class_{classes['6A1'].pk}")).to_have_value("7A1")
    expect(form.locator(f"#id_class_{new_class.pk}")).to_have_value("7A2")
    page.fill("#id_intake", "6A1\n6A2\n6A3")
    page.check("#id_confirm")
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("rollover-done")).to_contain_text(to_year)
    expect(page.get_by_test_id("undo")).to_be_visible()

    rollover = Rollover.objects.get(school=s1)
    assert (rollover.from_year, rollover.to_year, rollover.undone_at) == (from_year, to_year, None)
    moved = {name: Unit.objects.get(pk=unit.pk) for name, unit in classes.items()}
    assert (moved["6A1"].name, moved["6A1"].grade, moved["6A1"].homeroom_teacher) == ("7A1", 7, an)
    assert (moved["8A1"].name, moved["8A1"].grade) == ("9A1", 9)
    assert Unit.objects.get(pk=new_class.pk).name == "7A2"
    assert not moved["9A1"].is_active  # the graduating class closes, kept
    assert all(User.objects.get(pk=s.pk).graduated_at for s in students["9A1"])
    assert not any(User.objects.get(pk=s.pk).graduated_at for s in students["8A1"])
    intake = Unit.objects.children(s1, kinds=[K.CLASS]).filter(is_active=True, grade=6)
    assert sorted(intake.values_list("name", flat=True)) == ["6A1", "6A2", "6A3"]
    assert RoleAssignment.objects.filter(user=binh, unit=group, role=Role.GROUP_LEADER).exists()  # groups kept

    # Undone, while the school has no new activity: every class and student as before.
    page.get_by_test_id("undo").click()
    expect(page.get_by_test_id("rollover-form")).to_be_visible()
    rollover.refresh_from_db()
    assert rollover.undone_at is not None
    assert Unit.objects.get(pk=classes["6A1"].pk).name == "6A1" and Unit.objects.get(pk=classes["9A1"].pk).is_active
    assert not any(User.objects.get(pk=s.pk).graduated_at for s in students["9A1"])
    assert not Unit.objects.children(s1, kinds=[K.CLASS]).filter(is_active=True, name="6A3").exists()
