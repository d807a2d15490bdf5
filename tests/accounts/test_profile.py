"""Profiles: the edit page (details and photo saved together or not at all), the profile services,
the banner saying what is missing, and the refusal every gate gives (profile_refusal)."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.profile import missing_profile_items, profile_refusal
from accounts.services.photos import photo_set_status, photo_upload, profile_update
from tests.accounts.factories import UserFactory, make_person
from tests.accounts.test_photos import image_bytes, media_files, upload
from units.models import AuditEntry, Role

P = User.PhotoStatus
EDIT = "/ho-so/sua/"


pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def teacher(tree):
    return make_person(unit=tree.g1, role=Role.TEACHER, full_name="Trần Văn Minh", username="gv.minh")


def complete(user: User) -> User:
    profile_update(
        actor=user,
        user=user,
        email=f"{user.username}@truong.edu.vn",
        phone="0912345678",
        date_of_birth=date(1985, 9, 5),
    )
    photo_upload(actor=user, user=user, uploaded_file=upload(image_bytes()))
    user.refresh_from_db()
    return user


# --- The edit page ------------------------------------------------------------------------------------


def test_the_profile_edit_url_name_exists():
    assert reverse("accounts:profile_edit") == EDIT


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(EDIT)
    assert response.status_code == 302 and "/tai-khoan/login/" in response.url


def test_the_person_sees_their_own_details_with_the_date_day_first(english, teacher):
    profile_update(
        actor=teacher, user=teacher, email="minh@truong.edu.vn", phone="0912345678", date_of_birth=date(1985, 9, 5)
    )
    english.force_login(teacher)
    response = english.get(EDIT)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="05/09/1985"' in html and 'value="minh@truong.edu.vn"' in html and 'value="0912345678"' in html
    assert 'enctype="multipart/form-data"' in html and 'accept="image/jpeg,image/png' in html
    assert "Still missing: a proper ID photo." in html
    assert 'data-testid="profile-banner"' not in html  # the page says it itself


def test_saving_details_and_photo_together(english, teacher):
    english.force_login(teacher)
    response = english.post(
        EDIT,
        {
            "email": "Minh.Tran@Truong.EDU.VN",
            "phone": "+84 912.345.678",
            "date_of_birth": "05/09/1985",
            "photo": upload(image_bytes((600, 800)), name="IMG_2041.JPG"),
        },
    )
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    teacher.refresh_from_db()
    assert teacher.email == "Minh.Tran@truong.edu.vn"  # the domain is case-insensitive, the rest is kept
    assert teacher.phone == "0912345678"
    assert teacher.date_of_birth == date(1985, 9, 5)  # day first: 5 September, not 9 May
    assert teacher.photo_status == P.PROPER and teacher.photo.name.startswith("photos/")
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "account.profile_update",
        "account.photo_upload",
    }
    page = english.get(response.url).content.decode()
    assert "Your profile has been saved." in page and "Your profile is not complete yet." not in page


def test_details_can_be_saved_without_a_photo_and_the_rest_stays_missing(english, teacher):
    english.force_login(teacher)
    response = english.post(EDIT, {"email": "minh@truong.edu.vn", "phone": "", "date_of_birth": ""})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.email == "minh@truong.edu.vn" and teacher.photo.name == ""
    assert missing_profile_items(teacher) == ["phone number", "date of birth", "a proper ID photo"]


@pytest.mark.parametrize(
    ("photo", "expected"),
    [
        (
            lambda: upload(image_bytes((640, 480))),
            "The photo is 640 px wide × 480 px high: it must be a portrait photo",
        ),
        (lambda: upload(b"%PDF-1.7\n%...", name="anh.jpg"), "this file is a PDF document"),
        (lambda: upload(b"", name="anh.jpg"), "The file is empty."),
    ],
    ids=["landscape", "renamed pdf", "empty"],
)
def test_a_refused_photo_keeps_what_was_typed_and_saves_nothing(english, teacher, photo, expected):
    english.force_login(teacher)
    response = english.post(
        EDIT, {"email": "minh@truong.edu.vn", "phone": "0912 345 678", "date_of_birth": "05/09/1985", "photo": photo()}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert expected in html and "Nothing was saved" in html
    assert 'value="minh@truong.edu.vn"' in html and 'value="0912 345 678"' in html and 'value="05/09/1985"' in html
    assert re.search(r'<input type="file" name="photo"[^>]*class="form-control is-invalid"', html)
    teacher.refresh_from_db()
    assert (teacher.email, teacher.phone, teacher.date_of_birth, teacher.photo.name) == ("", "", None, "")
    assert not AuditEntry.objects.filter(action__startswith="account.").exclude(action="account.create").exists()
    assert media_files() == []


def test_an_email_used_by_another_account_is_refused_and_nothing_is_saved(english, tree, teacher):
    UserFactory(email="lan@truong.edu.vn")
    english.force_login(teacher)
    response = english.post(
        EDIT,
        {
            "email": "LAN@truong.edu.vn",
            "phone": "0912345678",
            "date_of_birth": "05/09/1985",
            "photo": upload(image_bytes()),
        },
    )
    assert response.status_code == 200
    assert "This email is already used by another account." in response.content.decode()
    assert response.context["form"].errors.as_data()["email"][0].code == "email_taken"
    teacher.refresh_from_db()
    assert (teacher.email, teacher.phone, teacher.photo.name) == ("", "", "")
    assert media_files() == []


def test_keeping_ones_own_email_is_fine(english, teacher):
    profile_update(actor=teacher, user=teacher, email="minh@truong.edu.vn", phone="", date_of_birth=None)
    english.force_login(teacher)
    response = english.post(EDIT, {"email": "MINH@truong.edu.vn", "phone": "0912345678", "date_of_birth": ""})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("date_of_birth", "31/02/1990", "Enter the date as dd/mm/yyyy, for example 28/10/1985."),
        ("date_of_birth", "1990/02/01", "Enter the date as dd/mm/yyyy, for example 28/10/1985."),
        ("date_of_birth", "01/01/1850", "Please check the year of the date of birth."),
        ("email", "minh@", "Enter an email address like ten@truong.edu.vn."),
        ("phone", "12345", "Enter a phone number of 10 or 11 digits starting with 0"),
        ("phone", "0912-345-678-999", "Enter a phone number of 10 or 11 digits starting with 0"),
    ],
)
def test_bad_details_get_a_clear_message_next_to_the_field(english, teacher, field, value, expected):
    english.force_login(teacher)
    data = {"email": "minh@truong.edu.vn", "phone": "0912345678", "date_of_birth": "05/09/1985", field: value}
    response = english.post(EDIT, data)
    assert response.status_code == 200
    assert any(expected in message for message in response.context["form"].errors[field])
    assert f'value="{value}"' in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.email == ""


def test_a_date_of_birth_in_the_future_is_refused(teacher):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        profile_update(actor=teacher, user=teacher, email="", phone="", date_of_birth=tomorrow)
    assert error.value.message_dict == {"date_of_birth": ["The date of birth cannot be in the future."]}


def test_profile_update_is_audited_with_before_and_after_and_a_no_op_leaves_no_entry(teacher):
    profile_update(actor=teacher, user=teacher, email="a@truong.edu.vn", phone="0912 345 678", date_of_birth=None)
    entry = AuditEntry.objects.get(action="account.profile_update")
    assert entry.before == {"email": "", "phone": ""}
    assert entry.after == {"email": "a@truong.edu.vn", "phone": "0912345678"}
    assert entry.actor == teacher and entry.unit == teacher.unit

    profile_update(actor=teacher, user=teacher, email="a@truong.edu.vn", phone="0912345678", date_of_birth=None)
    assert AuditEntry.objects.filter(action="account.profile_update").count() == 1

    profile_update(
        actor=teacher, user=teacher, email="a@truong.edu.vn", phone="0912345678", date_of_birth=date(1990, 1, 2)
    )
    last = AuditEntry.objects.filter(action="account.profile_update").first()
    assert last.before == {"date_of_birth": None} and last.after == {"date_of_birth": "1990-01-02"}


# --- The profile page ------------------------------------------------------------------------------


def test_profile_page_lists_what_is_missing_and_links_to_the_edit_page(english, teacher):
    english.force_login(teacher)
    html = english.get(reverse("accounts:profile")).content.decode()
    assert "Still missing: email, phone number, date of birth, a proper ID photo." in html
    assert f'href="{EDIT}"' in html
    assert 'data-testid="profile-banner"' not in html


def test_profile_page_of_a_complete_profile_shows_the_date_day_first(english, teacher):
    complete(teacher)
    english.force_login(teacher)
    html = english.get(reverse("accounts:profile")).content.decode()
    assert "Still missing" not in html and "05/09/1985" in html and reverse("accounts:photo", args=[teacher.pk]) in html


# --- The banner --------------------------------------------------------------------------------------


def banner_items(html: str) -> list[str] | None:
    if 'data-testid="profile-banner"' not in html:
        return None
    block = html.split('data-testid="profile-missing-items"', 1)[1].split("</ul>", 1)[0]
    return [item.strip() for item in re.findall(r"<li[^>]*>([^<]*)</li>", block)]


def test_the_banner_tells_an_incomplete_teacher_what_is_missing_on_other_pages(english, teacher):
    english.force_login(teacher)
    html = english.get(reverse("home")).content.decode()
    assert banner_items(html) == ["email", "phone number", "date of birth", "a proper ID photo"]
    assert "Until it is, you cannot post, enrol in a course or submit work." in html
    assert f'href="{EDIT}"' in html


def test_the_banner_gives_the_admins_reason_for_a_refused_photo(english, tree, teacher):
    complete(teacher)
    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN)
    photo_set_status(actor=admin, account=teacher, status=P.NOT_PROPER, note="Not formal")
    english.force_login(teacher)
    html = english.get(reverse("home")).content.decode()
    assert banner_items(html) == ["a proper ID photo"]
    assert "Your photo was not accepted: Not formal" in html


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"email": "x@truong.edu.vn"},
        {"phone": "0912345678", "date_of_birth": date(1990, 1, 1)},
        {"email": "x@truong.edu.vn", "phone": "0912345678", "date_of_birth": date(1990, 1, 1)},
        {"photo": "photos/x.jpg", "photo_status": P.NOT_PROPER},
        {"photo": "photos/x.jpg", "photo_status": P.PROPER, "email": "x@truong.edu.vn"},
    ],
)
@pytest.mark.parametrize("account_type", [User.AccountType.TEACHER, User.AccountType.STUDENT])
def test_the_banner_says_exactly_what_missing_profile_items_says(rf, tree, fields, account_type):
    # The banner reads the same check through a template tag: this keeps them in step.
    user = UserFactory(unit=tree.s1, account_type=account_type, **fields)
    request = rf.get("/")
    request.user = user
    html = render_to_string("components/profile_banner.html", {"user": user, "request": request})
    assert (banner_items(html) or []) == missing_profile_items(user)


def test_no_banner_for_a_complete_profile_for_staff_or_for_anonymous_visitors(english, tree, teacher):
    english.force_login(complete(teacher))
    assert banner_items(english.get(reverse("home")).content.decode()) is None

    english.force_login(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF))  # nothing filled in, but staff
    assert banner_items(english.get(reverse("home")).content.decode()) is None

    english.logout()
    assert banner_items(english.get("/tai-khoan/login/").content.decode()) is None


def test_the_banner_costs_one_query_at_most_and_none_for_a_full_profile_or_staff(
    rf, django_assert_num_queries, tree, teacher
):
    # Issue #12 made the required details a rule per unit: looking it up is one query, and only when
    # something is actually missing (a full profile satisfies every rule); the answer is kept on the user.
    request = rf.get("/")
    request.user = teacher
    with django_assert_num_queries(1):
        html = render_to_string("components/profile_banner.html", {"user": teacher, "request": request})
    assert banner_items(html)
    with django_assert_num_queries(0):
        render_to_string("components/profile_banner.html", {"user": teacher, "request": request})
    for user in (
        complete(make_person(unit=tree.g1, role=Role.TEACHER)),
        make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF),
    ):
        request.user = user
        with django_assert_num_queries(0):
            assert (
                banner_items(render_to_string("components/profile_banner.html", {"user": user, "request": request}))
                is None
            )


def test_a_page_with_the_banner_costs_one_query_more_at_most(client, tree, teacher):
    other = complete(make_person(unit=tree.g1, role=Role.TEACHER))

    def queries_for(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("home")).content.decode()
        return len(queries), banner_items(html)

    with_banner, without_banner = queries_for(teacher), queries_for(other)
    assert with_banner[1] and without_banner[1] is None
    assert with_banner[0] <= without_banner[0] + 1  # the profile rule of the teacher's unit (issue #12)


# --- profile_refusal: the one refusal of every gate (posting, registering, handing in) -------------------


def test_an_incomplete_teacher_is_told_what_to_complete(teacher):
    profile_update(actor=teacher, user=teacher, email="minh@truong.edu.vn", phone="", date_of_birth=None)
    assert profile_refusal(teacher) == (
        "Please complete your profile first (phone number, date of birth, a proper ID photo)."
    )


def test_a_teacher_whose_photo_was_refused_is_refused_too(tree, teacher):
    complete(teacher)
    photo_set_status(
        actor=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN), account=teacher, status=P.NOT_PROPER, note="Not a face"
    )
    assert profile_refusal(teacher)


def test_a_complete_teacher_and_staff_go_through(tree, teacher):
    assert profile_refusal(complete(teacher)) == ""
    assert profile_refusal(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF)) == ""
