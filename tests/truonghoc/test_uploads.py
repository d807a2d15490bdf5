import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings
from PIL import Image

from truonghoc.uploads import check_upload, files_removed_on_failure, refused_uploads_error, sniff


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"%PDF-1.7\n...", "pdf"), (MP4, "mp4"), (b"\x1a\x45\xdf\xa3" + b"\0" * 20, "webm"), (b"hello", None)],
)
def test_sniff_by_content(content, expected):
    assert sniff(io.BytesIO(content)) == expected


def test_png_is_recognised():
    assert sniff(io.BytesIO(png_bytes())) == "png"


def test_check_accepts_and_refuses_with_reasons():
    ok = check_upload(SimpleUploadedFile("bài giảng.mp4", MP4), allowed=["mp4", "pdf"], max_bytes=10_000)
    assert (ok.name, ok.extension, ok.family) == ("bài giảng.mp4", "mp4", "video")
    with pytest.raises(ValidationError) as empty:
        check_upload(SimpleUploadedFile("a.pdf", b""), allowed=["pdf"], max_bytes=100)
    assert empty.value.code == "empty"
    with pytest.raises(ValidationError) as big:
        check_upload(SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 200), allowed=["pdf"], max_bytes=100)
    assert big.value.code == "too_big"
    with pytest.raises(ValidationError) as wrong:
        check_upload(SimpleUploadedFile("a.exe", b"MZ"), allowed=["pdf"], max_bytes=100)
    assert wrong.value.code == "wrong_type"
    with pytest.raises(ValidationError) as renamed:
        check_upload(SimpleUploadedFile("a.pdf", MP4), allowed=["pdf"], max_bytes=10_000)
    assert "MP4" in renamed.value.messages[0]


def test_files_removed_when_the_block_fails(tmp_path):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    with pytest.raises(RuntimeError), files_removed_on_failure(storage) as saved:
        saved.append(storage.save("x.txt", io.BytesIO(b"data")))
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []


@override_settings(UPLOAD_MAX_BYTES=1000)
def test_a_too_large_file_is_dropped_while_it_streams_in():
    request = RequestFactory().post(
        "/",
        {"small": SimpleUploadedFile("a.pdf", b"%PDF-" + b"1" * 10), "big": SimpleUploadedFile("video.mp4", MP4 * 50)},
    )
    request.upload_handlers  # noqa: B018 - built from settings.FILE_UPLOAD_HANDLERS
    files = request.FILES
    assert "small" in files and "big" not in files
    error = refused_uploads_error(request)
    assert error is not None and "video.mp4" in error.messages[0]


def test_sizes_read_in_the_active_language():
    from django.utils import translation

    from truonghoc.uploads import human_size

    with translation.override("vi"):
        assert human_size(45) == "45 B"
        assert human_size(2_045) == "2,0 KB"
        assert human_size(int(2.5 * 1024**2)) == "2,5 MB"
    with translation.override("en"):
        assert human_size(int(2.5 * 1024**2)) == "2.5 MB"
