import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_env(tmp_path):
    """The environment a production process gets: the required settings, nothing borrowed from the test run
    but the database (a file of its own when the tests run on SQLite) and Redis."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "truonghoc.settings.production",
            "SECRET_KEY": "ops-test-" + "s3cr3t-" * 8,
            "ALLOWED_HOSTS": "truonghocketnoi.example.vn,127.0.0.1",
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}"),
            "STATIC_ROOT": str(tmp_path / "staticfiles"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "PRIVATE_ROOT": str(tmp_path / "private"),
        }
    )
    env.pop("DEBUG", None)
    return env
