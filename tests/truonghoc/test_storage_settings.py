"""STORAGE_URL (truonghoc.storage.file_storages): the local disk by default, one clear scheme for S3-compatible
object storage, a clear refusal of anything else; the storage client never logs below WARNING by default.
Needs no S3 library (tests/truonghoc/test_storage_s3.py runs against a real local endpoint)."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from truonghoc.storage import file_storages


def parsed(url: str):
    """What settings do with STORAGE_URL: django-environ's `env.url` (a urlparse) handed to file_storages."""
    return file_storages(urlparse(url), signed_url_seconds=45)


def test_without_storage_url_files_stay_on_the_local_disk():
    assert file_storages(None) == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "truonghoc.storage.PrivateFileSystemStorage"},
    }
    # What the test run itself uses (no STORAGE_URL): the disk.
    assert settings.STORAGES["private"]["BACKEND"] == "truonghoc.storage.PrivateFileSystemStorage"
    assert settings.OBJECT_STORAGE is False


def test_an_s3_url_gives_one_bucket_with_media_and_private_prefixes_and_short_signed_urls():
    storages = parsed("s3://AKIAEXAMPLE:wJalr%2FXUtn%2BFEMI@minio.example.vn:9000/truonghoc?region=ap-southeast-1")
    media, private = storages["default"], storages["private"]
    assert media["BACKEND"] == "truonghoc.storage_s3.MediaS3Storage"
    assert private["BACKEND"] == "truonghoc.storage_s3.PrivateS3Storage"
    options = private["OPTIONS"]
    assert options["bucket_name"] == "truonghoc"
    assert (options["access_key"], options["secret_key"]) == ("AKIAEXAMPLE", "wJalr/XUtn+FEMI")  # percent-decoded
    assert options["endpoint_url"] == "https://minio.example.vn:9000"
    assert options["region_name"] == "ap-southeast-1"
    assert options["addressing_style"] == "path"
    assert (media["OPTIONS"]["location"], options["location"]) == ("media", "private")
    # Nothing public: no ACL of its own, every URL signed and short-lived, no file silently replaced.
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["querystring_expire"] == 45
    assert options["file_overwrite"] is False


def test_a_local_endpoint_over_http_and_aws_itself():
    local = parsed("s3+http://minio:minio123@127.0.0.1:9000/bucket")["private"]["OPTIONS"]
    assert local["endpoint_url"] == "http://127.0.0.1:9000"
    aws = parsed("s3:///truonghoc-media?region=ap-southeast-1")["private"]["OPTIONS"]
    # No host: AWS's own endpoint; no key: the usual AWS chain (environment, instance role).
    assert aws["endpoint_url"] is None and aws["access_key"] is None and aws["secret_key"] is None
    assert aws["addressing_style"] is None


@pytest.mark.parametrize(
    "url",
    ["ftp://k:s@host/bucket", "s3://k:s@host", "s3://k:s@host/", "s3://k:s@host/bucket/folder", "http://host/b"],
)
def test_a_storage_url_that_cannot_work_refuses_to_start(url):
    with pytest.raises(ImproperlyConfigured, match="STORAGE_URL must read s3://"):
        parsed(url)


def test_the_storage_client_does_not_log_its_signed_requests():
    for name in ("boto3", "botocore", "s3transfer", "urllib3", "storages"):
        assert settings.LOGGING["loggers"][name]["level"] == "WARNING", name
    # production.py refuses STORAGE_LOG_LEVEL=DEBUG with STORAGE_URL: tests/ops/test_production_settings.py.
