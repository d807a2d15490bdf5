import os
import re

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """Files kept outside MEDIA_ROOT (uploaded spreadsheets, ID photos): no web server serves them by
    URL; views that check permission stream them. The folder is read from settings.PRIVATE_ROOT each
    time, so a changed setting (tests) takes effect at once."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage():
    return storages["private"]


# --- object storage (issue #19, point 2) --------------------------------------------------------------------
S3_SCHEMES = {"s3": "https", "s3+https": "https", "s3+http": "http"}


def file_storages(storage_url, *, signed_url_seconds: int = 60) -> dict:
    """The "default" (media) and "private" entries of STORAGES. Without STORAGE_URL, the local disk (the
    embedded default: MEDIA_ROOT and PRIVATE_ROOT). With it, one S3-compatible bucket, media under `media/`
    and private files under `private/`, both private to the bucket's owner (no public ACL): files reach people
    only through a view that checks permission (`file_response`).

    `storage_url` is django-environ's parse of STORAGE_URL (`env.url`), one scheme for every S3-compatible
    store: `s3://KEY:SECRET@host[:port]/bucket?region=ap-southeast-1` (https; `s3+http://` for a local
    endpoint such as MinIO or moto; no host: AWS itself). Key and secret are percent-encoded when they hold
    `/`, `+` or `@`; without them the usual AWS chain (environment, instance role) is used."""
    if not storage_url:
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "private": {"BACKEND": "truonghoc.storage.PrivateFileSystemStorage"},
        }
    from urllib.parse import parse_qs, unquote

    from django.core.exceptions import ImproperlyConfigured

    protocol = S3_SCHEMES.get(storage_url.scheme)
    bucket = storage_url.path.strip("/")
    if protocol is None or not bucket or "/" in bucket:
        raise ImproperlyConfigured(
            "STORAGE_URL must read s3://KEY:SECRET@host:port/bucket?region=… (s3+http:// for a local endpoint)."
        )
    query = {key: values[-1] for key, values in parse_qs(storage_url.query).items()}
    options = {
        "bucket_name": bucket,
        "access_key": unquote(storage_url.username or "") or None,
        "secret_key": unquote(storage_url.password or "") or None,
        "region_name": query.get("region") or None,
        "endpoint_url": f"{protocol}://{storage_url.hostname}{f':{storage_url.port}' if storage_url.port else ''}"
        if storage_url.hostname
        else None,
        # Path-style (host/bucket/key) works with every S3-compatible store; AWS itself takes virtual hosts.
        "addressing_style": query.get("addressing") or ("path" if storage_url.hostname else None),
        "signature_version": "s3v4",
        "default_acl": None,  # the bucket's own: private
        "querystring_auth": True,  # every URL signed and short-lived
        "querystring_expire": signed_url_seconds,
        "file_overwrite": False,  # a second "report.pdf" gets its own name, as on disk
    }
    return {
        "default": {"BACKEND": "truonghoc.storage_s3.MediaS3Storage", "OPTIONS": {**options, "location": "media"}},
        "private": {"BACKEND": "truonghoc.storage_s3.PrivateS3Storage", "OPTIONS": {**options, "location": "private"}},
    }


# --- serving private files ----------------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _ranged(handle, start: int, length: int):
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def file_response(
    field,
    *,
    name: str,
    inline: bool = False,
    request=None,
    cache: str = "private, no-store",
    content_type: str | None = None,
):
    """The one way a permission-checked view hands out a stored file: a missing file is a 404, the type comes
    from the name's fixed list (never sniffed by the browser), and it is downloaded unless `inline`. Given the
    `request`, an inline file answers byte ranges so video and audio players can seek.

    On object storage (STORAGE_URL) the kind decides, after the view's check: a download (not `inline`) is a
    302 to a signed URL of STORAGE_SIGNED_URL_SECONDS with this name and type, so a large file never holds a
    web process; an inline file (an image, a PDF in a frame, a video) is streamed by this view, fetching only
    the ranges asked for, because the pages' Content-Security-Policy admits images, frames and media from the
    site alone. Simulation packages are never handed out here (materials' package view reads one member)."""
    from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
    from django.utils.http import content_disposition_header

    from truonghoc.uploads import content_type_for

    content_type = content_type or content_type_for(name)
    # A FieldFile knows its storage; a plain File (a picture still read from public media) has none.
    storage = getattr(field, "storage", None)
    signed_url = getattr(storage, "signed_url", None)
    if signed_url is not None and not inline:
        if not field.name or not storage.exists(field.name):
            raise Http404
        response = HttpResponseRedirect(signed_url(field.name, filename=name, content_type=content_type))
        response["Cache-Control"] = "private, no-store"  # the signed URL expires; never cache the redirect
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        handle = field.open("rb")
        size = field.size
    except FileNotFoundError as exc:
        raise Http404 from exc
    match = _RANGE.match(request.headers.get("Range", "")) if request is not None and inline else None
    if match and (match[1] or match[2]):
        if match[1]:
            start = int(match[1])
            end = min(int(match[2]), size - 1) if match[2] else size - 1
        else:
            start, end = max(size - int(match[2]), 0), size - 1
        if start > end or start >= size:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(_ranged(handle, start, end - start + 1), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        response["Content-Disposition"] = content_disposition_header(False, name)
    else:
        response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    if request is not None and inline:
        response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    return response
