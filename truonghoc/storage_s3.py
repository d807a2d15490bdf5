"""The S3-compatible storages of STORAGE_URL (truonghoc.storage.file_storages; imported only when it is set,
since it needs django-storages and boto3).

Two things django-storages does not do the way the portal needs:
  - Reading. Its file object downloads the whole object before the first byte is read; a video player
    seeking in a 500 MB lesson, or a simulation package (a zip of up to 100 MB) asked for one 3 KB member,
    would fetch everything on every request. Here a file opened for reading fetches only the byte ranges
    read (`RangedObjectReader`, buffered by `CHUNK`): a zip reads its directory and one member, a range
    request its range.
  - Signed downloads. `signed_url` is the short-lived URL a permission-checked download is redirected to
    (`truonghoc.storage.file_response`), with the file's name and type fixed by the portal, not the store."""

import io

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.base import File
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

CHUNK = 256 * 1024  # one ranged GET per this many bytes read in small pieces (a player, a zip directory)


class RangedObjectReader(io.RawIOBase):
    """A seekable, read-only view of one stored object that fetches only the ranges read."""

    def __init__(self, obj, size: int):
        super().__init__()
        self._obj = obj
        self._size = size
        self._position = 0
        self.gets = 0  # ranged GETs made (tests and benchmarks read it)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def _get(self, length: int) -> bytes:
        if self._position >= self._size or length <= 0:
            return b""
        end = min(self._position + length, self._size) - 1
        self.gets += 1
        body = self._obj.get(Range=f"bytes={self._position}-{end}")["Body"]
        try:
            data = body.read()
        finally:
            body.close()
        self._position += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self._get(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        return self._get(self._size - self._position)  # the rest in one GET (an import reading its file)


class RangedFile(File):
    """A stored file open for reading by ranges; opened again after closing (a model's file read twice)."""

    def __init__(self, storage: "_S3Storage", name: str, obj):
        super().__init__(io.BufferedReader(RangedObjectReader(obj, obj.content_length), buffer_size=CHUNK), name)
        self._storage = storage

    def open(self, mode=None, *args, **kwargs):
        if not self.closed:
            self.seek(0)
        else:
            self.file = self._storage.open(self.name, mode or "rb").file
        return self


class _S3Storage(S3Storage):
    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wa+"):
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        obj = self.bucket.Object(key)
        try:
            obj.load()  # one HEAD: the size, and a missing file is FileNotFoundError as on disk
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from error
            raise
        return RangedFile(self, name, obj)

    def signed_url(self, name: str, *, filename: str, content_type: str, attachment: bool = True) -> str:
        """A GET URL for this file that expires after STORAGE_SIGNED_URL_SECONDS; the store answers it with
        the portal's file name, type and caching (the signature covers them, so the link cannot change them)."""
        parameters = {
            "ResponseContentDisposition": content_disposition_header(attachment, filename),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        }
        return self.url(name, parameters=parameters, expire=settings.STORAGE_SIGNED_URL_SECONDS)


class MediaS3Storage(_S3Storage):
    """MEDIA (the "default" storage) in the bucket, under `media/`."""


class PrivateS3Storage(_S3Storage):
    """Private files in the bucket, under `private/`; reached only through a view that checks permission."""
