"""Vietnamese is the default language: every string of ours (and every allauth string that reaches
our pages) has a Vietnamese translation, none left fuzzy."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po",
    ROOT / "locale_thirdparty" / "vi" / "LC_MESSAGES" / "django.po",
]


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-4])
def test_vietnamese_catalogue_is_complete(po):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed (make installs it)"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "translated message" in result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
