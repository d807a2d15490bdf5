"""Uploaded files, the one way: what a file really is (by its content, not its name), size limits with
clear messages, safe names, and storing files so that a failed save leaves none behind.

Every app that accepts files (courses, materials, publications) uses these helpers.
"""

import io
import os
import struct
import uuid
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from truonghoc.text import nfc

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# extension → (label, content type, family). Families tell pages how to show a file.
TYPES = {
    "pdf": ("PDF", "application/pdf", "pdf"),
    "docx": ("Word (.docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"),
    "xlsx": ("Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"),
    "pptx": (
        "PowerPoint (.pptx)",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "document",
    ),
    "zip": ("ZIP", "application/zip", "document"),
    "mp4": ("MP4", "video/mp4", "video"),
    "webm": ("WebM", "video/webm", "video"),
    "mp3": ("MP3", "audio/mpeg", "audio"),
    "wav": ("WAV", "audio/wav", "audio"),
    "ogg": ("OGG", "audio/ogg", "audio"),
    "jpg": ("JPEG", "image/jpeg", "image"),
    "png": ("PNG", "image/png", "image"),
    "gif": ("GIF", "image/gif", "image"),
    "webp": ("WebP", "image/webp", "image"),
}
ALIASES = {"jpeg": "jpg", "m4v": "mp4", "mov": "mp4", "oga": "ogg", "weba": "webm"}
DOCUMENT_TYPES = ("pdf", "docx", "xlsx", "pptx")
VIDEO_TYPES = ("mp4", "webm")


def normal_extension(extension: str) -> str:
    extension = extension.lower().lstrip(".")
    return ALIASES.get(extension, extension)


def clean_name(name: str) -> str:
    """The file's own name without any folder part, NFC, at most 255 characters with its extension."""
    name = nfc(os.path.basename((name or "").replace("\\", "/"))) or "file"
    stem, extension = os.path.splitext(name)
    return stem[: 255 - len(extension)] + extension


def content_type_for(name: str) -> str:
    return TYPES.get(normal_extension(os.path.splitext(name)[1]), ("", "application/octet-stream"))[1]


def family_of(extension: str) -> str:
    return TYPES.get(normal_extension(extension), ("", "", "document"))[2]


def sniff(upload) -> str | None:
    """The extension the content really has ("pdf", "docx", "mp4"…), "ole" for old Office files, or None."""
    try:
        upload.seek(0)
        head = upload.read(64)
        stripped = head.lstrip(b"\r\n\t \xef\xbb\xbf")
        if stripped[:5] == b"%PDF-":
            return "pdf"
        if head[:8] == OLE_MAGIC:
            return "ole"
        if head[4:8] == b"ftyp":
            return "mp4"
        if head[:4] == b"\x1a\x45\xdf\xa3":
            return "webm"
        if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
            return "mp3"
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            return "wav"
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return "webp"
        if head[:4] == b"OggS":
            return "ogg"
        if head[:3] == b"\xff\xd8\xff":
            return "jpg"
        if head[:8] == b"\x89PNG\r\n\x1a\n":
            return "png"
        if head[:6] in (b"GIF87a", b"GIF89a"):
            return "gif"
        if head[:4] != ZIP_MAGIC:
            return None
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            for marker, extension in (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx")):
                if marker in names:
                    return extension
            if "ppt/presentation.xml" in names:
                return "pptx"
        return "zip"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    extension: str
    size: int

    @property
    def family(self) -> str:
        return family_of(self.extension)


def type_labels(extensions: Iterable[str]) -> str:
    return ", ".join(TYPES.get(normal_extension(e), (e.upper(),))[0] for e in extensions)


class UploadWords:
    """What check_upload says when a file's type is wrong. The rules are the same for every form; a form
    whose people expect other words (report requests name the three types they take) passes a subclass."""

    def too_big(self, *, name: str, size: int, max_bytes: int) -> str:
        return _("The file %(name)s is %(size)s; a file can be at most %(max)s.") % {
            "name": name,
            "size": human_size(size),
            "max": human_size(max_bytes),
        }

    def not_allowed(self, *, name: str, allowed: list[str]) -> str:
        return _("%(name)s is not an allowed type. Allowed: %(allowed)s.") % {
            "name": name,
            "allowed": type_labels(allowed),
        }

    def not_what_named(self, *, name: str, extension: str, actual: str | None, allowed: list[str]) -> str:
        """The content is not what the name says: `actual` is what sniff() found (None: nothing known)."""
        if actual is None or actual not in TYPES:
            return _(
                "%(name)s is named .%(extension)s but its content is not: it is damaged, or another kind of file "
                "renamed. Save it again in an allowed format."
            ) % {"name": name, "extension": extension}
        return _("%(name)s is named .%(extension)s but it is really a %(actual)s file.") % {
            "name": name,
            "extension": extension,
            "actual": TYPES[actual][0],
        }


def check_upload(upload, *, allowed: Iterable[str], max_bytes: int, words: UploadWords | None = None) -> CheckedFile:
    """Refuse, with a message for the person uploading, an empty or too large file, a type not allowed, or
    a file whose content is not what its name says. Returns what was checked."""
    words = words or UploadWords()
    allowed = [normal_extension(e) for e in allowed]
    name = clean_name(getattr(upload, "name", ""))
    extension = normal_extension(os.path.splitext(name)[1])
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name}, code="empty")
    if size > max_bytes:
        raise ValidationError(words.too_big(name=name, size=size, max_bytes=max_bytes), code="too_big")
    if extension not in allowed:
        raise ValidationError(words.not_allowed(name=name, allowed=allowed), code="wrong_type")
    actual = sniff(upload)
    if actual == "ole":
        raise ValidationError(
            _(
                "%(name)s is in the old Word/Excel 97–2003 format or protected by a password. "
                "Save it as .docx or .xlsx without a password, or as PDF."
            )
            % {"name": name},
            code="wrong_type",
        )
    if actual != extension:
        message = words.not_what_named(name=name, extension=extension, actual=actual, allowed=allowed)
        raise ValidationError(message, code="wrong_type")
    return CheckedFile(upload=upload, name=name, extension=extension, size=size)


def human_size(size: int) -> str:
    """A size for people, in the active language's number format ("2,5 MB" in Vietnamese)."""
    for unit, step in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= step:
            return f"{number_format(round(size / step, 1), 1)} {unit}"
    return f"{size} B"


@contextmanager
def files_removed_on_failure(storage):
    """Collects the names of files saved inside the block; if the block raises, deletes them, so a refused
    or failed save never leaves orphan files behind.

        with files_removed_on_failure(storage) as saved:
            saved.append(storage.save(path, upload))
            ...create rows...
    """
    saved: list[str] = []
    try:
        yield saved
    except BaseException:
        for name in saved:
            with suppress(OSError):
                storage.delete(name)
        raise


# --- very large uploads ------------------------------------------------------------------------


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a file as soon as it passes settings.UPLOAD_MAX_BYTES (a 2 GB video), instead of
    spooling it all to disk first. The file is dropped and its name recorded in
    `request.upload_refused`, so the form can say which file was too large."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request.upload_refused = getattr(self.request, "upload_refused", [])
        self.limit = settings.UPLOAD_MAX_BYTES
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_refused.append(clean_name(self.file_name or ""))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def refused_uploads_error(request) -> ValidationError | None:
    """The message for files the handler dropped for being too large, or None."""
    names = getattr(request, "upload_refused", None)
    if not names:
        return None
    return ValidationError(
        _("%(names)s is too large: a file can be at most %(max)s. Nothing was saved.")
        % {"names": ", ".join(names), "max": human_size(settings.UPLOAD_MAX_BYTES)},
        code="too_big",
    )


# --- images shown to the public ----------------------------------------------------------------

IMAGE_MAX_PIXELS = 50_000_000
IMAGE_JPEG_QUALITY = 85
# What Pillow may raise on a damaged file; any of these means "cannot be read".
IMAGE_DECODE_ERRORS = (OSError, SyntaxError, ValueError, TypeError, IndexError, EOFError, struct.error, zlib.error)


def jpeg_bytes(image: Image.Image, *, max_size: tuple[int, int], quality: int = IMAGE_JPEG_QUALITY) -> bytes:
    """A fresh JPEG of a decoded image: flattened onto white, at most `max_size`, no metadata.

    The pixels are pasted into a new image, so nothing of the original's `info` (EXIF with a GPS
    position, XMP, ICC, comments) can follow into the saved file. Pictures of posts and questions
    (image_reencode) and ID photos (accounts.services.photos) are all written here.
    """
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        # 16-bit greyscale PNG: scale to 8 bits (a plain convert would clip everything to white).
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        clean = Image.new("RGB", rgba.size, "white")
        clean.paste(rgba, mask=rgba.getchannel("A"))
    else:
        clean = Image.new("RGB", image.size, "white")
        clean.paste(image.convert("RGB"))
    clean.thumbnail(max_size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def image_reencode(upload, *, max_side: int = 1920, max_bytes: int | None = None) -> ContentFile:
    """Decode an uploaded picture and return a fresh JPEG of it (at most `max_side` px on its long side,
    turned upright, flattened onto white), so nothing but pixels survives: no EXIF with a GPS position,
    no comments, no trailing data, no script disguised as a picture.

    The same rules as ID photos (accounts.services.photos): the type is judged by content, never by the
    name; the pixel count is read from the header and checked before anything is decoded, and Pillow's
    own decompression-bomb warning is treated as an error. Raises ValidationError naming the file.
    """
    name = clean_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name}, code="empty")
    if max_bytes is not None and size > max_bytes:
        raise ValidationError(
            _("The picture %(name)s is %(size)s; a picture can be at most %(max)s.")
            % {"name": name, "size": human_size(size), "max": human_size(max_bytes)},
            code="too_big",
        )
    if sniff(upload) not in ("jpg", "png", "gif", "webp"):
        raise ValidationError(
            _(
                "%(name)s is not a picture (its content is checked, not its name). "
                "Choose a JPEG, PNG, GIF or WebP image."
            )
            % {"name": name},
            code="not_image",
        )
    too_large = ValidationError(
        _("The picture %(name)s has more than %(limit)d megapixels. Make it smaller and try again.")
        % {"name": name, "limit": IMAGE_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )
    unreadable = ValidationError(
        _("The picture %(name)s could not be read: the file is damaged or incomplete. Save it again and retry.")
        % {"name": name},
        code="unreadable",
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=("JPEG", "PNG", "GIF", "WEBP"))
            if image.width * image.height > IMAGE_MAX_PIXELS:
                raise too_large
            if image.format in ("JPEG", "MPO"):
                # Decode a large camera JPEG at a reduced scale that is still above the stored size.
                image.draft("RGB", (max_side, max_side))
            image.load()
            image = ImageOps.exif_transpose(image)
            content = jpeg_bytes(image, max_size=(max_side, max_side))
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_large from error
    except IMAGE_DECODE_ERRORS as error:
        raise unreadable from error
    finally:
        upload.seek(0)
    return ContentFile(content, name=f"{uuid.uuid4().hex}.jpg")
