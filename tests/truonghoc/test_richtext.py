"""The one sanitiser of rich texts (what the editor makes survives, nothing else), the display filter
(older plain text keeps its line breaks), the editor widget, and the excerpts notifications quote: never
cut inside a formula, delimiters dropped where nothing renders them."""

import json
import re
from html import unescape

import pytest
from django import forms
from django.template import Context, Template

from truonghoc.forms import BootstrapFormMixin, RichTextWidget
from truonghoc.richtext import clean_html, excerpt, html_has_text, html_text, plain_math

EDITOR_OUTPUT = (
    "<h2>Kế hoạch</h2><h3>Mục 1</h3><h4>Ý nhỏ</h4>"
    "<p><strong>đậm</strong> <b>đậm 2</b> <em>nghiêng</em> <i>nghiêng 2</i> <u>gạch</u><br>dòng mới</p>"
    "<ol><li>một</li><li>hai</li></ol><ul><li>chấm</li></ul><blockquote>trích</blockquote>"
)


def test_everything_the_editor_makes_is_kept():
    assert clean_html(EDITOR_OUTPUT) == EDITOR_OUTPUT


@pytest.mark.parametrize(
    ("raw", "bad"),
    [
        ("<p>Hi<script>alert(1)</script></p>", ("<script", "alert(1)")),
        ('<p onclick="alert(1)">Hi</p>', ("onclick", "alert(1)")),
        ('<a href="javascript:alert(1)">Hi</a>', ("javascript:", "href")),
        ('<a href="JaVaScRiPt:alert(1)">Hi</a>', ("javascript", "href")),
        ('<a href="data:text/html,<b>x</b>">Hi</a>', ("data:", "href")),
        ('<p style="color:red">Hi</p><style>p{color:red}</style>', ("style", "color")),
        ('<img src=x onerror="alert(1)">Hi', ("<img", "onerror")),
        ("<iframe src='//evil'></iframe>Hi", ("<iframe", "evil")),
        ('<span class="x">Hi</span>', ("<span", "class")),
    ],
)
def test_scripts_handlers_styles_and_bad_links_are_removed(raw, bad):
    cleaned = clean_html(raw)
    for fragment in bad:
        assert fragment not in cleaned.lower()
    assert "Hi" in cleaned


def test_only_the_allowed_tags_survive_with_their_text():
    cleaned = clean_html("<h1>Lớn</h1><h5>Nhỏ</h5><pre><code>x = 1</code></pre><table><tr><td>ô</td></tr></table>")
    for tag in ("<h1", "<h5", "<pre", "<code", "<table", "<td"):
        assert tag not in cleaned
    for text in ("Lớn", "Nhỏ", "x = 1", "ô"):
        assert text in cleaned


def test_links_keep_only_a_safe_href_and_open_safely():
    cleaned = clean_html(
        '<p><a href="https://moet.gov.vn" target="_blank" rel="opener" title="t">Bộ</a> '
        '<a href="mailto:so@hanam.edu.vn">thư</a></p>'
    )
    assert '<a href="https://moet.gov.vn" rel="noopener nofollow">Bộ</a>' in cleaned
    assert '<a href="mailto:so@hanam.edu.vn" rel="noopener nofollow">thư</a>' in cleaned
    assert "target" not in cleaned and "title" not in cleaned and 'opener"' not in cleaned


def test_plain_text_becomes_paragraphs_with_its_line_breaks():
    assert clean_html("Dòng 1\r\nDòng 2\n\nĐoạn 2: a < b & c") == (
        "<p>Dòng 1<br>Dòng 2</p>\n\n<p>Đoạn 2: a &lt; b &amp; c</p>"
    )


def test_the_editors_non_breaking_spaces_become_spaces_so_text_wraps():
    assert clean_html("<p>Học&nbsp;sinh&nbsp;lớp&nbsp;6</p>") == "<p>Học sinh lớp 6</p>"


def test_nfd_text_is_stored_nfc():
    assert clean_html("<p>Toa\u0301n</p>") == "<p>Toán</p>"


def test_html_text_and_has_text():
    assert html_text("<h2>Tiêu đề</h2><p>a &amp; b<br>c</p><ul><li>x</li><li>y</li></ul>") == "Tiêu đề\na & b\nc\nx\ny"
    assert html_text("a < b\n\n  c  ") == "a < b\nc"
    assert not html_has_text("<p><br></p><p>&nbsp;</p><script>x</script>")
    assert html_has_text("<p>x</p>")


def _render(value) -> str:
    return Template("{% load richtext %}{{ value|rich_text }}").render(Context({"value": value}))


def test_display_filter_sanitises_again_and_keeps_old_plain_text_readable():
    assert _render("<p><strong>đậm</strong><script>alert(1)</script></p>") == "<p><strong>đậm</strong></p>"
    assert _render("Dòng 1\nDòng 2: a < b") == "<p>Dòng 1<br>Dòng 2: a &lt; b</p>"
    assert _render('<a href="javascript:alert(1)" onclick="x()">a</a>') == '<a rel="noopener nofollow">a</a>'
    assert _render("") == ""


class _Form(BootstrapFormMixin, forms.Form):
    body = forms.CharField(widget=RichTextWidget(attrs={"rows": 5}))


def test_widget_is_a_textarea_that_the_editor_takes_over():
    html = str(_Form(initial={"body": "<p><strong>x</strong></p>"})["body"])
    assert html.startswith("<textarea") and 'rows="5"' in html and 'class="form-control"' in html
    assert 'data-rich-text="1"' in html
    assert "vendor/quill/quill.js" in html and "vendor/quill/quill.snow.css" in html
    assert "&lt;p&gt;&lt;strong&gt;x&lt;/strong&gt;&lt;/p&gt;" in html  # the textarea still holds the text


def test_widget_labels_are_translated():
    from django.utils import translation

    with translation.override("vi"):
        html = str(_Form()["body"])
    labels = json.loads(unescape(re.search(r'data-editor-labels="([^"]*)"', html).group(1)))
    assert labels["bold"] == "In đậm" and labels["bullet"] == "Danh sách gạch đầu dòng"


# --- excerpts quoted by notifications ----------------------------------------------------------


def test_short_text_is_kept_whole_with_spaces_tidied():
    assert excerpt("  Tính \\(x^2\\)\n nhé ", 50) == "Tính \\(x^2\\) nhé"


def test_cut_at_a_space_with_an_ellipsis():
    text = "Một hai ba bốn năm sáu bảy tám chín mười"
    result = excerpt(text, 20)
    assert result == "Một hai ba bốn năm…" and len(result) <= 20


@pytest.mark.parametrize(
    "formula",
    ["\\(\\frac{a+b}{c} = \\sqrt{x^2 + 1}\\)", "$\\frac{a+b}{c} = \\sqrt{x^2+1}$", "$$\\int_0^1 x\\,dx = \\frac12$$"],
)
def test_a_formula_that_does_not_fit_is_left_out_whole(formula):
    text = f"Cho biểu thức {formula} và tính giá trị của nó khi x bằng 2."
    for limit in range(16, len(text)):
        result = excerpt(text, limit)
        assert len(result) <= limit
        assert formula in result or formula[:3] not in result, (limit, result)
    assert excerpt(text, 20) == "Cho biểu thức…"


def test_a_space_inside_a_formula_is_never_the_cut():
    text = "Ta có \\(a + b + c + d\\)kết-thúc-rất-dài-không-có-khoảng-trắng"
    result = excerpt(text, 30)
    assert result == "Ta có \\(a + b + c + d\\)…"


def test_a_literal_dollar_is_not_a_formula():
    assert excerpt("Giá 5\\$ một quyển, 7\\$ hai quyển và còn nữa", 25) == "Giá 5\\$ một quyển, 7\\$…"


def test_plain_math_drops_the_delimiters():
    assert plain_math("Tính \\(x^2\\), $y$ và $$z$$ hoặc \\[w\\]; giá 5\\$") == "Tính x^2, y và z hoặc w; giá 5\\$"
