"""Profiles and ID photos: the details each person completes (email, phone, date of birth, photo),
the automatic photo check on upload, and the school admin's override of a photo's status.

A photo is accepted by its content, never by its name: JPEG or PNG, at most 5 MB, at least
300 × 400 px, portrait close to 3:4. Accepted photos are decoded and re-encoded by Pillow as a fresh
JPEG, so whatever else the file carried (EXIF with GPS position, comments, trailing data) is gone.
Old photo files are kept: they are what the person made, and the audit entry names them.
"""

import io
import math
import re
import uuid
import warnings
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps

from notifications.services import notify
from truonghoc.text import nfc
from truonghoc.uploads import IMAGE_DECODE_ERRORS, jpeg_bytes
from units.services import audit_log

from ..models import User
from .core import user_copy_fields

MB = 1024 * 1024
PHOTO_MAX_BYTES = 5 * MB
PHOTO_MIN_WIDTH, PHOTO_MIN_HEIGHT = 300, 400
PHOTO_MIN_RATIO, PHOTO_MAX_RATIO = 0.70, 0.80  # width / height; 3:4 is 0.75
# Our own decompression-bomb limit, checked from the header before any pixel is decoded. It is far
# below Pillow's process-wide Image.MAX_IMAGE_PIXELS (which we leave alone: other apps share it and
# changing a module global per request is not thread-safe); Pillow's own DecompressionBombError and
# DecompressionBombWarning are caught as well, the warning treated as an error.
PHOTO_MAX_PIXELS = 40_000_000
# Stored photos are at most this size: an ID photo needs no more, and 48,000 accounts × 5 MB would.
PHOTO_STORED_MAX_SIZE = (1200, 1600)
PHOTO_JPEG_QUALITY = 85

ALLOWED_FORMATS = ("JPEG", "PNG")
# Pillow opens some camera JPEGs (with a multi-picture index) as MPO; they are JPEG files.
_OPENED_FORMATS = {"JPEG", "MPO", "PNG"}
# What Pillow may raise on a damaged file; anything of these means "cannot be read".
_DECODE_ERRORS = IMAGE_DECODE_ERRORS
_ROTATED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height

P = User.PhotoStatus
PROFILE_FIELDS = ("email", "phone", "date_of_birth")
PHOTO_FIELDS = ("photo", "photo_status", "photo_status_reason", "photo_note")
OLDEST_BIRTH_DATE = date(1900, 1, 1)


# --- Pure checks ---------------------------------------------------------------------------------


def _sniff_kind(head: bytes) -> str | None:
    """The name of a common non-accepted file type, to tell the person what they actually sent."""
    if head.startswith(b"%PDF"):
        return _("a PDF document")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _("a GIF image")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _("a WebP image")
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"heif", b"mif1", b"msf1", b"avif"):
        return _("a HEIC/AVIF image (the iPhone format)")
    if head.startswith(b"BM"):
        return _("a BMP image")
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return _("a TIFF image")
    if head.startswith(b"PK\x03\x04"):
        return _("a ZIP archive or Office document")
    return None


def _is_jpeg_or_png(head: bytes) -> bool:
    return head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n")


def _dimension_errors(width: int, height: int) -> list[ValidationError]:
    if width <= 0 or height <= 0:
        return [_unreadable()]
    # Both messages give the photo's size and the smallest one accepted.
    sizes = {"width": width, "height": height, "min_width": PHOTO_MIN_WIDTH, "min_height": PHOTO_MIN_HEIGHT}
    errors = []
    if width < PHOTO_MIN_WIDTH or height < PHOTO_MIN_HEIGHT:
        message = _(
            "The photo is %(width)d px wide × %(height)d px high: it is too small, it must be at least "
            "%(min_width)d px wide and %(min_height)d px high."
        )
        errors.append(ValidationError(message % sizes, code="photo_too_small"))
    if not PHOTO_MIN_RATIO <= width / height <= PHOTO_MAX_RATIO:
        message = _(
            "The photo is %(width)d px wide × %(height)d px high: it must be a portrait photo in the 3:4 "
            "ratio (for example %(min_width)d × %(min_height)d px)."
        )
        errors.append(ValidationError(message % sizes, code="photo_not_portrait"))
    return errors


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    if width and height:
        message = _(
            "The photo is %(width)d × %(height)d px, more than the %(limit)d megapixels a photo may have. "
            "Make it smaller (for example 600 × 800 px) and try again."
        ) % {"width": width, "height": height, "limit": PHOTO_MAX_PIXELS // 1_000_000}
    else:
        message = _(
            "The photo has more than the %(limit)d megapixels a photo may have. "
            "Make it smaller (for example 600 × 800 px) and try again."
        ) % {"limit": PHOTO_MAX_PIXELS // 1_000_000}
    return ValidationError(message, code="photo_too_many_pixels")


def _unreadable() -> ValidationError:
    return ValidationError(
        _(
            "The photo could not be read: the file is damaged or incomplete. "
            "Open it on your device, save it again as JPEG and try again."
        ),
        code="photo_unreadable",
    )


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    """Width and height as the photo is shown, after its EXIF orientation (phones store portraits sideways)."""
    width, height = image.size
    if image.getexif().get(ExifTags.Base.Orientation) in _ROTATED_ORIENTATIONS:
        return height, width
    return width, height


def photo_check(uploaded_file) -> Image.Image:
    """Check an uploaded photo and return it decoded, turned upright by its EXIF orientation.

    Raises ValidationError with the exact problem(s), in the order a person can fix them. The size is
    checked before anything is decoded; the pixel count from the header before the pixels are.
    """
    uploaded_file.seek(0)
    data = uploaded_file.read(PHOTO_MAX_BYTES + 1)
    if not data:
        raise ValidationError(_("The file is empty. Choose your photo again."), code="photo_empty")
    if len(data) > PHOTO_MAX_BYTES:
        size = max(getattr(uploaded_file, "size", None) or 0, len(data))
        raise ValidationError(
            _("The file is %(size)s MB; a photo may be at most %(limit)d MB. Make it smaller and try again.")
            % {
                # Rounded up, so a file just over the limit never reads "5.00 MB".
                "size": number_format(math.ceil(size * 100 / MB) / 100, 2),
                "limit": PHOTO_MAX_BYTES // MB,
            },
            code="photo_too_big",
        )
    head = data[:16]
    if not _is_jpeg_or_png(head):
        kind = _sniff_kind(head)
        if kind:
            message = _("Only JPEG and PNG photos are accepted, and this file is %(kind)s.") % {"kind": kind}
        else:
            message = _(
                "Only JPEG and PNG photos are accepted, and this file is not one (its content is checked, "
                "not its name)."
            )
        raise ValidationError(message, code="photo_format")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            if image.format not in _OPENED_FORMATS:
                raise _unreadable()
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise _too_many_pixels(image.width, image.height)
            is_png = image.format == "PNG"
            errors = _dimension_errors(*_oriented_size(image))
            if errors:
                raise ValidationError(errors)
            if not is_png:
                # Decode a large JPEG at a reduced scale that is still above the stored size.
                side = max(PHOTO_STORED_MAX_SIZE)
                image.draft("RGB", (side, side))
            image.load()
            image = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except _DECODE_ERRORS as error:
        raise _unreadable() from error
    if is_png:
        # A PNG's EXIF may come after its pixels, so its orientation is only sure once decoded.
        errors = _dimension_errors(*image.size)
        if errors:
            raise ValidationError(errors)
    return image


def photo_encode(image: Image.Image) -> bytes:
    """A fresh JPEG of the image: flattened onto white, at most PHOTO_STORED_MAX_SIZE, no metadata
    (truonghoc.uploads.jpeg_bytes, the one writer of pictures)."""
    return jpeg_bytes(image, max_size=PHOTO_STORED_MAX_SIZE, quality=PHOTO_JPEG_QUALITY)


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"0\d{9,10}")


def phone_normalize(phone: str) -> str:
    """A Vietnamese phone number as digits starting with 0 ("+84 912.345.678" → "0912345678");
    raises ValidationError when it cannot be one."""
    value = _PHONE_SEPARATORS.sub("", phone or "")
    if not value:
        return ""
    if value.startswith("+84"):
        value = "0" + value[3:]
    if not _PHONE.fullmatch(value):
        raise ValidationError(
            _("Enter a phone number of 10 or 11 digits starting with 0 (for example 0912 345 678)."),
            code="phone_invalid",
        )
    return value


def _profile_clean(*, user: User, email: str, phone: str, date_of_birth: date | None) -> dict:
    """The stored form of the profile fields; raises ValidationError({field: …}) with every problem."""
    errors: dict[str, ValidationError] = {}
    email = User.objects.normalize_email((email or "").strip())
    if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        # Login works by email too, so one address may belong to one account only.
        errors["email"] = ValidationError(
            _("This email is already used by another account. Enter your own email address."), code="email_taken"
        )
    try:
        phone = phone_normalize(phone)
    except ValidationError as error:
        errors["phone"] = error
    if date_of_birth is not None:
        if date_of_birth > timezone.localdate():
            errors["date_of_birth"] = ValidationError(
                _("The date of birth cannot be in the future."), code="birth_future"
            )
        elif date_of_birth < OLDEST_BIRTH_DATE:
            errors["date_of_birth"] = ValidationError(
                _("Please check the year of the date of birth."), code="birth_too_old"
            )
    if errors:
        raise ValidationError(errors)
    return {"email": email, "phone": phone, "date_of_birth": date_of_birth}


def _audit_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "name") and not isinstance(value, str):  # FieldFile
        return value.name or ""
    return value


def _snapshot(user: User, fields) -> dict:
    return {field: _audit_value(getattr(user, field)) for field in fields}


# --- Services ------------------------------------------------------------------------------------


def _profile_write(*, actor, user: User, values: dict) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = _snapshot(locked, PROFILE_FIELDS)
    changed = [field for field, value in values.items() if getattr(locked, field) != value]
    if not changed:
        return user
    for field in changed:
        setattr(locked, field, values[field])
    locked.full_clean(exclude=[f.name for f in User._meta.concrete_fields if f.name not in changed])
    locked.save(update_fields=[*changed, "updated_at"])
    audit_log(
        actor=actor,
        action="account.profile_update",
        unit=locked.unit,
        target=locked,
        before={field: before[field] for field in changed},
        after={field: _audit_value(getattr(locked, field)) for field in changed},
    )
    user_copy_fields(source=locked, target=user, fields=changed)
    return user


def _photo_write(*, actor, user: User, data: bytes, size: tuple[int, int]) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = _snapshot(locked, PHOTO_FIELDS)
    # A random name: photos are served from /media/ and must not be guessable from a username or id.
    # The old file stays where it is (nothing a person made is deleted); the audit entry names it.
    locked.photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(data), save=False)
    locked.photo_status = P.PROPER
    locked.photo_status_reason = ""
    locked.photo_note = ""
    locked.save(update_fields=[*PHOTO_FIELDS, "updated_at"])
    audit_log(
        actor=actor,
        action="account.photo_upload",
        unit=locked.unit,
        target=locked,
        before=before,
        after={**_snapshot(locked, PHOTO_FIELDS), "width": size[0], "height": size[1], "bytes": len(data)},
    )
    user_copy_fields(source=locked, target=user, fields=PHOTO_FIELDS)
    return user


def _photo_prepare(uploaded_file) -> tuple[bytes, tuple[int, int]]:
    image = photo_check(uploaded_file)
    try:
        data = photo_encode(image)
    except _DECODE_ERRORS as error:
        raise _unreadable() from error
    with Image.open(io.BytesIO(data)) as stored:
        return data, stored.size


@transaction.atomic
def profile_update(*, actor, user: User, email: str, phone: str, date_of_birth: date | None) -> User:
    """Change the person's email, phone and date of birth (blank values are allowed: a profile is
    completed step by step, and the banner says what is still missing)."""
    values = _profile_clean(user=user, email=email, phone=phone, date_of_birth=date_of_birth)
    return _profile_write(actor=actor, user=user, values=values)


@transaction.atomic
def photo_upload(*, actor, user: User, uploaded_file) -> User:
    """Check, re-encode and store a new ID photo; a photo that passes the checks is PROPER until a
    school admin says otherwise."""
    data, size = _photo_prepare(uploaded_file)
    return _photo_write(actor=actor, user=user, data=data, size=size)


@transaction.atomic
def profile_save(*, actor, user: User, email: str, phone: str, date_of_birth: date | None, uploaded_file=None) -> User:
    """The profile form in one step: every problem of the fields and the photo is reported together,
    and nothing is saved unless everything is right."""
    errors: dict[str, list[ValidationError]] = {}
    values = None
    try:
        values = _profile_clean(user=user, email=email, phone=phone, date_of_birth=date_of_birth)
    except ValidationError as error:
        errors.update(error.error_dict)
    photo = None
    if uploaded_file is not None:
        try:
            photo = _photo_prepare(uploaded_file)
        except ValidationError as error:
            errors["photo"] = error.error_list
    if errors:
        raise ValidationError(errors)
    _profile_write(actor=actor, user=user, values=values)
    if photo is not None:
        _photo_write(actor=actor, user=user, data=photo[0], size=photo[1])
    return user


@transaction.atomic
def photo_set_status(*, actor, account: User, status: str, note: str, expected_photo: str | None = None) -> User:
    """A school admin's decision on a photo ("not a face", "not formal"), overriding the automatic check.

    `expected_photo` is the file the admin was looking at: if the person uploaded another one in the
    meantime, the decision is refused rather than applied to a photo nobody has seen.
    """
    note = nfc(" ".join((note or "").split()))
    if status not in (P.PROPER, P.NOT_PROPER):
        raise ValidationError(
            {"status": ValidationError(_("Choose whether the photo is proper or not."), code="status_invalid")}
        )
    if status == P.NOT_PROPER and not note:
        raise ValidationError(
            {
                "note": ValidationError(
                    _("Say what is wrong with the photo (for example “not a face”, “not formal”)."),
                    code="note_required",
                )
            }
        )
    if len(note) > 255:
        raise ValidationError({"note": ValidationError(_("The note may be at most 255 characters."), code="long")})
    locked = User.objects.select_for_update().get(pk=account.pk)
    if not locked.photo:
        raise ValidationError(_("This account has no photo yet, so there is nothing to check."), code="no_photo")
    if expected_photo is not None and locked.photo.name != expected_photo:
        raise ValidationError(
            _("The photo was changed while you were looking at it. Look at the new photo and decide again."),
            code="photo_changed",
        )
    before = _snapshot(locked, PHOTO_FIELDS)
    locked.photo_status = status
    locked.photo_status_reason = note
    locked.photo_note = note
    locked.full_clean(exclude=[f.name for f in User._meta.concrete_fields if f.name not in PHOTO_FIELDS])
    locked.save(update_fields=["photo_status", "photo_status_reason", "photo_note", "updated_at"])
    audit_log(
        actor=actor,
        action="account.photo_status",
        unit=locked.unit,
        target=locked,
        before=before,
        after=_snapshot(locked, PHOTO_FIELDS),
    )
    if status == P.NOT_PROPER:
        notify(
            recipients=[locked],
            title=_("Your profile photo does not meet the rules"),
            body=note,
            url=reverse("accounts:profile_edit"),
        )
    user_copy_fields(source=locked, target=account, fields=PHOTO_FIELDS)
    return account
