"""Units from a spreadsheet (issue #15 points 3 and 8): both column sets, idempotence, each refusal,
all or nothing, the command, the pages and who may use them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.accounts.factories import make_person
from units.importing import unit_import_apply, unit_import_confirm, unit_import_start, unit_import_validate
from units.models import AuditEntry, Role, Unit, UnitImport, UnitImportRow

A = UnitImportRow.Action
HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp học / loại đơn vị", "Loại hình", "Mã đơn vị cấp trên", "Địa chỉ",
          "Số giáo viên", "Số học sinh", "Khối", "Giáo viên chủ nhiệm"]  # fmt: skip


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def check(under, content: bytes, actor=None, name="donvi.xlsx") -> UnitImport:
    batch = unit_import_start(actor=actor, under=under, upload=SimpleUploadedFile(name, content))
    return unit_import_validate(batch=batch, content=content)


def load(under, content: bytes, actor=None) -> UnitImport:
    batch = check(under, content, actor)
    assert batch.status == UnitImport.Status.READY, list(batch.rows.values_list("line", "errors"))
    batch = unit_import_confirm(actor=actor, batch=batch)
    return unit_import_apply(actor=actor, batch=batch)


def row_at(batch, line) -> UnitImportRow:
    return batch.rows.get(line=line)


PROVINCE = [
    ["PGD-KB", "Phòng GDĐT Kim Bảng", "Phòng", "", "", "", "", "", "", ""],
    ["35101", "Trường THCS Ba Sao", "THCS", "Công lập", "PGD-KB", "Ba Sao, Kim Bảng", "40", "700", "", ""],
    ["35102", "Trường Tiểu học Thi Sơn", "Tiểu học", "Công lập", "PGD-KB", "", "30", "500", "", ""],
    ["35103", "Trường THPT Kim Bảng A", "THPT", "Công lập", "", "", "80", "1500", "", ""],
    ["35104", "TT GDTX Kim Bảng", "GDTX", "", "", "", "", "", "", ""],
]


def test_a_department_loads_offices_and_schools_and_a_second_load_updates_never_duplicates(tree):
    before = Unit.objects.count()
    batch = check(tree.dept_a, xlsx(PROVINCE))
    assert batch.status == UnitImport.Status.READY
    assert [r.action for r in batch.rows.order_by("line")] == [A.CREATE] * 5
    assert Unit.objects.count() == before  # the preview writes no unit
    batch = unit_import_apply(actor=None, batch=unit_import_confirm(actor=None, batch=batch))
    assert batch.status == UnitImport.Status.DONE and batch.new_rows == 5
    office = Unit.objects.get(code="PGD-KB")
    ba_sao = Unit.objects.get(code="35101")
    assert Unit.objects.get_parent(office) == tree.dept_a
    assert Unit.objects.get_parent(ba_sao) == office
    assert (ba_sao.school_level, ba_sao.address, ba_sao.declared_teachers, ba_sao.declared_students) == (
        "thcs", "Ba Sao, Kim Bảng", 40, 700,
    )  # fmt: skip
    assert Unit.objects.get_parent(Unit.objects.get(code="35103")) == tree.dept_a
    assert Unit.objects.get(code="35104").school_level == "gdtx"
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    created = AuditEntry.objects.filter(action="unit.import_create")
    assert created.count() == 5 and set(created.values_list("unit__code", flat=True)) >= {"35101", "PGD-KB"}

    # The same file again: nothing to do. A changed name and number: updated, not duplicated.
    again = check(tree.dept_a, xlsx(PROVINCE))
    assert again.status == UnitImport.Status.INVALID and again.unchanged_rows == 5 and not again.error_rows
    changed = [list(r) for r in PROVINCE]
    changed[1][1], changed[1][7] = "Trường THCS Ba Sao (mới)", "720"
    batch = load(tree.dept_a, xlsx(changed))
    assert (batch.new_rows, batch.updated_rows, batch.unchanged_rows) == (0, 1, 4)
    assert Unit.objects.count() == before + 5
    ba_sao.refresh_from_db()
    assert (ba_sao.name, ba_sao.name_folded, ba_sao.declared_students) == (
        "Trường THCS Ba Sao (mới)", "truong thcs ba sao (moi)", 720,
    )  # fmt: skip
    update = AuditEntry.objects.get(action="unit.import_update")
    assert update.before["declared_students"] == 700 and update.after["declared_students"] == 720


def test_the_national_databases_school_export_headers_are_read_without_accents_as_csv(tree):
    header = ["STT", "ma truong", "TEN TRUONG", "Cap hoc", "loai hinh", "Ma phong/so"]
    rows = [
        [1, "35201", "Trường THCS Lê Lợi", "THCS", "Công lập", tree.office_a2.code],
        [2, "35202", "Trường TH&THCS Hòa Bình", "TH&THCS", "Tư thục", tree.office_a2.code],
        [3, "35203", "Trường THPT Nam Lý", "thpt", "Công lập", tree.dept_a.code],
    ]
    batch = load(tree.dept_a, csv_bytes(rows, header))
    assert batch.new_rows == 3
    assert Unit.objects.get(code="35202").school_level == "lien_cap"
    assert Unit.objects.get_parent(Unit.objects.get(code="35201")) == tree.office_a2
    assert Unit.objects.get_parent(Unit.objects.get(code="35203")) == tree.dept_a
    assert batch.rows.get(line=3).data["ownership"] == "Tư thục"


@pytest.mark.usefixtures("in_english")
def test_a_school_loads_its_groups_and_classes_with_homeroom_teachers(tree):
    teacher = make_person(unit=tree.g1, role=Role.TEACHER, username="gv.an")
    other = make_person(unit=tree.g3, role=Role.TEACHER, national_id="0987654321")  # another school's
    header = ["Loại", "Tên", "Khối", "GVCN", "Mã"]
    rows = [
        ["Tổ", "Tổ Toán – Tin", "", "", ""],
        ["Lớp", "8A1", "8", "gv.an", ""],
        ["Lớp", "9A1", "", "", "S1-9A1"],  # the grade read from the name
        ["Lớp", "9A2", "", "0987654321", ""],
    ]
    batch = check(tree.s1, xlsx(rows, header))
    assert batch.status == UnitImport.Status.INVALID
    assert "not an active account of this school" in " ".join(row_at(batch, 5).errors)
    del rows[3]
    batch = load(tree.s1, xlsx(rows, header))
    assert batch.new_rows == 3
    children = {u.name: u for u in Unit.objects.children(tree.s1)}
    assert children["Tổ Toán – Tin"].kind == Unit.Kind.GROUP
    assert (children["8A1"].grade, children["8A1"].homeroom_teacher) == (8, teacher)
    assert children["9A1"].code == "S1-9A1" and children["9A1"].grade == 9
    # Loaded again, the generated codes find the same units.
    assert check(tree.s1, xlsx(rows, header)).unchanged_rows == 3
    assert other.unit == tree.s2


@pytest.mark.usefixtures("in_english")
@pytest.mark.parametrize(
    ("under", "row", "message"),
    [
        ("office_a1", ["35301", "Trường THPT Sai Chỗ", "THPT", "", "", "", "", "", "", ""], "cannot be placed under"),
        ("dept_a", ["35302", "Trường THCS Lạc", "THCS", "", "KHONG-CO", "", "", "", "", ""], "no unit with the parent"),
        ("dept_a", ["35303", "Trường THCS Ngoài", "THCS", "", "office_b1", "", "", "", "", ""], "is outside"),
        ("dept_a", ["35304", '=HYPERLINK("x")', "THCS", "", "office_a1", "", "", "", "", ""], "formula"),
        ("dept_a", ["35305", "Trường\u202eTHCS", "THCS", "", "office_a1", "", "", "", "", ""], "direction"),
        ("dept_a", ["s3", "Đổi tên trường khác tỉnh", "THCS", "", "", "", "", "", "", ""], "outside"),
        (
            "dept_a",
            ["35306", "Trường Mầm non Hoa Sen", "Mầm non", "", "office_a1", "", "", "", "", ""],
            "not one we know",
        ),
        ("dept_a", ["35307", "Trường THCS Số", "THCS", "", "office_a1", "", "nhiều", "", "", ""], "whole number"),
        ("dept_a", ["s1", "Trường THCS Trần Phú", "THCS", "", "office_a2", "", "", "", "", ""], "move it on the"),
        ("dept_a", ["t1", "Trường THPT A Phủ Lý", "THCS", "", "", "", "", "", "", ""], "change its kind"),
    ],
)
def test_each_refusal_is_said_on_its_line_and_nothing_can_be_applied(tree, under, row, message):
    codes = {name: getattr(tree, name).code for name in ("office_a1", "office_a2", "office_b1", "s1", "s3", "t1")}
    row = [codes.get(cell, cell) if isinstance(cell, str) else cell for cell in row]
    good = ["35399", "Trường THCS Đúng Chỗ", "THCS", "", codes["office_a1"], "", "", "", "", ""]
    before = Unit.objects.count()
    batch = check(getattr(tree, under), xlsx([good, row]))
    assert batch.status == UnitImport.Status.INVALID and batch.error_rows == 1
    refused = row_at(batch, 3)
    assert refused.action == A.ERROR and message in " ".join(refused.errors), refused.errors
    with pytest.raises(Exception, match="cannot be imported"):
        unit_import_confirm(actor=None, batch=batch)
    assert Unit.objects.count() == before


@pytest.mark.usefixtures("in_english")
def test_a_code_used_twice_and_the_children_of_a_refused_row_are_refused(tree):
    rows = [
        ["PGD-X", "Phòng GDĐT X", "Phòng", "", "", "", "", "", "", ""],
        ["PGD-X", "Phòng GDĐT X bis", "Phòng", "", "", "", "", "", "", ""],
        ["PGD-Y", "=1+1", "Phòng", "", "", "", "", "", "", ""],
        ["35401", "Trường THCS Con", "THCS", "", "PGD-Y", "", "", "", "", ""],
    ]
    batch = check(tree.dept_a, xlsx(rows))
    assert "also on line 2" in " ".join(row_at(batch, 3).errors)
    assert "PGD-Y (line 4) is refused" in " ".join(row_at(batch, 5).errors)
    assert row_at(batch, 2).action == A.CREATE and batch.error_rows == 3


def test_all_or_nothing_when_the_tree_changed_between_preview_and_confirm(tree):
    batch = check(tree.dept_a, xlsx(PROVINCE))
    assert batch.status == UnitImport.Status.READY
    # Meanwhile somebody in another province takes one of the codes.
    from units.services import unit_create

    unit_create(
        actor=None, parent=tree.office_b1, code="35102", name="Trường TH khác", kind="school", school_level="th"
    )
    before = Unit.objects.count()
    batch = unit_import_apply(actor=None, batch=unit_import_confirm(actor=None, batch=batch))
    assert batch.status == UnitImport.Status.FAILED and "35102" in batch.message
    assert Unit.objects.count() == before and not Unit.objects.filter(code="PGD-KB").exists()


def test_the_check_and_the_apply_cost_a_fixed_number_of_queries(tree):
    def rows(n):
        return [["PGD-Q", "Phòng GDĐT Q", "Phòng", "", "", "", "", "", "", ""]] + [
            [f"Q{i:04d}", f"Trường THCS số {i}", "THCS", "", "PGD-Q", "", "10", "100", "", ""] for i in range(n)
        ]

    counts = []
    # (SQLite splits an insert past 999 values: 40 rows stay below that, as any size does on PostgreSQL.)
    for n, under in ((5, tree.dept_a), (40, tree.dept_b)):
        content = xlsx(
            [[c.replace("Q", f"Q{n}-", 1) if c.startswith("Q") or c == "PGD-Q" else c for c in r] for r in rows(n)]
        )
        with CaptureQueriesContext(connection) as checking:
            batch = check(under, content)
        with CaptureQueriesContext(connection) as applying:
            batch = unit_import_apply(actor=None, batch=unit_import_confirm(actor=None, batch=batch))
        assert batch.new_rows == n + 1
        counts.append((len(checking), len(applying)))
    assert counts[0] == counts[1], counts
    assert counts[1][1] <= 40


def test_the_command_prints_the_preview_and_applies_only_a_file_without_refusals(tree, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([PROVINCE[0], ["35501", "Trường THPT Sai", "THPT", "", "PGD-KB", "", "", "", "", ""]]))
    with pytest.raises(CommandError):
        call_command("import_units", str(bad), "--under", tree.dept_a.code)
    err = capsys.readouterr().err
    assert "3:" in err and "35501" in err
    assert not Unit.objects.filter(code="PGD-KB").exists()

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(PROVINCE))
    call_command("import_units", str(good), "--under", tree.dept_a.code, "--dry-run")
    assert not Unit.objects.filter(code="PGD-KB").exists()
    call_command("import_units", str(good), "--under", tree.dept_a.code)
    out = capsys.readouterr().out
    assert "2: " in out and "PGD-KB" in out
    assert Unit.objects.filter(code__in=["PGD-KB", "35101", "35104"]).count() == 3
    call_command("import_units", str(good), "--under", tree.dept_a.code)  # again: unchanged, no error
    assert Unit.objects.filter(code="35101").count() == 1


def test_the_ministry_loads_a_department_with_its_offices_from_the_top(tree, tmp_path):
    rows = [
        ["SO-HB", "Sở GDĐT Hòa Bình", "Sở", "", "", "", "", "", "", ""],
        ["PGD-HB1", "Phòng GDĐT Lạc Sơn", "Phòng", "", "SO-HB", "", "", "", "", ""],
        ["36001", "Trường THCS Lạc Sơn", "THCS", "", "PGD-HB1", "", "", "", "", ""],
    ]
    path = tmp_path / "country.xlsx"
    path.write_bytes(xlsx(rows))
    call_command("import_units", str(path))  # no --under: the top of the tree
    school = Unit.objects.get(code="36001")
    assert [a.code for a in school.get_ancestors()] == [tree.ministry.code, "SO-HB", "PGD-HB1"]


# --- the pages ----------------------------------------------------------------------------------------
PEOPLE = {
    "ministry": ("ministry", Role.MINISTRY_STAFF),
    "department": ("dept_a", Role.DEPARTMENT_STAFF),
    "other_department": ("dept_b", Role.DEPARTMENT_STAFF),
    "office": ("office_a1", Role.OFFICE_STAFF),
    "principal": ("s1", Role.PRINCIPAL),
    "school_admin": ("s1", Role.SCHOOL_ADMIN),
    "teacher": ("g1", Role.TEACHER),
    "group_leader": ("g1", Role.GROUP_LEADER),
    "student": ("c1", Role.STUDENT),
}


@pytest.mark.parametrize(
    ("who", "into", "status"),
    [
        ("ministry", "dept_a", 200),
        ("department", "dept_a", 200),
        ("department", "s1", 200),
        ("other_department", "dept_a", 404),
        ("office", "dept_a", 404),
        ("office", "office_a1", 200),
        ("principal", "s1", 200),
        ("school_admin", "s1", 200),
        ("principal", "office_a1", 404),
        ("teacher", "s1", 403),
        ("group_leader", "s1", 403),
        ("student", "s1", 403),
        ("principal", "s2", 404),
    ],
)
def test_who_may_load_units_where(client, tree, who, into, status):
    place, role = PEOPLE[who]
    client.force_login(make_person(unit=getattr(tree, place), role=role))
    unit = getattr(tree, into)
    assert client.get(reverse("units:import", args=[unit.pk])).status_code == status
    response = client.post(
        reverse("units:import", args=[unit.pk]),
        {"file": SimpleUploadedFile("f.xlsx", xlsx([["ZZ1", "Tổ Mới", "Tổ", "", "", "", "", "", "", ""]]))},
    )
    assert response.status_code == (302 if status == 200 else status)
    assert UnitImport.objects.exists() == (status == 200)
    assert client.get(reverse("units:import_template", args=[unit.pk])).status_code == status


def test_a_department_uploads_previews_and_confirms_on_the_pages(client, tree):
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    space = client.get(reverse("units:space", args=[tree.dept_a.pk])).content.decode()
    assert reverse("units:import", args=[tree.dept_a.pk]) in space
    template = client.get(reverse("units:import_template", args=[tree.dept_a.pk]))
    header = [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]]
    assert header[:3] == HEADER[:3]
    response = client.post(
        reverse("units:import", args=[tree.dept_a.pk]), {"file": SimpleUploadedFile("tinh.xlsx", xlsx(PROVINCE))}
    )
    batch = UnitImport.objects.get()
    assert response.url == reverse("units:import_batch", args=[batch.pk])
    page = client.get(response.url + "?show=all")
    assert page.status_code == 200
    assert page.content.decode().count('data-action="create"') == 5
    assert reverse("units:import_confirm", args=[batch.pk]) in page.content.decode()
    # Someone of another province neither sees nor confirms it.
    outsider = make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF)
    client.force_login(outsider)
    assert client.get(response.url).status_code == 404
    assert client.post(reverse("units:import_confirm", args=[batch.pk])).status_code == 404
    assert not Unit.objects.filter(code="PGD-KB").exists()
    client.force_login(staff)
    client.post(reverse("units:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == UnitImport.Status.DONE
    assert Unit.objects.filter(code__in=[r[0] for r in PROVINCE]).count() == 5
    done = client.get(response.url).content.decode()
    assert 'data-testid="unit-import-done"' in done
    # Confirming twice changes nothing and says why.
    client.post(reverse("units:import_confirm", args=[batch.pk]))
    assert Unit.objects.filter(code="PGD-KB").count() == 1


def test_a_file_that_is_not_a_list_of_units_is_refused_with_a_message(client, tree):
    client.force_login(make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN))
    response = client.post(
        reverse("units:import", args=[tree.s1.pk]),
        {"file": SimpleUploadedFile("x.csv", "Họ và tên,Ngày sinh\nAn,01/01/2010\n".encode())},
    )
    batch = UnitImport.objects.get()
    assert batch.status == UnitImport.Status.INVALID and batch.message
    assert client.get(response.url).status_code == 200


def test_a_failure_after_the_first_writes_rolls_everything_back(tree, monkeypatch):
    from truonghoc.imports.engine import ImportRefused
    from units import importing

    batch = check(tree.dept_a, xlsx(PROVINCE))
    before = (Unit.objects.count(), AuditEntry.objects.filter(action__startswith="unit.import_").count())

    def refuse(**kwargs):
        raise ImportRefused("stopped after the units were written")

    monkeypatch.setattr(importing, "audit_log", refuse)  # the last write of the apply step
    batch = unit_import_apply(actor=None, batch=unit_import_confirm(actor=None, batch=batch))
    assert batch.status == UnitImport.Status.FAILED and batch.message == "stopped after the units were written"
    assert (Unit.objects.count(), AuditEntry.objects.filter(action__startswith="unit.import_").count()) == before
    assert Unit.objects.get(pk=tree.dept_a.pk).numchild == tree.dept_a.numchild


def test_the_audit_page_names_what_a_load_did(client, tree):
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    load(tree.dept_a, xlsx(PROVINCE[:2]), actor=staff)
    client.force_login(staff)
    labels = {
        label for _entry, label, _changes in client.get(reverse("units:audit", args=[tree.dept_a.pk])).context["rows"]
    }
    assert {"Đã nạp đơn vị từ bảng tính", "Đơn vị được tạo từ bảng tính"} <= labels
