"""Login, logout, password change and reset, forced change, and rate limiting per username + IP."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.services.lifecycle import account_deactivate
from tests.accounts.factories import UserFactory, make_person
from units.models import Role

PASSWORD = "secret-pass-123"
LOGIN = "/tai-khoan/login/"


@pytest.fixture
def teacher(tree):
    return make_person(unit=tree.g1, role=Role.TEACHER, username="gv.tranphu", email="gv@example.edu.vn")


def login(client, login_value, password=PASSWORD, ip="10.0.0.1"):
    return client.post(LOGIN, {"login": login_value, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_in_vietnamese_by_default_whatever_the_browser_prefers(client, db):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()
    assert response.headers["Content-Language"] == "vi"


def test_language_switch_to_english_and_back(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN}, follow=True)
    assert "Log in" in response.content.decode()
    assert response.headers["Content-Language"] == "en"
    response = client.post(reverse("set_language"), {"language": "vi", "next": LOGIN}, follow=True)
    assert "Đăng nhập" in response.content.decode()


@pytest.mark.parametrize("login_value", ["gv.tranphu", "GV@example.edu.vn"])
def test_login_with_username_or_email_lands_on_my_space(client, teacher, login_value):
    response = login(client, login_value)
    assert response.status_code == 302 and response.url == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "Không gian của tôi" in page
    assert teacher.full_name in page


def test_wrong_password_says_so_clearly_and_logs_nobody_in(client, teacher):
    response = login(client, "gv.tranphu", "wrong-password")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_deactivated_account_is_told_to_contact_its_school(client, teacher):
    account_deactivate(actor=None, account=teacher, reason="Nghỉ hưu")
    response = login(client, "gv.tranphu")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode() if response.status_code == 302 else response.content.decode()
    assert "vô hiệu hóa" in page or "ngừng hoạt động" in page or "khóa" in page


def test_failed_logins_lock_one_username_from_one_ip_only(client, teacher, tree):
    other = make_person(unit=tree.g1, role=Role.TEACHER, username="gv.khac")
    for _ in range(5):
        login(client, "gv.tranphu", "wrong", ip="10.0.0.1")
    # The sixth try from the same network is refused even with the right password…
    response = login(client, "gv.tranphu", PASSWORD, ip="10.0.0.1")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    # …but the rest of the school behind the same NAT logs in…
    assert login(client, other.username, PASSWORD, ip="10.0.0.1").status_code == 302
    client.logout()
    # …and so does the teacher from another network: nobody can lock a teacher out from elsewhere.
    assert login(client, "gv.tranphu", PASSWORD, ip="10.9.9.9").status_code == 302


def test_a_whole_class_behind_one_nat_can_log_in_at_once(client, tree):
    students = [make_person(unit=tree.c1, role=Role.STUDENT, username=f"hs{i:02d}") for i in range(40)]
    for student in students:
        client.logout()
        assert login(client, student.username, ip="10.0.0.1").status_code == 302


def test_logout(client, teacher):
    client.force_login(teacher)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_flagged_account_must_change_password_before_anything_else(client, teacher):
    teacher.must_change_password = True
    teacher.save(update_fields=["must_change_password"])
    client.force_login(teacher)
    change_url = reverse("account_change_password")
    assert client.get(reverse("home")).url == change_url
    assert client.get(reverse("units:space", args=[teacher.unit_id])).url == change_url
    page = client.get(change_url).content.decode()
    assert 'data-testid="forced-change"' in page
    response = client.post(
        change_url, {"oldpassword": PASSWORD, "password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026"}
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert not teacher.must_change_password
    assert teacher.check_password("Mat-khau-moi-2026")
    assert client.get(reverse("home")).status_code == 200


def test_password_change_refuses_mismatch_and_keeps_old_password(client, teacher):
    client.force_login(teacher)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Mat-khau-moi-2026", "password2": "khac-hoan-toan-2026"},
    )
    assert response.status_code == 200
    teacher.refresh_from_db()
    assert teacher.check_password(PASSWORD)


def test_password_reset_by_email(client, teacher):
    response = client.post(reverse("account_reset_password"), {"email": "gv@example.edu.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_url, {"password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026"})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("Mat-khau-moi-2026")


def test_nobody_can_sign_up_accounts_are_issued(client, db):
    response = client.get("/tai-khoan/signup/")
    assert response.status_code == 200
    assert 'name="password1"' not in response.content.decode()
    assert UserFactory._meta.model.objects.count() == 0
