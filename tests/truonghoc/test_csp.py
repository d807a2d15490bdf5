"""Issue #14, point 9: the Content-Security-Policy. Pages carry a policy that runs only the portal's own
scripts and styles (no 'unsafe-inline' or 'unsafe-eval' for scripts); no template or rendered page holds
inline code the policy would block (an inline <script>, an on…= or hx-on attribute, a style attribute);
simulation packages keep their own sandbox policy."""

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from courses.models import Section
from forums.services import forum_for_unit, thread_create
from materials.models import Attempt
from reports.services import stats_recompute
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_course, make_section
from tests.materials.factories import make_question, make_quiz
from tests.materials.test_library import PDF, make_material, package, package_url_of
from tests.materials.test_results import ESSAY, hand_in
from tests.publications.test_front import make_article
from tests.publications.test_letters import make_letter
from units.models import Role
from units.periods import all_time

TEMPLATES = Path(settings.BASE_DIR) / "templates"
EXPECTED = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
    "connect-src": "'self'",
    "frame-src": "'self'",
}


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict(response):
    directives = policy(response)
    for name, value in EXPECTED.items():
        assert directives.get(name) == [value], (name, directives.get(name))
    for name in ("script-src", "style-src"):
        sources = directives[name]
        assert sources[0] == "'self'", sources
        assert all(s == "'self'" or s.startswith("'nonce-") for s in sources), (name, sources)
    assert all("'unsafe-eval'" not in sources for sources in directives.values())
    # Only style ATTRIBUTES may be inline (KaTeX writes some); never a <style> element or a script.
    assert directives.get("style-src-attr") == ["'unsafe-inline'"]
    assert "style-src-elem" not in directives and "script-src-elem" not in directives
    assert directives["img-src"] == ["'self'", "data:", "blob:"] and directives["font-src"] == ["'self'", "data:"]


# --- the header --------------------------------------------------------------------------------------


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        teacher=complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An")),
        teacher2=complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Trần Thị Bình")),
        student=complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Minh Em")),
        admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, account_type="staff", full_name="Mai Văn Kiên"),
        dept=make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, full_name="Kiều Thị Nga"),
    )


@pytest.fixture
def site(tree, people):
    """One of everything the main pages show: a course with a PDF section (teacher An, student Em
    enrolled), an approved library item, a question, an open test Em is taking and an exam she handed
    in, a thread, a letter, a news article and computed participation figures."""
    course = make_course(unit=tree.s1, author=people.teacher, title="Bồi dưỡng GDPT 2018")
    make_section(
        course=course, title="Tài liệu", file=ContentFile(PDF, name="tai-lieu.pdf"), file_name="tai-lieu.pdf",
        file_kind=Section.FileKind.PDF,
    )  # fmt: skip
    enrol(course=course, user=people.student)
    material = make_material(author=people.teacher, unit=tree.g1, file_name="de-cuong.pdf", content=PDF)
    question = make_question(author=people.teacher, unit=tree.g1, stem="Tính \\(\\frac{1}{2} + \\frac{1}{3}\\)")
    essay = make_question(author=people.teacher, unit=tree.g1, **ESSAY)
    exam = make_quiz(author=people.teacher, unit=tree.g1, questions=[question, essay], classes=[tree.c1])
    done = hand_in(exam, people.student, [(question, 0), (essay, "Ý một\nÝ hai")])
    open_quiz = make_quiz(
        author=people.teacher, unit=tree.g1, questions=[make_question(author=people.teacher, unit=tree.g1)],
        classes=[tree.c1], title="Luyện tập", time_limit=20,
    )  # fmt: skip
    taking = Attempt.objects.create(
        quiz=open_quiz, student=people.student, number=1, status=Attempt.Status.IN_PROGRESS, started_at=done.started_at
    )
    forum = forum_for_unit(unit=tree.g1)
    thread = thread_create(actor=people.teacher, forum=forum, title="Dạy học theo dự án", body="Mở đầu.")
    letter = make_letter(actor=people.dept, issuer=tree.dept_a, units=[tree.s1])
    article = make_article(unit=tree.s1, author=people.teacher, title="Lễ khai giảng")
    stats_recompute(periods=[all_time()])
    return {
        "tree": tree, "course": course, "material": material, "question": question, "exam": exam, "done": done,
        "taking": taking, "thread": thread, "letter": letter, "article": article,
    }  # fmt: skip


MAIN_PAGES = [
    (None, lambda s: reverse("account_login")),
    ("teacher", lambda s: reverse("home")),
    ("teacher", lambda s: reverse("courses:course", args=[s["course"].pk])),
    ("teacher", lambda s: reverse("materials:detail", args=[s["material"].pk])),
    ("teacher", lambda s: reverse("materials:library")),
    ("dept", lambda s: reverse("reports:dashboard", args=[s["tree"].dept_a.pk])),
]


@pytest.mark.parametrize(("who", "url"), MAIN_PAGES)
def test_main_pages_carry_the_policy_without_unsafe_script_sources(client, people, site, who, url):
    if who:
        client.force_login(getattr(people, who))
    response = client.get(url(site))
    assert response.status_code == 200
    assert_strict(response)


def test_the_policy_applies_to_refusals_and_htmx_partials_too(client, people, site):
    client.force_login(people.student)
    refused = client.get(reverse("materials:results", args=[site["exam"].pk]))
    assert refused.status_code in (403, 404)
    assert_strict(refused)
    client.force_login(people.teacher)
    partial = client.get(reverse("materials:uses_search"), {"q": "phân số"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert_strict(partial)


def test_a_pdf_is_served_without_the_pages_policy_so_the_browsers_viewer_opens_it(client, people, site):
    client.force_login(people.teacher)
    response = client.get(reverse("materials:file", args=[site["material"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response.headers
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_simulation_packages_keep_their_own_sandbox_policy(client, tree, people):
    simulation = make_material(
        author=people.teacher,
        unit=tree.g1,
        title="Mô phỏng con lắc",
        kind="simulation",
        file_name="con-lac.zip",
        content=package({"index.html": b"<script src='app.js'></script>", "app.js": b"1"}),
    )
    client.force_login(people.teacher2)
    page = client.get(reverse("materials:detail", args=[simulation.pk]))
    assert_strict(page)
    assert 'sandbox="allow-scripts"' in page.text
    url = package_url_of(client, simulation)
    for name in ("index.html", "app.js"):
        response = type(client)().get(url.rsplit("/", 1)[0] + "/" + name)
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"] == "sandbox allow-scripts"


def test_a_nonce_appears_in_the_header_only_when_a_page_uses_it(rf):
    from django.http import HttpResponse
    from django.template import engines

    from truonghoc.middleware import CSPMiddleware

    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}" src="/static/x.js"></script>')
    request = rf.get("/")
    middleware = CSPMiddleware(lambda r: HttpResponse(template.render({}, r)))
    response = middleware(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    plain = CSPMiddleware(lambda r: HttpResponse("<p>x</p>"))(rf.get("/"))
    assert "nonce-" not in plain["Content-Security-Policy"]


# --- no inline code in the templates (a cheap guard for every template) ---------------------------------

TAG = re.compile(r"<[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>", re.S)
DJANGO = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)


def template_problems(text: str) -> list[str]:
    problems = []
    text = DJANGO.sub(" ", text)
    for match in TAG.finditer(text):
        tag = match.group(0)
        name = re.match(r"<([a-zA-Z0-9-]+)", tag).group(1).lower()
        attributes = re.findall(r"\s([a-zA-Z:@._-]+)\s*=", tag) + re.findall(r"\s([a-zA-Z:@._-]+)(?=[\s>])", tag)
        if name == "script" and "src" not in attributes and not re.search(r"type=[\"']application/json", tag):
            problems.append(f"inline script: {tag[:80]}")
        for attribute in attributes:
            lower = attribute.lower()
            if re.fullmatch(r"on[a-z]+", lower) or lower.startswith(("hx-on", "data-hx-on")) or lower == "style":
                problems.append(f"{attribute}= in {tag[:80]}")
    if re.search(r"<style[\s>]", text):
        problems.append("a <style> element")
    return problems


def test_the_guard_finds_each_kind_of_inline_code():
    assert template_problems("<script>alert(1)</script>")
    assert template_problems('<button onclick="go()">')
    assert template_problems('<form hx-on::after-request="x()">')
    assert template_problems('<div style="width: 5%">')
    assert template_problems("<style>p{}</style>")
    assert not template_problems("<script src=\"{% static 'js/site.js' %}\"></script>")
    assert not template_problems('<script type="application/json" id="x">{}</script>')
    assert not template_problems('<div data-confirm="{% translate \'Go on?\' %}" data-progress="{{ p }}">')
    assert not template_problems("<p>{% blocktranslate with one=x %}Done{% endblocktranslate %}</p>")


def test_no_template_holds_inline_scripts_handlers_or_styles():
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        problems = template_problems(path.read_text(encoding="utf-8"))
        if problems:
            found[str(path.relative_to(TEMPLATES))] = problems
    assert not found, found


# --- no inline code in the rendered pages ----------------------------------------------------------------


class PageProblems(HTMLParser):
    """Inline scripts, on…= / hx-on / style attributes and <style> elements of a rendered page, and its
    links to other pages of the site."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = [name.lower() for name, _value in attrs]
        values = dict(attrs)
        if tag == "script" and "src" not in names and values.get("type") != "application/json":
            self.problems.append(f"inline script {attrs}")
        if tag == "style":
            self.problems.append("a <style> element")
        for name in names:
            if re.fullmatch(r"on[a-z]+", name) or name.startswith(("hx-on", "data-hx-on")) or name == "style":
                self.problems.append(f"{name}= on <{tag}>")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])


SKIP = ("/quan-tri/", "/static/", "/media/", "/i18n/", "/tai-khoan/logout/")


def crawl(client, seeds, limit=120) -> tuple[dict[str, list[str]], int]:
    """Every page reachable from `seeds` through the site's links (up to `limit` pages; at most three
    query strings per path), with the problems each HTML page holds."""
    queue, seen, per_path, found, pages = list(seeds), set(), {}, {}, 0
    while queue and pages < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
            continue
        key = parts.path + ("?" + parts.query if parts.query else "")
        if key in seen or per_path.get(parts.path, 0) >= 3:
            continue
        seen.add(key)
        per_path[parts.path] = per_path.get(parts.path, 0) + 1
        response = client.get(key)
        if not response.get("Content-Type", "").startswith("text/html") or response.status_code >= 300:
            continue
        pages += 1
        assert "Content-Security-Policy" in response.headers, key
        parser = PageProblems()
        parser.feed(response.content.decode())
        if parser.problems:
            found[key] = parser.problems
        queue.extend(parser.links)
    return found, pages


def test_pages_that_had_inline_code_render_without_it(client, tree, people, site):
    """The pages that had inline scripts or handlers before the policy, each rendered."""
    pages = {
        "teacher": [
            reverse("materials:new"),
            reverse("materials:question_new"),
            reverse("materials:question_edit", args=[site["question"].pk]),
            reverse("materials:results", args=[site["exam"].pk]) + "?tab=summary",
            reverse("materials:results", args=[site["exam"].pk]) + "?tab=items",
            reverse("materials:quiz_detail", args=[site["exam"].pk]),
            reverse("materials:history", args=[site["material"].pk]),
            reverse("courses:course", args=[site["course"].pk]),
            reverse("courses:progress", args=[site["course"].pk]),
            reverse("courses:mine"),
            reverse("forums:thread", args=[site["thread"].pk]),
            reverse("news:detail", args=[site["article"].pk]),
            reverse("home"),
        ],
        "student": [
            reverse("materials:attempt_take", args=[site["taking"].pk]),
            reverse("materials:attempt_done", args=[site["done"].pk]),
            reverse("home"),
        ],
        "admin": [
            reverse("accounts:account_new", args=[tree.s1.pk]),
            reverse("accounts:school_accounts", args=[tree.s1.pk]),
            reverse("accounts:account_detail", args=[people.teacher.pk]),
            reverse("units:audit", args=[tree.s1.pk]),
        ],
        "dept": [
            reverse("reports:dashboard", args=[tree.dept_a.pk]),
            reverse("reports:print", args=[tree.dept_a.pk]),
            reverse("letters:new"),
            reverse("letters:issue", args=[site["letter"].pk]),
            reverse("letters:remind", args=[site["letter"].pk]),
            reverse("publications:new"),
        ],
    }
    for who, urls in pages.items():
        client.force_login(getattr(people, who))
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (who, url, response.status_code)
            parser = PageProblems()
            parser.feed(response.content.decode())
            assert not parser.problems, (who, url, parser.problems)
    # The moved behaviours are declared for the site's own scripts instead.
    client.force_login(people.teacher)
    html = client.get(reverse("courses:course", args=[site["course"].pk])).text
    assert "data-confirm=" in html and 'src="/static/js/site.js"' in html
    # object-src 'none': the section's PDF is framed (frame-src 'self'), not an <object>.
    assert "<object" not in html and re.search(r'<iframe [^>]*data-testid="section-pdf"', html)
    client.force_login(people.dept)
    html = client.get(reverse("reports:dashboard", args=[tree.dept_a.pk])).text
    assert 'src="/static/js/charts.js"' in html and "data-autosubmit" in html


@pytest.mark.parametrize("who", ["teacher", "student", "admin", "dept"])
def test_every_page_reachable_from_home_renders_without_inline_code(client, people, site, who):
    user = getattr(people, who)
    client.force_login(user)
    seeds = [reverse("home"), reverse("accounts:profile"), reverse("notifications:list")]
    if who == "teacher":
        seeds += [reverse("courses:course", args=[site["course"].pk]), reverse("materials:quiz_list")]
    found, pages = crawl(client, seeds)
    assert pages >= 15, pages
    assert not found, found
