"""A parent's journey on a phone (issue #17 point 6): logs in, switches between two children, reads a
letter addressed to the parents of a class, writes to the homeroom teacher; the teacher answers from
their list, and the parent sees the answer marked new."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publications.services import letters
from tests.accounts.family import PASSWORD, make_family

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_follows_two_children_reads_a_letter_and_writes_to_the_homeroom_teacher(live_server, phone, tree):
    f = make_family(tree)
    letter = letters.letter_create(
        actor=f.principal, issuer=tree.s1, number=12, symbol="TB-THCS", issued_on=timezone.localdate(),
        subject="Họp cha mẹ học sinh lớp 6A1", signer_name="Phạm Hiệu Trưởng", signer_title="Hiệu trưởng",
        body="Kính mời quý phụ huynh dự họp vào sáng Chủ nhật.", kinds=(), units=[tree.g1], parents_unit=tree.c1,
    )  # fmt: skip
    letters.letter_issue(actor=f.principal, letter=letter)
    base = live_server.url

    log_in(phone, base, f.mother.username, PASSWORD, home=False)
    expect(phone.get_by_test_id("parent-home")).to_be_visible()
    tabs = phone.get_by_test_id("child-tab")
    expect(tabs).to_have_count(2)
    tabs.nth(1).click()
    expect(phone.get_by_test_id("child-card")).to_contain_text("Nguyễn Thị Hoa")
    phone.get_by_test_id("child-tab").nth(0).click()
    expect(phone.get_by_test_id("child-card")).to_contain_text("Nguyễn Văn An")

    phone.get_by_test_id("parent-letters").get_by_text("Họp cha mẹ học sinh lớp 6A1").click()
    expect(phone.locator("main")).to_contain_text("Kính mời quý phụ huynh dự họp")
    expect(phone.get_by_test_id("parents-of")).to_contain_text("6A1")

    phone.goto(f"{base}/?hs={f.an.pk}")
    phone.get_by_test_id("homeroom-card").click()
    phone.fill("#id_body", "Thưa cô, cháu An bị sốt, xin phép cho cháu nghỉ học ngày mai.")
    phone.get_by_test_id("homeroom-send").click()
    expect(phone.get_by_test_id("homeroom-post")).to_contain_text("cháu An bị sốt")

    log_in(phone, base, f.homeroom.username, PASSWORD, fresh=True)
    phone.get_by_test_id("home-homeroom").click()
    row = phone.get_by_test_id("homeroom-row").first
    expect(row).to_contain_text("Nguyễn Văn An")
    expect(row.get_by_test_id("unread")).to_be_visible()
    row.click()
    expect(phone.get_by_test_id("homeroom-post").first).to_contain_text("cháu An bị sốt")
    phone.fill("#id_body", "Cô đã nhận, chúc cháu mau khỏe.")
    phone.get_by_test_id("homeroom-send").click()
    expect(phone.get_by_test_id("homeroom-post")).to_have_count(2)

    log_in(phone, base, f.mother.username, PASSWORD, home=False, fresh=True)
    expect(phone.get_by_test_id("homeroom-unread")).to_be_visible()
    phone.get_by_test_id("homeroom-card").click()
    expect(phone.get_by_test_id("new-post")).to_have_count(1)
    expect(phone.get_by_test_id("homeroom-post").nth(1)).to_contain_text("Cô đã nhận")
    # the page fits the phone: nothing wider than the screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
