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
    `request`, an inline file answers byte ranges so video and audio players can seek."""
    from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
    from django.utils.http import content_disposition_header

    from truonghoc.uploads import content_type_for

    try:
        handle = field.open("rb")
        size = field.size
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = content_type or content_type_for(name)
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
