"""Object storage (issue #19, point 2): what a simulation package's member and a video's range cost on an
S3-compatible store, read by ranges (truonghoc/storage_s3.py) against django-storages' own file object, which
downloads the whole object first. Against moto's S3 server on this machine (a real store adds its network).

Figures: per read, the ms (p50 of N) and the bytes fetched from the store.
Usage: python bench/bench_storage.py [--package-mb 50] [--repeat 5]
Needs boto3, django-storages and moto (requirements-dev.txt); says so and stops without them."""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truonghoc.settings.test")

KEY, SECRET, BUCKET = "bench-key", "bench-secret-0123456789", "truonghoc-bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto(port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("moto_server did not start") from None
            time.sleep(0.2)


def package_bytes(megabytes: int) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("index.html", b"<script src='app.js'></script>")
        archive.writestr("app.js", b"console.log('con lac');" * 100)
        archive.writestr("media/video.bin", os.urandom(megabytes * 1024 * 1024))
    return buffer.getvalue()


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--package-mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    try:
        import boto3  # noqa: F401
        import moto.server
        import storages.backends.s3  # noqa: F401
    except ImportError as error:
        print(f"  skipped: {error.name} is not installed (pip install -r requirements-dev.txt)")
        return

    import django

    django.setup()
    from urllib.parse import urlparse

    from django.core.files.base import ContentFile
    from storages.backends.s3 import S3Storage

    from truonghoc.storage import file_storages
    from truonghoc.storage_s3 import PrivateS3Storage

    port = free_port()
    moto = start_moto(port)
    try:
        options = file_storages(urlparse(f"s3+http://{KEY}:{SECRET}@127.0.0.1:{port}/{BUCKET}"))["private"]["OPTIONS"]
        ours, theirs = PrivateS3Storage(**options), S3Storage(**options)
        ours.connection.meta.client.create_bucket(Bucket=BUCKET)
        content = package_bytes(args.package_mb)
        name = ours.save("bench/package.zip", ContentFile(content))
        size_mb = len(content) / 1024 / 1024
        print(f"  a {size_mb:.0f} MB simulation package on moto's S3 server; p50 of {args.repeat} reads")

        def member(storage):
            def read():
                with storage.open(name, "rb") as handle, zipfile.ZipFile(handle) as archive:
                    data = archive.read("app.js")
                    raw = getattr(getattr(handle, "file", None), "raw", None)
                    fetched = raw.gets if hasattr(raw, "gets") else None
                return len(data), fetched

            return read

        def video_range(storage):
            def read():
                with storage.open(name, "rb") as handle:
                    handle.seek(len(content) // 2)
                    return len(handle.read(1024 * 1024)), None

            return read

        for label, storage in (("by ranges (ours)", ours), ("whole object (django-storages' S3File)", theirs)):
            ms, (_length, gets) = timed(member(storage), args.repeat)
            fetched = f"{gets} ranged GETs" if gets is not None else f"{size_mb:.0f} MB downloaded"
            print(f"  one 2 KB package member, {label}: {ms:.1f} ms ({fetched})")
            ms, _ = timed(video_range(storage), args.repeat)
            print(f"  a 1 MB range of the middle, {label}: {ms:.1f} ms")
        signed_ms, _ = timed(lambda: ours.signed_url(name, filename="goi.zip", content_type="application/zip"), 50)
        print(f"  a download's signed URL (the 302 instead of streaming): {signed_ms:.2f} ms, no bytes through the web")
    finally:
        moto.terminate()
        moto.wait(timeout=30)


if __name__ == "__main__":
    main()
