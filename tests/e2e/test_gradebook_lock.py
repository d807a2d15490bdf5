"""Issue #16, point 5, walked in a real browser: the principal locks the mid-term column of 6A1's maths;
the teacher's edit is refused; the teacher asks for a change with a reason; the principal approves; the
mark has its new value, and its history shows old and new, the reason and both people.

The grid page is another part of #16: the refused edit is the one write path every page uses
(`services.mark_set`), asserted here between the two browser steps."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from playwright.sync_api import expect

from gradebook import services
from gradebook.models import Lock, Mark
from tests.e2e.conftest import log_in, person
from units.models import Role

REASON = "Cộng sai điểm câu 3"


def test_lock_and_change_request_approved(live_server, page, tree):
    base = live_server.url
    principal = person(tree.s1, Role.PRINCIPAL, "ht.tp", "Đỗ Hiệu Trưởng")
    teacher = person(tree.g1, Role.TEACHER, "gv.toan", "Nguyễn Văn Toán")
    student = person(tree.c1, Role.STUDENT, "hs.mot", "Học Sinh Một")
    services.assignment_set(actor=principal, school_class=tree.c1, subject="Toán", semester=1, teacher=teacher)
    mark = services.mark_set(
        actor=teacher, student_id=student.pk, school_class=tree.c1, subject="Toán", semester=1, kind="gk", value="6"
    )

    # 1. The principal locks the column from a minute ago.
    log_in(page, base, "ht.tp", home=False, fresh=True)
    page.goto(f"{base}/so-diem/truong/{tree.s1.pk}/khoa-so/?hk=1")
    expect(page.get_by_test_id("lock-rule")).to_be_visible()
    form = page.get_by_test_id("lock-form")
    form.locator("select[name=l-school_class]").select_option(label="6A1")
    form.locator("input[name=l-subject]").fill("Toán")
    form.locator("select[name=l-kind]").select_option("gk")
    when = (timezone.localtime() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    form.locator("input[name=l-locks_at]").fill(when)
    page.get_by_test_id("lock-save").click()
    expect(page.get_by_test_id("lock-row")).to_have_count(1)
    expect(page.get_by_test_id("lock-row")).to_contain_text("6A1")
    assert Lock.objects.filter(school_class=tree.c1, subject="Toán", kind="gk").exists()

    # 2. The teacher's edit is refused.
    with pytest.raises(ValidationError) as refused:
        services.mark_set(
            actor=teacher, student_id=student.pk, school_class=tree.c1, subject="Toán", semester=1, kind="gk",
            value="8,5",
        )  # fmt: skip
    assert refused.value.code == "locked"

    # 3. The teacher asks for the change, with the reason.
    log_in(page, base, "gv.toan", home=False, fresh=True)
    page.goto(f"{base}/so-diem/diem/{mark.pk}/yeu-cau-sua/")
    expect(page.get_by_test_id("mark-now")).to_have_text("6,0")
    page.get_by_test_id("send-request").click()  # without a reason: refused
    expect(page.locator(".invalid-feedback")).to_be_visible()
    page.fill("#id_value", "8,5")
    page.fill("#id_reason", REASON)
    page.get_by_test_id("send-request").click()
    expect(page).to_have_url(re.compile(r"/so-diem/yeu-cau-sua-diem/\d+/$"))
    expect(page.get_by_test_id("trail")).to_be_visible()

    # 4. The principal approves it from the queue.
    log_in(page, base, "ht.tp", home=False, fresh=True)
    page.goto(f"{base}/so-diem/yeu-cau-sua-diem/")
    page.get_by_test_id("waiting").get_by_role("link").first.click()
    page.check("input[name=decision][value=approve]")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("nothing-waiting")).to_be_visible()
    assert Mark.objects.get(pk=mark.pk).value == Decimal("8.5")

    # 5. The history shows old → new, the reason and both people.
    page.goto(f"{base}/so-diem/diem/{mark.pk}/lich-su/")
    last = page.get_by_test_id("event").last
    expect(last.get_by_test_id("old")).to_have_text("6,0")
    expect(last.get_by_test_id("new")).to_have_text("8,5")
    expect(last.get_by_test_id("reason")).to_have_text(REASON)
    expect(last.get_by_test_id("by")).to_have_text("Nguyễn Văn Toán")
    expect(last.get_by_test_id("approved-by")).to_have_text("Đỗ Hiệu Trưởng")
