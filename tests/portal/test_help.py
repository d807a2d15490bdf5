"""The help centre (issue #15, point 7): a guide per role with stable anchors, a "?" on the main pages that
opens an existing section, a search without accents, and empty states that say what to do next."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve, reverse

from portal import helpcentre
from tests.accounts.factories import make_person
from units.models import Role

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
HELP_LINK = re.compile(r"""\{%\s*help_link\s+["']([^"']+)["']""")
# A page about one unit names its section through the shared heading: {% include "units/unit_page_heading.html"
# with help="<section>" %}.
HEADING_HELP = re.compile(r"""\{%\s*include\s+["']units/unit_page_heading\.html["'][^%]*\bhelp=["']([^"']+)["']""")
# The main pages of the issue, each with its "?" (a template may name a learner's and a teacher's section).
MAIN_PAGES = [
    "portal/home.html",
    "courses/catalogue.html",
    "courses/catalogue_mine.html",
    "courses/course_detail.html",
    "courses/submission_form.html",
    "courses/submission_detail.html",
    "courses/grading_list.html",
    "materials/library.html",
    "materials/questions/question_list.html",
    "materials/quizzes/quiz_list.html",
    "materials/attempts/quiz_list.html",
    "accounts/account_new.html",
    "accounts/import_upload.html",
    "accounts/school_account_list.html",
    "publications/letter_inbox.html",
    "publications/news_list.html",
    "reports/dashboard.html",
    "units/unit_space.html",
]
# The pages issue #15 added (structure, clusters, people and roles, homerooms, unit import, school years, the
# rollover, group tasks), each with its "?".
ISSUE_15_PAGES = [
    "units/unit_structure.html",
    "units/unit_structure_form.html",
    "units/cluster_list.html",
    "units/unit_roles.html",
    "units/school_homerooms.html",
    "accounts/staff_account_new.html",
    "units/unit_import.html",
    "units/unit_import_batch.html",
    "units/school_years.html",
    "units/department_school_years.html",
    "units/school_year_form.html",
    "accounts/rollover.html",
    "reports/rollover_status.html",
    "courses/tasks/school_tasks.html",
    "courses/tasks/task_form.html",
    "courses/tasks/group_tasks.html",
    "courses/tasks/task_detail.html",
    "courses/tasks/my_tasks.html",
]
ROLE_GUIDES = {"quan-tri-truong", "hieu-truong", "to-truong", "giao-vien", "hoc-sinh", "phu-huynh", "can-bo-phong-so"}


def named_sections(root: Path) -> dict[str, set[str]]:
    """Every section a template's {% help_link %} names, with the templates that name it."""
    named: dict[str, set[str]] = {}
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for anchor in HELP_LINK.findall(text) + HEADING_HELP.findall(text):
            named.setdefault(anchor, set()).add(str(path.relative_to(root)))
    return named


def missing_sections(root: Path) -> dict[str, set[str]]:
    return {anchor: where for anchor, where in named_sections(root).items() if helpcentre.section(anchor) is None}


@pytest.fixture
def guides_from(monkeypatch, tmp_path):
    """Loads the guides of a temporary folder instead of portal/help (the cache cleared before and after)."""

    def use(files: dict[str, str]):
        for name, text in files.items():
            (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
        monkeypatch.setattr(helpcentre, "HELP_DIR", tmp_path)
        helpcentre.guides.cache_clear()
        return helpcentre.guides()

    yield use
    helpcentre.guides.cache_clear()


# --- the guides ------------------------------------------------------------------------------------------


def test_there_is_a_guide_for_every_role_each_with_sections():
    guides = {g.slug: g for g in helpcentre.guides()}
    assert set(guides) >= ROLE_GUIDES
    for guide in guides.values():
        assert guide.title and guide.sections, guide.slug
        for section in guide.sections:
            assert section.title and section.text, section.anchor


def test_every_guide_renders_with_each_section_at_its_anchor(client):
    for guide in helpcentre.guides():
        response = client.get(reverse("help:guide", args=[guide.slug]))
        assert response.status_code == 200, guide.slug
        html = response.content.decode()
        assert guide.title in html
        for section in guide.sections:
            assert f'<section id="{section.anchor}"' in html, section.anchor
            assert f'href="#{section.anchor}"' in html  # the table of contents
            assert section.title in html


def test_the_links_inside_the_guides_open_pages_that_exist(client):
    for guide in helpcentre.guides():
        html = client.get(guide.url).content.decode()
        body = html.split('id="main"', 1)[1]
        for href in re.findall(r'<a href="(/[^"#]*)', body):
            if not href.startswith(settings.STATIC_URL):  # a screenshot, when the browser tests took it
                resolve(href)  # raises Resolver404 for a page that does not exist


def test_the_index_lists_every_guide_and_its_sections(client):
    html = client.get(reverse("help:index")).content.decode()
    for guide in helpcentre.guides():
        assert f'href="{guide.url}"' in html
        for section in guide.sections:
            assert f'href="{guide.url}#{section.anchor}"' in html


def test_an_unknown_guide_or_section_is_a_404(client):
    assert client.get("/tro-giup/khong-co/").status_code == 404
    assert client.get(reverse("help:section", args=["khong-co"])).status_code == 404


def test_a_section_link_opens_the_section_in_its_guide(client):
    response = client.get(reverse("help:section", args=["quan-tri-cap-tai-khoan"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("help:guide", args=["quan-tri-truong"]) + "#quan-tri-cap-tai-khoan"


def test_the_help_is_open_to_everyone_and_read_only(client, tree):
    pages = [
        reverse("help:index"),
        reverse("help:guide", args=["giao-vien"]),
        reverse("help:search") + "?q=nop+bai",
    ]
    people = [
        None,
        make_person(unit=tree.c1, role=Role.STUDENT),
        make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF),
    ]
    for person in people:
        client.logout()
        if person:
            client.force_login(person)
        for url in pages:
            assert client.get(url).status_code == 200, (person, url)
            assert client.post(url).status_code == 405, (person, url)


# --- a guide's file is checked when it loads ---------------------------------------------------------------

GOOD = (
    "---\ntitle: Thử\n---\nGiới thiệu.\n\n"
    "## Một {#thu-mot}\n1. Mở [Khóa học](courses:catalogue).\n2. Xem [mục hai](muc:thu-hai).\n\n"
    "## Hai {#thu-hai}\nXong **ngay**.\n"
)


def test_a_guide_is_read_with_its_sections_lists_links_and_bold(guides_from):
    (guide,) = guides_from({"thu": GOOD})
    one, two = guide.sections
    assert (one.anchor, one.title, two.anchor) == ("thu-mot", "Một", "thu-hai")
    assert f'<a href="{reverse("courses:catalogue")}"' in one.html and "<ol>" in one.html
    assert f'href="{reverse("help:section", args=["thu-hai"])}"' in one.html
    assert "<strong>ngay</strong>" in two.html and two.text == "Xong ngay."


def test_a_section_without_an_anchor_is_refused(guides_from):
    with pytest.raises(ImproperlyConfigured, match="without an anchor"):
        guides_from({"thu": "---\ntitle: Thử\n---\n## Không có neo\nChữ.\n"})


def test_the_same_anchor_in_two_guides_is_refused(guides_from):
    with pytest.raises(ImproperlyConfigured, match="thu-mot"):
        guides_from({"thu": GOOD, "thu-khac": "---\ntitle: Khác\n---\n## Trùng {#thu-mot}\nChữ.\n"})


def test_a_link_to_a_missing_section_is_refused(guides_from):
    with pytest.raises(ImproperlyConfigured, match="khong-co"):
        guides_from({"thu": "---\ntitle: Thử\n---\n## Một {#thu-mot}\nXem [đây](muc:khong-co).\n"})


def test_markup_typed_in_a_guide_is_sanitised(guides_from):
    (guide,) = guides_from(
        {"thu": "---\ntitle: Thử\n---\n## Một {#thu-mot}\n<script>alert(1)</script> <b onclick=x>a</b>\n"}
    )
    html = guide.sections[0].html
    # Shown as the text it is, never as markup.
    assert "<script" not in html and "<b " not in html and "&lt;script&gt;" in html


# --- the "?" links ---------------------------------------------------------------------------------------


def test_every_help_link_in_the_templates_names_an_existing_section():
    named = named_sections(TEMPLATES)
    assert named, "no template has a help link"
    assert missing_sections(TEMPLATES) == {}


def test_the_check_catches_a_link_to_a_missing_section(tmp_path):
    (tmp_path / "page.html").write_text('<h1>T{% help_link "khong-co-muc-nay" %}</h1>', encoding="utf-8")
    (tmp_path / "ok.html").write_text('<h1>T{% help_link "bat-dau-ho-so" %}</h1>', encoding="utf-8")
    assert missing_sections(tmp_path) == {"khong-co-muc-nay": {"page.html"}}


def test_the_check_reads_the_section_a_unit_page_s_heading_is_given(tmp_path):
    (tmp_path / "page.html").write_text(
        '{% include "units/unit_page_heading.html" with unit=school help="khong-co-muc-nay" %}', encoding="utf-8"
    )
    (tmp_path / "ok.html").write_text('{% include "units/unit_page_heading.html" with help="can-bo-nhan-su" %}')
    assert missing_sections(tmp_path) == {"khong-co-muc-nay": {"page.html"}}


def has_help(name: str) -> bool:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return bool(HELP_LINK.search(text) or HEADING_HELP.search(text))


def test_every_main_page_has_its_help_link():
    for name in MAIN_PAGES + ISSUE_15_PAGES:
        assert has_help(name), name


def test_the_pages_show_the_link_to_their_section(client, tree):
    teacher = make_person(unit=tree.s1, role=Role.TEACHER)
    client.force_login(teacher)
    for url, anchor in [
        (reverse("home"), "bat-dau-khong-gian-cua-toi"),
        (reverse("materials:library"), "giao-vien-hoc-lieu"),
        (reverse("courses:catalogue"), "hoc-sinh-khoa-hoc"),
        (reverse("courses:mine") + "?tab=teaching", "giao-vien-khoa-hoc"),
        (reverse("units:space", args=[tree.s1.pk]), "bat-dau-don-vi"),
    ]:
        html = client.get(url).content.decode()
        assert f'href="{reverse("help:section", args=[anchor])}"' in html, url


def test_the_pages_of_a_unit_s_structure_people_and_year_show_their_section(client, tree):
    def shows(url, anchor):
        html = client.get(url).content.decode()
        return f'href="{reverse("help:section", args=[anchor])}"' in html

    client.force_login(make_person(unit=tree.s1, role=Role.PRINCIPAL))
    assert shows(reverse("units:roles", args=[tree.s1.pk]), "hieu-truong-phan-cong")
    assert shows(reverse("units:homerooms", args=[tree.s1.pk]), "quan-tri-vai-tro")
    assert shows(reverse("units:import", args=[tree.s1.pk]), "quan-tri-to-lop")
    assert shows(reverse("units:unit_edit", args=[tree.c1.pk]), "quan-tri-to-lop")
    assert shows(reverse("courses:group_task_create", args=[tree.s1.pk]), "hieu-truong-nhiem-vu")
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    assert shows(reverse("units:roles", args=[tree.office_a1.pk]), "can-bo-nhan-su")
    assert not shows(reverse("units:roles", args=[tree.office_a1.pk]), "hieu-truong-phan-cong")
    assert shows(reverse("units:import", args=[tree.dept_a.pk]), "can-bo-nhap-don-vi")
    assert shows(reverse("units:unit_edit", args=[tree.office_a1.pk]), "can-bo-co-cau")
    assert shows(reverse("units:cluster_add", args=[tree.dept_a.pk]), "can-bo-co-cau")
    assert shows(reverse("units:school_years_department", args=[tree.dept_a.pk]), "can-bo-nam-hoc")
    assert shows(reverse("reports:rollovers", args=[tree.dept_a.pk]), "can-bo-chuyen-nam-hoc")
    client.force_login(make_person(unit=tree.g1, role=Role.TEACHER))
    assert shows(reverse("courses:my_group_tasks"), "giao-vien-nhiem-vu-to")


def test_the_menu_and_the_footer_lead_to_the_help(client, tree):
    assert 'data-testid="footer-help"' in client.get(reverse("home")).content.decode()
    client.force_login(make_person(unit=tree.c1, role=Role.STUDENT))
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="menu-help"' in html and f'href="{reverse("help:index")}"' in html


# --- search ----------------------------------------------------------------------------------------------


def test_search_without_accents_finds_the_sections_with_accents():
    anchors = [hit.section.anchor for hit in helpcentre.search("cap tai khoan")]
    assert anchors[0] == "quan-tri-cap-tai-khoan"
    assert [hit.section.anchor for hit in helpcentre.search("CẤP TÀI KHOẢN")] == anchors
    assert helpcentre.search("nop bai")[0].section.anchor == "hoc-sinh-nop-bai"


def test_a_word_matches_the_start_of_a_word_only():
    # "oan" is inside "khoản" and "toán" but begins no word of the guides.
    assert helpcentre.search("oan") == []


def test_the_results_page_lists_the_sections_with_a_marked_snippet(client):
    response = client.get(reverse("help:search"), {"q": "mat khau"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="help-hit"' in html and "<mark>mật</mark> <mark>khẩu</mark>" in html
    section = helpcentre.section("bat-dau-quen-mat-khau")
    assert f'href="{section.url}"' in html


def test_a_search_that_finds_nothing_says_what_to_do(client):
    html = client.get(reverse("help:search"), {"q": "xyzxyz"}).content.decode()
    assert 'data-testid="help-no-results"' in html and f'href="{reverse("help:index")}"' in html


@pytest.mark.parametrize(
    "query",
    ["\x00", "tai\x00 khoan", "a" * 10_000, "tài " * 3_000, "<script>alert(1)</script>", "%", "((", "\u202e"],
)
def test_a_hostile_or_long_query_does_not_crash(client, query):
    response = client.get(reverse("help:search"), {"q": query, "page": "99999999999999999999999"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_without_words_shows_the_prompt(client):
    html = client.get(reverse("help:search")).content.decode()
    assert 'data-testid="help-results"' not in html and 'data-testid="help-search-form"' in html


# --- screenshots -----------------------------------------------------------------------------------------


def test_a_missing_screenshot_shows_nothing_and_a_present_one_shows(client, monkeypatch, tmp_path):
    monkeypatch.setattr(helpcentre, "SHOTS_DIR", tmp_path)
    url = reverse("help:guide", args=["giao-vien"])
    assert "help/shots/" not in client.get(url).content.decode()
    size = (1280).to_bytes(4, "big") + (900).to_bytes(4, "big")
    header = b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + b"IHDR" + size
    (tmp_path / "giaovien-hoc-lieu.png").write_bytes(header + b"\x08\x02\x00\x00\x00")
    (tmp_path / "giaovien-khoa-hoc.png").write_bytes(b"not a picture")  # a broken file is not shown either
    html = client.get(url).content.decode()
    assert 'data-testid="help-shot"' in html and "help/shots/giaovien-hoc-lieu.png" in html
    assert 'width="1280" height="900"' in html and "giaovien-khoa-hoc.png" not in html


def test_the_screenshots_folder_is_not_committed():
    ignored = (Path(settings.BASE_DIR) / ".gitignore").read_text(encoding="utf-8").split()
    assert "static/help/shots/" in ignored


# --- empty states say what to do next --------------------------------------------------------------------


def test_a_teacher_without_courses_is_shown_how_to_write_one(client, tree):
    client.force_login(make_person(unit=tree.s1, role=Role.TEACHER))
    for url in (reverse("courses:catalogue"), reverse("courses:mine") + "?tab=teaching"):
        html = client.get(url).content.decode()
        assert f'href="{reverse("courses:course_create")}" data-testid="empty-next"' in html, url


def test_a_student_without_tests_or_courses_is_shown_the_next_step(client, tree):
    client.force_login(make_person(unit=tree.c1, role=Role.STUDENT))
    html = client.get(reverse("materials:quiz_taking_list")).content.decode()
    assert f'href="{reverse("courses:mine")}" data-testid="empty-next"' in html
    html = client.get(reverse("courses:catalogue")).content.decode()
    assert f'href="{reverse("help:section", args=["hoc-sinh-khoa-hoc"])}" data-testid="empty-next"' in html
    assert reverse("courses:course_create") not in html


def test_an_empty_library_offers_its_makers_to_add_one_and_no_one_else(client, tree):
    client.force_login(make_person(unit=tree.g1, role=Role.TEACHER))
    html = client.get(reverse("materials:library")).content.decode()
    assert f'href="{reverse("materials:new")}" data-testid="empty-next"' in html
    assert 'data-testid="my-materials-link"' in html
    html = client.get(reverse("materials:mine")).content.decode()
    assert f'href="{reverse("materials:new")}" data-testid="empty-next"' in html
    client.force_login(make_person(unit=tree.c1, role=Role.STUDENT))
    html = client.get(reverse("materials:library")).content.decode()
    assert 'data-testid="empty-next"' not in html and 'data-testid="my-materials-link"' not in html


def test_empty_news_and_letters_say_what_comes_next(client, tree):
    principal = make_person(unit=tree.s1, role=Role.PRINCIPAL)
    client.force_login(principal)
    html = client.get(reverse("news:list")).content.decode()
    assert 'data-testid="no-news"' in html and f'href="{reverse("news:new")}' in html
    html = client.get(reverse("letters:inbox")).content.decode()
    assert 'data-testid="inbox-empty"' in html and f'href="{reverse("letters:new")}" data-testid="empty-next"' in html
    client.force_login(make_person(unit=tree.c1, role=Role.STUDENT))
    html = client.get(reverse("news:list")).content.decode()
    assert 'data-testid="no-news"' in html and reverse("news:new") not in html
