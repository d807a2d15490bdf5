"""The README's first production step: collectstatic under the production settings (WhiteNoise's compressed
manifest storage, which stops on any file a CSS or JS file names that is not there)."""

import json
import subprocess
import sys

import pytest

from .conftest import ROOT

VENDOR = ROOT / "static" / "vendor"


@pytest.mark.skipif(not (VENDOR / "katex").is_dir(), reason="static/vendor is built by `make assets`")
def test_collectstatic_runs_under_the_production_settings(production_env, tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v1"],
        cwd=ROOT,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    static_root = tmp_path / "staticfiles"
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    # The files the vendoring used to leave out, now hashed and served: KaTeX's .ttf fonts and the maps.
    assert "vendor/katex/fonts/KaTeX_Main-Regular.ttf" in manifest
    assert "vendor/chartjs/chart.umd.min.js.map" in manifest
    # katex.min.css points at the hashed names of its fonts, and WhiteNoise has compressed it.
    css = (static_root / manifest["vendor/katex/katex.min.css"]).read_text()
    assert manifest["vendor/katex/fonts/KaTeX_Main-Regular.ttf"].rsplit("/", 1)[1] in css
    assert (static_root / (manifest["vendor/katex/katex.min.css"] + ".gz")).exists()
