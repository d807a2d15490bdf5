"""Object storage against a real local S3 endpoint (moto's server, started here on a free port): files saved and
read back, reads by ranges, private downloads redirected to a short-lived signed URL only after the view's
permission check, inline files and simulation packages served by the portal itself, readiness.

Skipped only when boto3, django-storages or moto are not installed (requirements*.txt pin them; CI has them)."""

import io
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("storages.backends.s3")
pytest.importorskip("moto.server")

from django.core.files.base import ContentFile  # noqa: E402
from django.urls import reverse  # noqa: E402

from materials.models import Kind, MaterialVersion  # noqa: E402
from tests.materials.test_library import login, make_material, package, people  # noqa: E402, F401
from truonghoc.storage import file_response  # noqa: E402
from truonghoc.storage_s3 import CHUNK, PrivateS3Storage, RangedObjectReader  # noqa: E402

pytestmark = pytest.mark.django_db

KEY, SECRET, BUCKET = "testing-key", "testing-secret-0123456789", "truonghoc-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server as a separate process (`moto_server`), with one bucket."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "moto_server stopped while starting"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.2)
        client = boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name="us-east-1"
        )
        client.create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def s3(s3_endpoint, settings):
    """The storages STORAGE_URL=s3+http://KEY:SECRET@127.0.0.1:port/bucket makes, as "private" and "default"."""
    from urllib.parse import urlparse

    from truonghoc.storage import file_storages

    configured = file_storages(urlparse(f"s3+http://{KEY}:{SECRET}@{s3_endpoint[7:]}/{BUCKET}"), signed_url_seconds=60)
    settings.STORAGES = {**settings.STORAGES, **configured}
    settings.STORAGE_SIGNED_URL_SECONDS = 60
    from django.core.files.storage import storages

    return storages["private"]


def _fetch(url: str):
    assert url.startswith("http://127.0.0.1:")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (the local endpoint, checked above)
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_files_are_saved_under_their_prefix_never_overwritten_and_read_back(s3):
    from django.core.files.storage import storages

    assert isinstance(s3, PrivateS3Storage)
    first = s3.save("letters/2026/cong-van.pdf", ContentFile(b"%PDF-1 first"))
    second = s3.save("letters/2026/cong-van.pdf", ContentFile(b"%PDF-1 second"))
    assert first == "letters/2026/cong-van.pdf" and second != first  # a second upload gets its own name
    with s3.open(first, "rb") as handle:
        assert handle.read() == b"%PDF-1 first"
    assert s3.size(second) == len(b"%PDF-1 second") and s3.exists(second)
    media = storages["default"].save("news/a.txt", ContentFile(b"media"))
    keys = {item["Key"] for item in s3.connection.meta.client.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {f"private/{first}", f"private/{second}", f"media/{media}"} <= keys
    s3.delete(second)
    assert not s3.exists(second)
    with pytest.raises(FileNotFoundError):
        s3.open("letters/missing.pdf", "rb")


def test_a_zip_member_or_a_range_is_read_without_fetching_the_whole_object(s3):
    big = package({"index.html": b"<p>con lac</p>", "media/video.bin": bytes(range(256)) * 20_000})  # ~5 MB
    name = s3.save("packages/con-lac.zip", ContentFile(big))
    with s3.open(name, "rb") as handle:
        reader = handle.file.raw
        assert isinstance(reader, RangedObjectReader)
        with zipfile.ZipFile(handle) as archive:
            assert archive.read("index.html") == b"<p>con lac</p>"
        # The directory and one member: a few ranged GETs of at most CHUNK, never the 5 MB.
        assert 1 <= reader.gets <= 4
        assert reader.gets * CHUNK < len(big)
        handle.seek(len(big) - 10)
        assert handle.read() == big[-10:]
        handle.seek(0)
        assert handle.read() == big  # the rest in one GET


def test_a_download_is_redirected_to_a_short_lived_signed_url_with_the_portals_name_and_type(s3, rf):
    stored = s3.save("submissions/bai-lam.docx", ContentFile(b"PK\x03\x04 docx bytes"))
    field = _field(s3, stored)
    response = file_response(field, name="Bài làm – Nguyễn An.docx")
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store" and response["Referrer-Policy"] == "no-referrer"
    url = response["Location"]
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"] and "X-Amz-Signature" in query
    assert SECRET not in url
    status, headers, body = _fetch(url)
    assert status == 200 and body == b"PK\x03\x04 docx bytes"
    assert (
        headers["Content-Disposition"].startswith("attachment;")
        and "filename*=utf-8''" in headers["Content-Disposition"]
    )
    assert headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    # The name and type are parameters of the signed request (a real store refuses a link edited to change them;
    # moto does not check signatures, so this says only that they are signed in).
    assert "response-content-disposition" in query and "response-content-type" in query
    assert "X-Amz-SignedHeaders" in query
    # A file gone from the store is the portal's 404, not the store's error page.
    s3.delete(stored)
    from django.http import Http404

    with pytest.raises(Http404):
        file_response(field, name="x.docx")


def test_an_inline_file_is_streamed_by_the_view_with_ranges(s3, rf):
    video = bytes(range(256)) * 4096  # 1 MB
    field = _field(s3, s3.save("courses/sections/bai-giang.mp4", ContentFile(video)))
    response = file_response(
        field, name="bai-giang.mp4", inline=True, request=rf.get("/", HTTP_RANGE="bytes=1000-1999")
    )
    assert response.status_code == 206 and response["Content-Range"] == f"bytes 1000-1999/{len(video)}"
    assert b"".join(response.streaming_content) == video[1000:2000]
    whole = file_response(field, name="bai-giang.mp4", inline=True, request=rf.get("/"))
    assert whole.status_code == 200 and int(whole["Content-Length"]) == len(video)
    assert b"".join(whole.streaming_content) == video
    assert whole["X-Content-Type-Options"] == "nosniff"


def _field(storage, name):
    """A stored file as a model field hands it to file_response."""
    from django.db.models.fields.files import FieldFile

    field = MaterialVersion._meta.get_field("file")
    version = MaterialVersion()
    file = FieldFile(version, field, name)
    file.storage = storage
    return file


# --- through the views: the permission check comes first ------------------------------------------------------


@pytest.fixture
def on_s3(s3, monkeypatch):
    """The library's files on the object storage (a model field holds its storage from start-up)."""
    monkeypatch.setattr(MaterialVersion._meta.get_field("file"), "storage", s3)
    return s3


def test_the_library_download_checks_permission_before_any_signed_url(client, tree, people, on_s3):  # noqa: F811
    material = make_material(author=people.teacher, unit=tree.g1, file_name="phan-so.pdf", content=b"%PDF-1.4 x")
    version = material.live_version
    assert on_s3.exists(version.file.name)
    url = reverse("materials:download", args=[material.pk])
    # Out of scope: a 404 and no link to the store.
    login(client, people.other_school)
    response = client.get(url)
    assert response.status_code == 404 and "X-Amz-Signature" not in response.get("Location", "")
    client.logout()
    assert client.get(url).status_code == 302 and "X-Amz" not in client.get(url)["Location"]  # to the login page
    # In scope: redirected to the store, and the download is counted.
    login(client, people.teacher2)
    response = client.get(url)
    assert response.status_code == 302 and "X-Amz-Signature=" in response["Location"]
    status, headers, body = _fetch(response["Location"])
    assert status == 200 and body == b"%PDF-1.4 x" and headers["Content-Type"] == "application/pdf"
    material.refresh_from_db()
    assert material.download_count == 1


def test_a_simulation_package_keeps_its_sandboxed_origin_on_object_storage(client, tree, people, on_s3):  # noqa: F811
    content = package({"index.html": b"<script src='app.js'></script>", "app.js": b"parent.document.cookie"})
    material = make_material(
        author=people.teacher, unit=tree.g1, kind=Kind.SIMULATION, file_name="con-lac.zip", content=content
    )
    login(client, people.teacher2)
    url = client.get(reverse("materials:detail", args=[material.pk])).context["package_url"]
    assert url.startswith("/")  # the portal's own address, never the store's
    for name, body in (("index.html", b"<script src='app.js'></script>"), ("app.js", b"parent.document.cookie")):
        response = type(client)().get(url.rsplit("/", 1)[0] + "/" + name)
        assert response.status_code == 200 and response.content == body
        assert response["Content-Security-Policy"] == "sandbox allow-scripts"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_readiness_checks_the_object_storage(client, s3):
    response = client.get("/readyz")
    checks = response.json()["checks"]
    assert checks["storage:private"]["status"] == "ok" and checks["storage:default"]["status"] == "ok"
    assert KEY not in response.content.decode() and SECRET not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_readiness_fails_when_the_object_storage_cannot_be_written(client, s3, settings):
    gone = {
        **settings.STORAGES["private"],
        "OPTIONS": {**settings.STORAGES["private"]["OPTIONS"], "bucket_name": "gone"},
    }
    settings.STORAGES = {**settings.STORAGES, "private": gone}
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.json()["checks"]["storage:private"]
    assert check["status"] == "fail" and "gone" not in json.dumps(check) and SECRET not in response.content.decode()


def test_the_ranged_reader_alone():
    class FakeObject:
        data = b"0123456789" * 10

        def get(self, Range):
            start, end = (int(x) for x in Range.removeprefix("bytes=").split("-"))
            return {"Body": io.BytesIO(self.data[start : end + 1])}

    reader = io.BufferedReader(RangedObjectReader(FakeObject(), 100), buffer_size=16)
    assert reader.read(5) == b"01234"
    reader.seek(-3, io.SEEK_END)
    assert reader.read() == b"789"
    reader.seek(95)
    assert reader.read(50) == b"56789"
    assert reader.read(1) == b""
