#!/usr/bin/env bash
# Copies the front-end libraries installed from the npm registry (package-lock.json) into
# static/vendor/, which Django serves itself: the portal must work on a school intranet with no
# internet, so pages never load anything from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/bootstrap ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
out=static/vendor
rm -rf "$out"
mkdir -p "$out/bootstrap" "$out/bootstrap-icons/fonts" "$out/htmx" "$out/chartjs" "$out/katex/fonts" "$out/quill"
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map "$out/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map "$out/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$out/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$out/bootstrap-icons/fonts/"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
# Every file a vendored CSS or JS file names (fonts, source maps) is copied beside it: collectstatic under
# the production settings (WhiteNoise's manifest storage) stops with MissingFileError on any it cannot find
# (tests/truonghoc/test_collectstatic.py).
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map "$out/chartjs/"
# KaTeX renders the question bank's LaTeX in the browser; the server checks formulas with the same
# katex.min.js under node (materials/latex.py). Browsers read the woff2 (or woff) fonts; the .ttf ones
# are copied because katex.min.css names them too.
cp node_modules/katex/dist/katex.min.css node_modules/katex/dist/katex.min.js "$out/katex/"
cp node_modules/katex/dist/contrib/auto-render.min.js node_modules/katex/dist/contrib/mhchem.min.js "$out/katex/"
cp node_modules/katex/dist/fonts/*.woff2 node_modules/katex/dist/fonts/*.woff node_modules/katex/dist/fonts/*.ttf "$out/katex/fonts/"
# Quill 2 is the rich-text editor of posts, letters, news and course texts (truonghoc.forms.RichTextWidget):
# the snow theme's toolbar; the server sanitises whatever it sends (truonghoc.richtext.clean_html).
cp node_modules/quill/dist/quill.js node_modules/quill/dist/quill.js.map node_modules/quill/dist/quill.snow.css \
  node_modules/quill/dist/quill.snow.css.map "$out/quill/"
echo "front-end libraries copied to $out"
