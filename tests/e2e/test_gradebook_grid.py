"""Issue #16, point 3, in a real browser: a teacher opens the grid of 6A1's maths, pastes a column of marks
copied from Excel into TX1, sees each cell saved, types a bad mark ("11") and sees it refused in place,
then reloads: the marks and the row's average (ĐTBmhk) are there, and in the database."""

import re
from decimal import Decimal

from django.urls import reverse
from playwright.sync_api import expect

from gradebook import services
from gradebook.models import Mark
from tests.accounts.factories import make_person
from tests.e2e.conftest import log_in, person
from units.models import Role


def test_a_teacher_pastes_a_column_and_the_marks_are_saved(live_server, page, tree):
    base = live_server.url
    principal = make_person(unit=tree.s1, role=Role.PRINCIPAL, username="ht.tp", full_name="Lê Hiệu Trưởng")
    teacher = person(tree.g1, Role.TEACHER, "gv.toan", "Nguyễn Văn Toán")
    names = ("Vũ Thị An", "Lê Văn Bình", "Trần Thị Chi")  # sorted by given name: An, Bình, Chi
    students = [make_person(unit=tree.c1, role=Role.STUDENT, full_name=name) for name in names]
    services.assignment_set(actor=principal, school_class=tree.c1, subject="Toán", semester=1, teacher=teacher)
    # The first student already has GK and CK, so pasting TX1 gives her an average.
    for kind, value in (("gk", "7"), ("ck", "9")):
        services.mark_set(actor=teacher, student_id=students[0].pk, school_class=tree.c1, subject="Toán",
                          semester=1, kind=kind, value=value)  # fmt: skip

    log_in(page, base, "gv.toan", home=False, fresh=True)
    url = base + reverse("gradebook:grid", kwargs={"class_id": tree.c1.pk, "semester": 1, "subject": "Toán"})
    page.goto(url)
    first = page.get_by_test_id("cell-1-tx1").locator("input")
    first.focus()
    # A column copied from Excel: one mark per line, a comma and a dot as decimals, a trailing newline.
    page.evaluate(
        """(text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const paste = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
            document.activeElement.dispatchEvent(paste);
        }""",
        "8,5\r\n6.5\r\n7\r\n",
    )
    for row, shown in ((1, "8,5"), (2, "6,5"), (3, "7")):
        cell = page.get_by_test_id(f"cell-{row}-tx1")
        expect(cell.locator("input")).to_have_value(shown)
        expect(cell.locator(".gb-state")).to_have_text("✓")
    # (8,5 + 2×7 + 3×9) / 6 = 8,25 → 8,3
    expect(page.get_by_test_id("average-1")).to_have_text("8,3")

    # An empty paste changes nothing.
    page.get_by_test_id("cell-2-tx2").locator("input").focus()
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.setData("text/plain", "\\n");
            const paste = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
            document.activeElement.dispatchEvent(paste);
        }"""
    )
    expect(page.get_by_test_id("cell-2-tx2").locator("input")).to_have_value("")

    # A bad mark is refused in place, with the message, and not sent.
    bad = page.get_by_test_id("cell-2-tx2")
    bad.locator("input").fill("11")
    expect(bad.locator(".gb-state")).to_contain_text("0")  # "Điểm phải từ 0 đến 10."
    bad.locator("input").press("Enter")
    expect(bad.locator("input")).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_test_id("grid-unsaved")).to_be_visible()
    # Arrow keys and Enter move between cells: Enter went down to row 3's TX2.
    expect(page.get_by_test_id("cell-3-tx2").locator("input")).to_be_focused()
    bad.locator("input").fill("")
    bad.locator("input").press("Tab")

    assert dict(Mark.objects.filter(kind="tx").values_list("student_id", "value")) == {
        students[0].pk: Decimal("8.5"),
        students[1].pk: Decimal("6.5"),
        students[2].pk: Decimal("7.0"),
    }
    page.reload()
    expect(page.get_by_test_id("cell-1-tx1").locator("input")).to_have_value("8,5")
    expect(page.get_by_test_id("cell-3-tx1").locator("input")).to_have_value("7")
    expect(page.get_by_test_id("average-1")).to_have_text("8,3")
    expect(page.get_by_test_id("cell-2-tx2").locator("input")).to_have_value("")


def test_a_primary_teacher_chooses_a_level_and_types_a_test_mark(live_server, page, tree):
    """A grade-4 maths grid (Circular 27/2020): the level (Mức) is a select saved as chosen, the periodic tests
    are inputs checked as typed, and the row's last column is the level."""
    from tests.units.factories import make_unit
    from units.models import Unit

    base = live_server.url
    principal = make_person(unit=tree.s1, role=Role.PRINCIPAL, username="ht.tp", full_name="Lê Hiệu Trưởng")
    teacher = person(tree.g1, Role.TEACHER, "gv.tieuhoc", "Cô Tiểu Học")
    grade4 = make_unit(tree.s1, Unit.Kind.CLASS, "4A1", grade=4)
    pupil = make_person(unit=grade4, role=Role.STUDENT, full_name="Vũ Thị An")
    services.assignment_set(actor=principal, school_class=grade4, subject="Toán", semester=1, teacher=teacher)

    log_in(page, base, "gv.tieuhoc", home=False, fresh=True)
    page.goto(base + reverse("gradebook:grid", kwargs={"class_id": grade4.pk, "semester": 1, "subject": "Toán"}))
    level = page.get_by_test_id("cell-1-mh1")
    level.locator("select").select_option("HTT")
    expect(level.locator(".gb-state")).to_have_text("✓")
    expect(page.get_by_test_id("average-1")).to_have_text("Hoàn thành tốt")
    test = page.get_by_test_id("cell-1-ck1").locator("input")
    test.fill("11")
    expect(page.get_by_test_id("cell-1-ck1").locator(".gb-state")).to_contain_text("0")
    test.fill("9")
    test.press("Tab")
    expect(page.get_by_test_id("cell-1-ck1").locator(".gb-state")).to_have_text("✓")
    marks = {m.kind: (m.value, m.level) for m in Mark.objects.filter(student=pupil)}
    assert marks == {"mh": (None, "HTT"), "ck": (Decimal("9.0"), "")}
    page.reload()
    expect(page.get_by_test_id("cell-1-mh1").locator("select")).to_have_value("HTT")
    expect(page.get_by_test_id("cell-1-ck1").locator("input")).to_have_value("9")
