"""The first password: after the credential slip (or a forced change) the person lands on the home page
with one welcome, by name; an ordinary password change stays as it was."""

from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import User
from accounts.services.credentials import sheet_load
from accounts.services.issuing import account_issue
from tests.accounts.factories import make_person
from units.models import Role

NEW_PASSWORD = "Mat-khau-rieng-2026"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_first_password_after_the_credential_slip_lands_home_with_a_welcome(client, school, admin):
    user, batch = account_issue(
        actor=admin,
        school=school,
        account_type="student",
        values={"full_name": "Phạm Minh Khôi", "national_id": "0012345678", "unit": "6A1"},
    )
    code = sheet_load(batch=batch)[0]["code"]
    client.post("/tai-khoan/login/", {"login": user.username, "password": code})
    assert client.get(reverse("home")).url == reverse("account_set_password")
    assert client.get(reverse("account_set_password")).status_code == 200  # shows "logged in as …"

    response = client.post(reverse("account_set_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    home = client.get(response.url)
    assert home.status_code == 200
    # One message: the welcome, by name, in Vietnamese (not also allauth's "password set").
    assert [m.message for m in home.context["messages"]] == [
        "Chào mừng Phạm Minh Khôi! Mật khẩu của bạn đã được lưu: từ nay hãy đăng nhập bằng mật khẩu này."
    ]
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)


def test_a_forced_change_of_a_known_password_also_lands_home(client, school, admin):
    teacher = make_person(unit=school, role=Role.TEACHER, full_name="Trần Thị Hoa")
    User.objects.filter(pk=teacher.pk).update(must_change_password=True)
    client.force_login(teacher)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "secret-pass-123", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.url == reverse("home")
    assert any("Chào mừng Trần Thị Hoa" in text for text in texts(response))


def test_an_ordinary_password_change_stays_as_it_was(client, school, admin):
    client.force_login(admin)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "secret-pass-123", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.url == reverse("account_change_password")
    messages = texts(response)
    assert not any("Chào mừng" in text for text in messages) and messages  # allauth's own note stays
