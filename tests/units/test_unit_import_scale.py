"""Unit import at scale (issue #15, Scale): applying a file costs the same number of queries for 20 units
or 200, new or changed; the paths built in bulk make a tree treebeard finds nothing wrong with; the
fast xlsx reading gives what openpyxl gives."""

import io
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from truonghoc.spreadsheets import _cell_text, read_table
from units.importing import unit_import_apply, unit_import_confirm
from units.models import AuditEntry, Unit, UnitImport
from units.services import UnitSpec, unit_move, units_tree_bulk_create

from .test_unit_import import check, xlsx


def province(prefix: str, schools: int) -> list[list]:
    """A forest of new units on three levels below a Department: two Offices, `schools` schools (every
    fifth a THPT under the Department itself), each school with a group and two classes."""
    rows = [[f"{prefix}P{o}", f"Phòng GDĐT {prefix} {o}", "Phòng", "", "", "", "", "", "", ""] for o in range(2)]
    for s in range(schools):
        code = f"{prefix}S{s:03d}"
        if s % 5 == 0:
            rows.append([code, f"Trường THPT {prefix} {s}", "THPT", "", "", "", "50", "900", "", ""])
            grade = 10
        else:
            rows.append([code, f"Trường THCS {prefix} {s}", "THCS", "", f"{prefix}P{s % 2}", "", "30", "500", "", ""])
            grade = 6
        rows.append([f"{code}-T", "Tổ Toán – Tin", "Tổ", "", code, "", "", "", "", ""])
        rows += [[f"{code}-{grade}A{n}", f"{grade}A{n}", "Lớp", "", code, "", "", "", str(grade), ""] for n in (1, 2)]
    return rows


def applied(under, content: bytes) -> tuple[UnitImport, int]:
    batch = check(under, content)
    assert batch.status == UnitImport.Status.READY, list(batch.rows.exclude(errors=[]).values_list("line", "errors"))
    batch = unit_import_confirm(actor=None, batch=batch)
    with CaptureQueriesContext(connection) as queries:
        batch = unit_import_apply(actor=None, batch=batch)
    assert batch.status == UnitImport.Status.DONE, batch.message
    return batch, len(queries)


def tree_fields():
    return list(Unit.objects.order_by("pk").values_list("pk", "path", "depth", "numchild"))


def test_applying_new_units_costs_the_same_queries_for_20_and_200(tree):
    small, small_queries = applied(tree.dept_a, xlsx(province("A", 4)))  # 2 + 4 × 4 = 18 units
    large, large_queries = applied(tree.dept_b, xlsx(province("B", 50)))  # 202 units
    assert (small.new_rows, large.new_rows) == (18, 202)
    assert small_queries == large_queries, (small_queries, large_queries)
    assert large_queries <= 25


def test_updating_units_costs_the_same_queries_for_20_and_200(tree):
    def renamed(rows):
        return [[r[0], r[1] + " mới", *r[2:6], "41" if r[6] else "", *r[7:]] for r in rows]

    counts = []
    for prefix, schools, under in (("A", 4, tree.dept_a), ("B", 50, tree.dept_b)):
        rows = province(prefix, schools)
        applied(under, xlsx(rows))
        loaded_at = Unit.objects.get(code=f"{prefix}S001").updated_at
        batch, queries = applied(under, xlsx(renamed(rows)))
        assert (batch.new_rows, batch.updated_rows) == (0, len(rows))
        counts.append(queries)
    assert counts[0] == counts[1], counts
    school = Unit.objects.get(code="BS001")
    assert (school.name, school.name_folded, school.declared_teachers) == (
        "Trường THCS B 1 mới", "truong thcs b 1 moi", 41,
    )  # fmt: skip
    assert school.updated_at > loaded_at and school.updated_at.tzinfo is not None
    assert AuditEntry.objects.filter(action="unit.import_update", target_id=str(school.pk)).count() == 1
    assert Unit.objects.filter(code__startswith="BS001").count() == 4  # updated, never duplicated


def test_a_big_import_leaves_a_tree_treebeard_finds_nothing_wrong_with(tree):
    # A gap among the Office's children: its first school moved away, so its last child's step is 2 while
    # it has one child. New schools must come after the last step, not after the number of children.
    unit_move(actor=None, unit=tree.s1, new_parent=tree.office_a2)
    office = Unit.objects.get(pk=tree.office_a1.pk)
    assert office.numchild == 1
    rows = province("Z", 60)
    rows += [
        [f"Z-A1-{n}", f"Trường Tiểu học Z {n}", "Tiểu học", "", tree.office_a1.code, "", "", "", "", ""]
        for n in range(3)
    ]
    batch, _queries = applied(tree.dept_a, xlsx(rows))
    assert batch.new_rows == len(rows) == 245

    assert Unit.objects.find_problems() == ([], [], [], [], [])
    before = tree_fields()
    Unit.objects.fix_tree()
    assert tree_fields() == before  # numchild and depth were right already
    office.refresh_from_db()
    assert office.numchild == 4
    assert [u.code for u in Unit.objects.get_children(office)] == [tree.s2.code, "Z-A1-0", "Z-A1-1", "Z-A1-2"]
    new_office = Unit.objects.get(code="ZP1")
    assert [u.code for u in Unit.objects.get_children(new_office)][:3] == ["ZS001", "ZS003", "ZS007"]
    school = Unit.objects.get(code="ZS000")
    assert [u.code for u in Unit.objects.get_children(school)] == ["ZS000-T", "ZS000-10A1", "ZS000-10A2"]
    assert Unit.objects.get_parent(school) == tree.dept_a
    assert [a.code for a in Unit.objects.get_ancestors(Unit.objects.get(code="ZS001-6A2"))] == [
        tree.ministry.code, tree.dept_a.code, "ZP1", "ZS001",
    ]  # fmt: skip
    assert Unit.objects.below(tree.dept_a).count() == 1 + 3 + 2 + 5 + len(rows)
    # Every new unit has its own audit entry, and the file one more.
    created = AuditEntry.objects.filter(action="unit.import_create")
    assert created.count() == len(rows)
    entry = created.get(target_id=str(school.pk))
    assert entry.after == {"code": "ZS000", "name": school.name, "batch": batch.pk}
    assert (entry.unit_id, entry.target_repr) == (school.pk, school.name)
    assert AuditEntry.objects.get(action="unit.import", target_id=str(batch.pk)).after["created"] == 245


def test_the_bulk_service_refuses_a_wrong_placement_and_writes_nothing(tree):
    before = (Unit.objects.count(), AuditEntry.objects.count(), Unit.objects.get(pk=tree.office_a1.pk).numchild)
    specs = [
        UnitSpec(code="NEW-THCS", name="Trường THCS Mới", kind="school", school_level="thcs"),
        UnitSpec(code="NEW-THPT", name="Trường THPT Mới", kind="school", school_level="thpt"),
    ]
    with pytest.raises(ValidationError):
        units_tree_bulk_create(actor=None, specs=specs, parents=[tree.office_a1, tree.office_a1])
    after = (Unit.objects.count(), AuditEntry.objects.count(), Unit.objects.get(pk=tree.office_a1.pk).numchild)
    assert after == before


def test_reading_a_workbook_of_inline_strings_gives_what_openpyxl_gives(db):
    """The short way for plain inline strings (write-only workbooks) and openpyxl's way for the rest
    give the same rows: text, numbers, a formula, a date, a blank row kept out with the line numbers right."""
    rows = [
        ["Mã", "Tên", "Số", "Ngày"],
        ["A1", "Trường Tiểu học Thi Sơn", 12, datetime(2026, 9, 5)],
        [None, None, None, None],
        ["A2", '=HYPERLINK("x")', 3.5, None],
        ["A3", "", None, "ghi chú"],
    ]

    def book(write_only: bool) -> bytes:
        workbook = Workbook(write_only=write_only)
        sheet = workbook.create_sheet("S") if write_only else workbook.active
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def openpyxl_rows(content: bytes) -> list:
        """What the reading was before: openpyxl's own iter_rows, numbered, without the empty rows."""
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        found = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if any(cells):
                found.append((line, cells))
        return found

    for write_only in (True, False):
        content = book(write_only)
        header, body = read_table(content)
        body = list(body)
        expected = openpyxl_rows(content)
        assert [(1, header), *body] == expected
        assert header == ["Mã", "Tên", "Số", "Ngày"]
        assert [(line, (cells + [""] * 4)[:4]) for line, cells in body] == [
            (2, ["A1", "Trường Tiểu học Thi Sơn", "12", datetime(2026, 9, 5)]),
            (4, ["A2", '=HYPERLINK("x")', "3.5", ""]),
            (5, ["A3", "", "", "ghi chú"]),
        ]


def test_the_bulk_service_costs_the_same_queries_for_one_existing_parent_or_several(tree):
    def schools(prefix: str, parents: list) -> int:
        specs = [
            UnitSpec(code=f"{prefix}{i}", name=f"Trường THCS {prefix} {i}", kind="school", school_level="thcs")
            for i in range(len(parents))
        ]
        with CaptureQueriesContext(connection) as queries:
            units_tree_bulk_create(actor=None, specs=specs, parents=parents)
        return len(queries)

    offices = [tree.office_a1, tree.office_a2, tree.office_b1]
    assert schools("ONE", [tree.office_a1] * 6) == schools("MANY", offices * 2)
    assert [u.code for u in Unit.objects.get_children(Unit.objects.get(pk=tree.office_b1.pk))] == [
        tree.s3.code, "MANY2", "MANY5",
    ]  # fmt: skip
    assert Unit.objects.find_problems() == ([], [], [], [], [])
