"""Formulas in question texts: finding them between their delimiters, and KaTeX's verdict on each
(materials.latex, run with the KaTeX the portal serves)."""

import pytest

from materials import latex
from materials.latex import Formula, check_texts, find_formulas, plain_text

pytestmark = pytest.mark.usefixtures("in_english")


def check_text(text: str, *, html: bool = False) -> list[str]:
    """One text's problems: what check_texts says of it when sent alone."""
    return check_texts([text], html=html)[0]


# --- delimiters --------------------------------------------------------------------------------


def test_the_four_delimiters():
    formulas, problems = find_formulas(r"Inline \(a+b\) and $c$, display \[x^2\] and $$\frac{1}{2}$$.")
    assert problems == []
    assert formulas == [
        Formula("a+b", False),
        Formula("c", False),
        Formula("x^2", True),
        Formula(r"\frac{1}{2}", True),
    ]


def test_double_dollar_is_one_display_formula_not_two_empty_ones():
    formulas, problems = find_formulas("$$x$$")
    assert formulas == [Formula("x", True)] and problems == []


def test_a_formula_may_span_lines():
    formulas, problems = find_formulas("Tính:\n$$\n\\int_0^1 x\\,dx\n$$\nxong.")
    assert problems == [] and formulas == [Formula("\\int_0^1 x\\,dx", True)]


def test_escaped_dollars_are_money_not_mathematics():
    formulas, problems = find_formulas(r"Giá 5\$ một quyển, 7\$ hai quyển.")
    assert formulas == [] and problems == []
    # ...and inside a formula the escaped dollar does not close it.
    formulas, problems = find_formulas(r"$5\$ + x$")
    assert formulas == [Formula(r"5\$ + x", False)] and problems == []


def test_unclosed_and_stray_delimiters_are_problems():
    _formulas, problems = find_formulas(r"Cho \(x + 1 mà không đóng")
    assert len(problems) == 1 and "never closed" in problems[0] and "\\)" in problems[0]
    _formulas, problems = find_formulas(r"Thừa dấu \) ở đây")
    assert len(problems) == 1 and "never opened" in problems[0]
    _formulas, problems = find_formulas("Giá $5 thôi")
    assert len(problems) == 1 and "“$”" in problems[0]


def test_empty_formulas_are_ignored_and_long_ones_refused():
    formulas, problems = find_formulas(r"\( \) và $$ $$")
    assert formulas == [] and problems == []
    _formulas, problems = find_formulas("$" + "x" * (latex.MAX_FORMULA_CHARS + 1) + "$")
    assert problems and "too long" in problems[0]


def test_html_entities_and_tags_are_read_as_text():
    assert plain_text("<p>a &lt; b &amp;&amp; c</p>") == "a < b && c"
    formulas, _problems = find_formulas(plain_text("<p>$a &lt; b$</p>"))
    assert formulas == [Formula("a < b", False)]
    assert check_text("<p>Biết $a &lt; b$ và $x &gt; 0$</p>", html=True) == []


# --- KaTeX -------------------------------------------------------------------------------------


def test_formulas_katex_reads_pass():
    texts = [
        r"\(\frac{1}{2} + \sqrt{3}\)",
        r"$$\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$$",
        r"\[\lim_{x \to 0} \frac{\sin x}{x} = 1\]",
        r"Phản ứng: \(\ce{2H2 + O2 -> 2H2O}\)",  # mhchem, for chemistry
        "Không có công thức nào.",
    ]
    assert check_texts(texts) == [[], [], [], [], []]


def test_katex_errors_name_the_formula_and_give_katex_message():
    problems = check_text(r"Tính \(\frac{1}{\) nhé")
    assert len(problems) == 1
    assert "“\\frac{1}{”" in problems[0] and "cannot be read" in problems[0]
    assert "KaTeX parse error" in problems[0]
    problems = check_text(r"$\foo{x}$")
    assert len(problems) == 1 and "Undefined control sequence" in problems[0] and "\\foo" in problems[0]


def test_one_batch_keeps_each_text_problems_apart():
    result = check_texts([r"$x^2$", r"$\frac{1$", "", r"$a$ và $\bad$"])
    assert result[0] == [] and result[2] == []
    assert len(result[1]) == 1 and "\\frac{1" in result[1][0]
    assert len(result[3]) == 1 and "\\bad" in result[3][0]


def test_delimiter_problems_and_katex_problems_together():
    problems = check_text(r"$\bad$ rồi \(x")
    assert any("never closed" in p for p in problems) and any("\\bad" in p for p in problems)


def test_katex_runs_untrusted_commands_as_text_only():
    # trust is off: \href and \url render as plain text, so a javascript: link cannot come out of a formula.
    assert check_text(r"$\href{javascript:alert(1)}{x}$") == []
    assert check_text(r"$\url{javascript:alert(1)}$") == []


def test_without_node_only_braces_are_checked(monkeypatch):
    monkeypatch.setattr(latex.shutil, "which", lambda name: None)
    assert check_text(r"$\foo{x}$") == []  # KaTeX is not there to know \foo
    problems = check_text(r"$\frac{1}{2$")
    assert len(problems) == 1 and "braces" in problems[0]


def test_a_broken_checker_falls_back_to_braces(monkeypatch, settings, tmp_path):
    settings.BASE_DIR = tmp_path  # no static/vendor/katex here
    assert check_text(r"$x^{2}$") == []
    assert "braces" in check_text(r"$x^{2$")[0]


def test_plain_text_formulas_with_angle_brackets_are_checked_whole():
    """ "<b$ và $c>" looks like a tag to an HTML stripper: plain question texts never go through one."""
    assert check_text(r"$a<b$ và $c>d$") == []
    problems = check_text(r"$a<b$ và $\frac{1}{$ rồi $c>d$")
    assert len(problems) == 1 and "frac" in problems[0]
