"""ID photos: the checks on upload (by content, size, pixels, shape), re-encoding without EXIF, and
the school admin's override (right role, wrong role, wrong scope)."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import ExifTags, Image

from accounts.models import User
from accounts.services.photos import PHOTO_MAX_BYTES, photo_check, photo_set_status, photo_upload
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role

P = User.PhotoStatus


pytestmark = pytest.mark.usefixtures("in_english")


# --- Building files --------------------------------------------------------------------------------


def image_bytes(size=(300, 400), fmt="JPEG", mode="RGB", color=(200, 160, 130), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_claiming(width: int, height: int) -> bytes:
    """A real 1×1 PNG whose header claims other dimensions (CRC fixed, so only the size is a lie)."""
    data = bytearray(image_bytes((1, 1), "PNG"))
    ihdr = bytearray(data[16:29])
    ihdr[0:8] = struct.pack(">II", width, height)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)))
    return bytes(data)


def phone_photo_with_exif() -> bytes:
    """What a phone writes: the pixels stored sideways (400 wide × 300 high: left half red, right half
    blue) with EXIF orientation 6 (turn 90° clockwise to show), the camera make, a comment and GPS."""
    image = Image.new("RGB", (400, 300), (220, 20, 20))
    image.paste((20, 20, 220), (200, 0, 400, 300))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (20.0, 32.0, 45.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (105.0, 55.0, 10.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"taken at Phu Ly", quality=95)
    return buffer.getvalue()


def stored_image(user: User) -> Image.Image:
    user.refresh_from_db()
    with user.photo.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
    return image


def media_files() -> list[Path]:
    root = Path(settings.PRIVATE_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def teacher(tree):
    return make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Thị Lan", username="gv.lan")


# --- Accepted photos -------------------------------------------------------------------------------


def test_a_proper_jpeg_is_stored_re_encoded_under_a_random_name_and_marked_proper(teacher):
    photo_upload(actor=teacher, user=teacher, uploaded_file=upload(image_bytes(), name="gv.lan.jpg"))

    teacher.refresh_from_db()
    assert teacher.photo_status == P.PROPER and teacher.photo_status_reason == ""
    name = teacher.photo.name
    assert name.startswith("photos/") and name.endswith(".jpg")
    stem = Path(name).stem
    assert len(stem) == 32 and int(stem, 16) >= 0  # random, not guessable from the username or the id
    image = stored_image(teacher)
    assert (image.format, image.size, image.mode) == ("JPEG", (300, 400), "RGB")
    entry = AuditEntry.objects.get(action="account.photo_upload")
    assert entry.actor == teacher and entry.unit == teacher.unit and entry.target_id == str(teacher.pk)
    assert entry.before == {"photo": "", "photo_status": "missing", "photo_status_reason": "", "photo_note": ""}
    assert entry.after["photo"] == name and entry.after["photo_status"] == "proper"
    assert (entry.after["width"], entry.after["height"]) == (300, 400)


def test_a_png_with_transparency_is_accepted_and_flattened_onto_white(teacher):
    data = image_bytes((600, 800), "PNG", mode="RGBA", color=(0, 0, 0, 0))
    photo_upload(actor=teacher, user=teacher, uploaded_file=upload(data, name="anh.png", content_type="image/png"))
    image = stored_image(teacher)
    assert image.format == "JPEG" and image.size == (600, 800)
    assert min(image.getpixel((10, 10))) > 245  # white, not black


def test_exif_orientation_is_applied_and_all_metadata_removed(teacher):
    source = Image.open(io.BytesIO(phone_photo_with_exif()))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file really carries a position

    photo_upload(actor=teacher, user=teacher, uploaded_file=upload(phone_photo_with_exif()))

    image = stored_image(teacher)
    assert image.size == (300, 400)  # upright: portrait
    exif = image.getexif()
    assert len(exif) == 0 and not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in image.info and "comment" not in image.info
    # Turned clockwise: what was on the left (red) is now on top, the right (blue) at the bottom.
    top, bottom = image.getpixel((150, 50)), image.getpixel((150, 350))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]


def test_a_sideways_portrait_whose_orientation_makes_it_landscape_is_refused(teacher):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 8
    data = image_bytes((600, 800), exif=exif)  # stored portrait, shown landscape
    with pytest.raises(ValidationError) as error:
        photo_check(upload(data))
    assert error.value.messages == [
        "The photo is 800 px wide × 600 px high: it must be a portrait photo in the 3:4 ratio "
        "(for example 300 × 400 px)."
    ]


def test_a_big_photo_is_stored_at_a_sensible_size(teacher):
    photo_upload(actor=teacher, user=teacher, uploaded_file=upload(image_bytes((1500, 2000))))
    assert stored_image(teacher).size == (1200, 1600)


@pytest.mark.parametrize("size", [(300, 400), (300, 428), (320, 400), (720, 960)])
def test_portraits_close_to_3_4_pass(size):
    assert photo_check(upload(image_bytes(size))).size == size


def test_a_new_photo_keeps_the_old_file_and_resets_the_admins_decision(teacher, tree):
    photo_upload(actor=teacher, user=teacher, uploaded_file=upload(image_bytes()))
    first = teacher.photo.name
    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN)
    photo_set_status(actor=admin, account=teacher, status=P.NOT_PROPER, note="Not a face")

    photo_upload(actor=teacher, user=teacher, uploaded_file=upload(image_bytes(color=(10, 200, 10))))

    teacher.refresh_from_db()
    assert teacher.photo.name != first
    assert (Path(settings.PRIVATE_ROOT) / first).exists()  # nothing the person made is deleted
    assert (teacher.photo_status, teacher.photo_status_reason, teacher.photo_note) == (P.PROPER, "", "")
    last = AuditEntry.objects.filter(action="account.photo_upload").first()
    assert last.before["photo"] == first and last.before["photo_status"] == "not_proper"


# --- Refused photos: a clear message, and nothing changes ----------------------------------------------


def _gif():
    return image_bytes((300, 400), "GIF", mode="P", color=1)


def _webp():
    return image_bytes((300, 400), "WEBP")


def _pdf():
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _truncated_jpeg():
    data = image_bytes((600, 800), quality=95)
    return data[: len(data) // 2]


def _truncated_png():
    noise = Image.effect_noise((300, 400), 60).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    data = buffer.getvalue()
    return data[: len(data) // 2]


def _bomb_1bit():
    # 400 megapixels, about 50 KB on disk.
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    return buffer.getvalue()


TOO_MANY_PIXELS = "more than the 40 megapixels a photo may have"
REFUSED = [
    ("empty", lambda: b"", "The file is empty."),
    ("renamed pdf", _pdf, "Only JPEG and PNG photos are accepted, and this file is a PDF document."),
    ("gif", _gif, "Only JPEG and PNG photos are accepted, and this file is a GIF image."),
    ("webp", _webp, "Only JPEG and PNG photos are accepted, and this file is a WebP image."),
    ("text", lambda: b"hello, this is not a picture", "Only JPEG and PNG photos are accepted, and this file is not"),
    ("garbage after a jpeg signature", lambda: b"\xff\xd8\xff\xe0" + b"\x00garbage" * 50, "could not be read"),
    ("truncated jpeg", _truncated_jpeg, "could not be read: the file is damaged or incomplete"),
    ("truncated png", _truncated_png, "could not be read: the file is damaged or incomplete"),
    ("bomb header 30000x30000", lambda: png_claiming(30000, 30000), TOO_MANY_PIXELS),  # Pillow's error
    ("bomb 1-bit 20000x20000", _bomb_1bit, TOO_MANY_PIXELS),
    ("pillow warning size 10000x10000", lambda: png_claiming(10000, 10000), TOO_MANY_PIXELS),  # Pillow's warning
    ("our limit 6000x8000", lambda: png_claiming(6000, 8000), f"The photo is 6000 × 8000 px, {TOO_MANY_PIXELS}"),
    ("landscape", lambda: image_bytes((640, 480)), "The photo is 640 px wide × 480 px high: it must be a portrait"),
    ("too small", lambda: image_bytes((150, 200)), "The photo is 150 px wide × 200 px high: it is too small"),
    ("too narrow", lambda: image_bytes((300, 500)), "it must be a portrait photo in the 3:4 ratio"),
    ("square", lambda: image_bytes((400, 400)), "it must be a portrait photo in the 3:4 ratio"),
]


@pytest.mark.parametrize(("make", "expected"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_bad_photos_are_refused_with_a_clear_message_and_change_nothing(teacher, make, expected):
    with pytest.raises(ValidationError) as error:
        photo_upload(actor=teacher, user=teacher, uploaded_file=upload(make(), name="anh-the.jpg"))
    assert any(expected in message for message in error.value.messages), error.value.messages

    teacher.refresh_from_db()
    assert (teacher.photo.name, teacher.photo_status) == ("", P.MISSING)
    assert not AuditEntry.objects.filter(action__startswith="account.photo").exists()
    assert media_files() == []


def test_exact_message_for_a_landscape_photo():
    with pytest.raises(ValidationError) as error:
        photo_check(upload(image_bytes((640, 480))))
    assert error.value.messages == [
        "The photo is 640 px wide × 480 px high: it must be a portrait photo in the 3:4 ratio "
        "(for example 300 × 400 px)."
    ]


def test_a_tiny_square_gets_both_problems_at_once():
    with pytest.raises(ValidationError) as error:
        photo_check(upload(image_bytes((200, 200))))
    assert [e.code for e in error.value.error_list] == ["photo_too_small", "photo_not_portrait"]


def test_size_is_checked_before_anything_is_decoded():
    # A JPEG signature followed by 5 MB of nothing: decoding it would fail, but the size speaks first.
    data = b"\xff\xd8\xff\xe0" + bytes(PHOTO_MAX_BYTES)
    with pytest.raises(ValidationError) as error:
        photo_check(upload(data))
    assert error.value.error_list[0].code == "photo_too_big"
    assert error.value.messages == ["The file is 5.01 MB; a photo may be at most 5 MB. Make it smaller and try again."]


def test_a_real_photo_just_over_5_mb_is_refused_but_5_mb_exactly_is_not_by_size():
    data = image_bytes((300, 400))
    padded = data + bytes(PHOTO_MAX_BYTES - len(data))  # JPEG readers ignore what follows the image
    assert photo_check(upload(padded)).size == (300, 400)
    with pytest.raises(ValidationError, match=r"The file is 5\.01 MB; a photo may be at most 5 MB"):
        photo_check(upload(padded + b"\x00"))


def test_the_file_name_does_not_matter_only_the_content():
    png = image_bytes((300, 400), "PNG")
    assert photo_check(upload(png, name="anh.pdf", content_type="application/pdf")).size == (300, 400)


# --- The admin's decision: service -------------------------------------------------------------------


@pytest.fixture
def with_photo(teacher):
    photo_upload(actor=teacher, user=teacher, uploaded_file=upload(image_bytes()))
    teacher.refresh_from_db()
    return teacher


@pytest.fixture
def school_admin(tree):
    return make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, username="qt.tranphu")


def test_admin_marks_a_photo_not_proper_with_a_note_and_it_is_audited(with_photo, school_admin):
    photo_set_status(actor=school_admin, account=with_photo, status=P.NOT_PROPER, note="  Not   formal ")
    with_photo.refresh_from_db()
    assert (with_photo.photo_status, with_photo.photo_status_reason, with_photo.photo_note) == (
        P.NOT_PROPER,
        "Not formal",
        "Not formal",
    )
    entry = AuditEntry.objects.get(action="account.photo_status")
    assert entry.actor == school_admin and entry.target_id == str(with_photo.pk)
    assert entry.before["photo_status"] == "proper" and entry.after["photo_status"] == "not_proper"
    assert entry.after["photo_note"] == "Not formal"


@pytest.mark.parametrize(
    ("status", "note", "code"),
    [(P.NOT_PROPER, "  ", "note_required"), (P.MISSING, "x", "status_invalid"), ("nonsense", "", "status_invalid")],
)
def test_admin_decision_refused_when_incomplete(with_photo, school_admin, status, note, code):
    with pytest.raises(ValidationError) as error:
        photo_set_status(actor=school_admin, account=with_photo, status=status, note=note)
    assert code in {e.code for errors in error.value.error_dict.values() for e in errors}
    with_photo.refresh_from_db()
    assert with_photo.photo_status == P.PROPER
    assert not AuditEntry.objects.filter(action="account.photo_status").exists()


def test_no_decision_on_a_missing_photo_or_on_a_photo_replaced_meanwhile(teacher, school_admin):
    with pytest.raises(ValidationError, match="no photo yet"):
        photo_set_status(actor=school_admin, account=teacher, status=P.PROPER, note="")
    photo_upload(actor=teacher, user=teacher, uploaded_file=upload(image_bytes()))
    with pytest.raises(ValidationError, match="changed while you were looking"):
        photo_set_status(
            actor=school_admin, account=teacher, status=P.NOT_PROPER, note="Not a face", expected_photo="photos/old.jpg"
        )
    teacher.refresh_from_db()
    assert teacher.photo_status == P.PROPER


# --- The admin's decision: view ----------------------------------------------------------------------


def _decide(client, account, **data):
    payload = {"status": "not_proper", "note": "Not a face", "photo": account.photo.name, "next": "/ho-so/"}
    payload.update(data)
    return client.post(reverse("accounts:account_photo_status", args=[account.pk]), payload)


def test_school_admin_of_the_school_overrides_the_status(client, with_photo, school_admin):
    client.force_login(school_admin)
    response = _decide(client, with_photo, next="/don-vi/1/")
    assert response.status_code == 302 and response.url == "/don-vi/1/"
    with_photo.refresh_from_db()
    assert (with_photo.photo_status, with_photo.photo_note) == (P.NOT_PROPER, "Not a face")
    assert AuditEntry.objects.filter(action="account.photo_status", actor=school_admin).count() == 1


def test_office_staff_above_the_school_may_decide_too(client, tree, with_photo):
    client.force_login(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF))
    assert _decide(client, with_photo, status="proper", note="").status_code == 302
    with_photo.refresh_from_db()
    assert with_photo.photo_status == P.PROPER and with_photo.photo_note == ""


@pytest.mark.parametrize(
    ("role", "held_at"),
    [
        (Role.TEACHER, "g1"),  # wrong role: a colleague in the same school
        (Role.PRINCIPAL, "s1"),  # principals see accounts but do not look after them
        (Role.SCHOOL_ADMIN, "s2"),  # wrong scope: the admin of another school
        (Role.OFFICE_STAFF, "office_b1"),  # wrong scope: another district
    ],
)
def test_others_get_404_and_nothing_changes(client, tree, with_photo, role, held_at):
    client.force_login(make_person(unit=getattr(tree, held_at), role=role))
    assert _decide(client, with_photo).status_code == 404
    with_photo.refresh_from_db()
    assert with_photo.photo_status == P.PROPER
    assert not AuditEntry.objects.filter(action="account.photo_status").exists()


def test_the_person_cannot_judge_their_own_photo(client, with_photo):
    client.force_login(with_photo)
    assert _decide(client, with_photo, status="proper").status_code == 404


def test_anonymous_is_sent_to_login_and_get_is_not_allowed(client, with_photo, school_admin):
    url = reverse("accounts:account_photo_status", args=[with_photo.pk])
    assert client.post(url, {"status": "proper"}).status_code == 302
    client.force_login(school_admin)
    assert client.get(url).status_code == 405


def test_a_refused_decision_says_why_and_changes_nothing(client, with_photo, school_admin):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(school_admin)
    response = _decide(client, with_photo, note="")
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Say what is wrong with the photo" in page.content.decode()
    with_photo.refresh_from_db()
    assert with_photo.photo_status == P.PROPER


def test_htmx_gets_the_photo_panel_back_with_the_decision_or_the_error(client, with_photo, school_admin):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(school_admin)
    url = reverse("accounts:account_photo_status", args=[with_photo.pk])

    response = client.post(url, {"status": "not_proper", "note": ""}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="account-photo-{with_photo.pk}"' in html and "Say what is wrong with the photo" in html

    response = client.post(
        url, {"status": "not_proper", "note": "Not formal", "photo": with_photo.photo.name}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "The decision has been saved." in html and "Not formal" in html and "Not proper" in html


def test_the_photo_panel_works_with_just_the_account_and_can_manage(with_photo, teacher):
    html = render_to_string("accounts/components/account_photo_admin.html", {"account": with_photo, "can_manage": True})
    assert reverse("accounts:photo", args=[with_photo.pk]) in html and 'data-testid="photo-status-form"' in html
    assert reverse("accounts:account_photo_status", args=[with_photo.pk]) in html
    assert f'value="proper" id="photo-proper-{with_photo.pk}" checked' in html

    read_only = render_to_string(
        "accounts/components/account_photo_admin.html", {"account": with_photo, "can_manage": False}
    )
    assert reverse("accounts:photo", args=[with_photo.pk]) in read_only and "<form" not in read_only


def test_the_photo_panel_for_an_account_without_photo(tree):
    student = make_person(unit=tree.c1, role=Role.STUDENT)
    html = render_to_string("accounts/components/account_photo_admin.html", {"account": student, "can_manage": True})
    assert "Missing" in html and "<form" not in html and "nothing to check" in html


def test_photos_are_private_files_served_to_those_who_may_see_the_account(client, tree, teacher):
    from accounts.services.photos import photo_upload

    photo_upload(actor=teacher, user=teacher, uploaded_file=upload(image_bytes()))
    teacher.refresh_from_db()
    assert str(settings.PRIVATE_ROOT) in teacher.photo.path and str(settings.MEDIA_ROOT) not in teacher.photo.path
    url = reverse("accounts:photo", args=[teacher.pk])
    client.force_login(teacher)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN))
    assert client.get(url).status_code == 200
    client.force_login(make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN))
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
