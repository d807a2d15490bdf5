"""The library: search (accents, word order, filters, visibility), sorts, pages, query counts, previews
per kind, package files served sandboxed, and the view/download counters."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from materials.models import Kind, Material, MaterialVersion, VersionStatus
from materials.selectors import library as selectors
from materials.services.library import search_text_for
from materials.views.library import safe_member_name
from tests.accounts.factories import complete_profile, make_person
from units.models import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_material(
    *,
    author,
    unit,
    shared_with=None,
    title="Phân số – Toán lớp 6",
    kind=Kind.DOCUMENT,
    subject="Toán",
    grade=6,
    topic="Phân số",
    description="<p>Bài giảng về phân số.</p>",
    approved=True,
    file_name="",
    content=b"",
    link_url="",
    body="",
    approved_at=None,
    **fields,
) -> Material:
    """An item with one version, approved and shared with `shared_with` (its school by default) unless
    `approved` is False; `search_text` is written the way the services write it."""
    if approved and shared_with is None:
        shared_with = unit.school() if unit.kind in (unit.Kind.GROUP, unit.Kind.CLASS) else unit
    material = Material.objects.create(
        kind=kind, title=title, subject=subject, grade=grade, topic=topic, author=author, unit=unit, **fields
    )
    version = MaterialVersion(
        material=material,
        number=1,
        title=title,
        description=description,
        usage_guide="<p>Dùng trong tiết 2.</p>",
        body=body,
        link_url=link_url,
        status=VersionStatus.APPROVED if approved else VersionStatus.DRAFT,
        created_by=author,
        file_name=file_name,
        file_size=len(content),
    )
    if file_name:
        version.file.save(file_name, ContentFile(content), save=False)
    version.save()
    material.search_text = search_text_for(material, version)
    if approved:
        material.live_version = version
        material.shared_with = shared_with
        material.approved_at = approved_at or timezone.now()
    material.save()
    return material


def package(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def people(tree):
    return type(
        "People",
        (),
        {
            "teacher": complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An")),
            "teacher2": complete_profile(make_person(unit=tree.g2, role=Role.TEACHER, full_name="Trần Thị Bình")),
            "other_school": complete_profile(make_person(unit=tree.g3, role=Role.TEACHER, full_name="Bùi Văn Khoa")),
            "student": complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Minh Em")),
            "other_office": make_person(unit=tree.office_b1, role=Role.OFFICE_STAFF, full_name="Hồ Văn Minh"),
        },
    )


def titles(user, **filters) -> list[str]:
    items = selectors.library_search(user=user, **filters)
    return [m.title for m in selectors.library_page(items).items]


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


# --- search ----------------------------------------------------------------------------------


def test_search_ignores_accents_and_word_order(tree, people):
    make_material(author=people.teacher, unit=tree.g1)
    make_material(
        author=people.teacher,
        unit=tree.g1,
        title="Hình tam giác – Toán lớp 7",
        grade=7,
        topic="Hình học",
        description="<p>Tam giác vuông.</p>",
    )
    assert titles(people.teacher2, q="toan lop 6 phan so") == ["Phân số – Toán lớp 6"]
    assert titles(people.teacher2, q="phân số toán") == ["Phân số – Toán lớp 6"]
    assert titles(people.teacher2, q="PHAN SO") == ["Phân số – Toán lớp 6"]
    assert titles(people.teacher2, q="giác tam") == ["Hình tam giác – Toán lớp 7"]
    assert titles(people.teacher2, q="phan so tam giac") == []


def test_lop_n_in_the_query_is_the_grade_not_a_word(tree, people):
    make_material(author=people.teacher, unit=tree.g1, title="Số học lớp 1", grade=1, topic="Đếm")
    make_material(author=people.teacher, unit=tree.g1, title="Số học lớp 10", grade=10, topic="Mệnh đề")
    make_material(author=people.teacher, unit=tree.g1, title="Số học lớp 12", grade=12, topic="Đạo hàm")
    assert titles(people.teacher2, q="so hoc lop 1") == ["Số học lớp 1"]
    assert titles(people.teacher2, q="khối 12 số học") == ["Số học lớp 12"]
    assert selectors.grade_from_words(["toan", "lop", "6", "phan"]) == (6, ["toan", "phan"])
    assert selectors.grade_from_words(["lop", "13"]) == (None, ["lop", "13"])


def test_search_words_fold_and_drop_single_letters():
    assert selectors.search_words("Toán  lớp 6 – Phân số, a") == ["toan", "lop", "6", "phan", "so"]


def test_another_schools_item_is_never_found(tree, people):
    make_material(author=people.other_school, unit=tree.g3, title="Phân số – Toán lớp 6 (S2)")
    make_material(author=people.teacher, unit=tree.g1, title="Phân số – Toán lớp 6 (S1)")
    assert titles(people.teacher2, q="phan so") == ["Phân số – Toán lớp 6 (S1)"]
    assert titles(people.other_school, q="phan so") == ["Phân số – Toán lớp 6 (S2)"]
    # Office staff of another Office see neither school's items.
    assert titles(people.other_office, q="phan so") == []


def test_sharing_reaches_the_subtree_and_drafts_only_their_author(tree, people):
    make_material(
        author=people.teacher, unit=tree.g1, title="Đề kiểm tra Vật lí", subject="Vật lí", shared_with=tree.dept_a
    )
    make_material(author=people.teacher, unit=tree.g1, title="Bản nháp Ngữ văn", subject="Ngữ văn", approved=False)
    # s2 is in dept_a's subtree, so the Department-wide item reaches its teacher; the draft does not.
    assert titles(people.other_school) == ["Đề kiểm tra Vật lí"]
    assert titles(people.other_office) == []
    assert titles(people.teacher) == ["Đề kiểm tra Vật lí", "Bản nháp Ngữ văn"]
    assert titles(people.teacher2) == ["Đề kiểm tra Vật lí"]


def test_filters(tree, people):
    make_material(author=people.teacher, unit=tree.g1, title="Video phân số", kind=Kind.VIDEO)
    make_material(author=people.teacher, unit=tree.g1, title="Tài liệu Ngữ văn 8", subject="Ngữ văn", grade=8)
    make_material(author=people.teacher2, unit=tree.g2, title="Ảnh bản đồ", subject="Địa lí", grade=8, kind=Kind.IMAGE)
    make_material(
        author=people.teacher,
        unit=tree.g1,
        title="Mô phỏng con lắc",
        subject="Vật lí",
        grade=10,
        kind=Kind.SIMULATION,
        shared_with=tree.ministry,
    )
    user = people.teacher2
    assert titles(user, kind=Kind.VIDEO) == ["Video phân số"]
    assert sorted(titles(user, grade=8)) == ["Tài liệu Ngữ văn 8", "Ảnh bản đồ"]
    assert titles(user, subject="Ngữ văn") == ["Tài liệu Ngữ văn 8"]
    assert titles(user, unit=tree.g2) == ["Ảnh bản đồ"]
    assert titles(user, sharing="ministry") == ["Mô phỏng con lắc"]
    assert len(titles(user, sharing="school")) == 3
    assert titles(user, sharing="office") == []
    assert titles(user, grade=8, subject="Địa lí", q="ban do") == ["Ảnh bản đồ"]


def test_sorts_newest_and_most_used(tree, people):
    now = timezone.now()
    old = make_material(author=people.teacher, unit=tree.g1, title="Cũ", approved_at=now - timedelta(days=5))
    new = make_material(author=people.teacher, unit=tree.g1, title="Mới", approved_at=now)
    mid = make_material(author=people.teacher, unit=tree.g1, title="Giữa", approved_at=now - timedelta(days=1))
    Material.objects.filter(pk=old.pk).update(view_count=10, download_count=5)
    Material.objects.filter(pk=mid.pk).update(view_count=1, download_count=12)
    assert titles(people.teacher2) == [new.title, mid.title, old.title]
    assert titles(people.teacher2, sort="popular") == [old.title, mid.title, new.title]


def test_paging_reads_one_extra_row(tree, people):
    now = timezone.now()
    for i in range(selectors.PAGE_SIZE + 3):
        make_material(author=people.teacher, unit=tree.g1, title=f"Bài {i:02d}", approved_at=now - timedelta(minutes=i))
    items = selectors.library_search(user=people.teacher2)
    first = selectors.library_page(items, number=1)
    second = selectors.library_page(items, number=2)
    assert len(first.items) == selectors.PAGE_SIZE and first.has_next and not first.has_previous
    assert [m.title for m in second.items] == ["Bài 20", "Bài 21", "Bài 22"] and not second.has_next
    assert selectors.page_number("abc") == 1 and selectors.page_number("99999") == selectors.MAX_PAGE


# --- the library page ------------------------------------------------------------------------


def test_library_page_filters_in_the_url(client, tree, people):
    make_material(author=people.teacher, unit=tree.g1)
    make_material(author=people.other_school, unit=tree.g3, title="Phân số nâng cao")
    login(client, people.teacher2)
    response = client.get(reverse("materials:library"), {"q": "toan lop 6 phan so", "grade": "6", "sort": "popular"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phân số – Toán lớp 6" in html and "Phân số nâng cao" not in html
    assert 'value="toan lop 6 phan so"' in html  # what was typed stays in the form
    assert "Within a school" in html


def test_library_page_empty_states_and_bad_input(client, tree, people):
    login(client, people.teacher2)
    html = client.get(reverse("materials:library")).content.decode()
    assert 'data-testid="library-empty"' in html and "There is no learning material for you yet." in html
    html = client.get(reverse("materials:library"), {"q": "khong co gi"}).content.decode()
    assert "No material matches your search." in html
    html = client.get(reverse("materials:library"), {"grade": "13", "kind": "virus"}).content.decode()
    assert 'data-testid="library-invalid"' in html


def test_library_needs_login(client, tree):
    response = client.get(reverse("materials:library"))
    assert response.status_code == 302


def test_library_page_queries_do_not_grow(client, tree, people, django_assert_max_num_queries):
    login(client, people.teacher2)
    for i in range(3):
        make_material(author=people.teacher, unit=tree.g1, title=f"Bài {i}")
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("materials:library"), {"q": "bai", "sort": "popular"})
    for i in range(3, 25):
        make_material(author=people.teacher, unit=tree.g1, title=f"Bài {i}", shared_with=tree.dept_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("materials:library"), {"q": "bai", "sort": "popular"})
    assert response.content.decode().count('data-testid="library-item"') == selectors.PAGE_SIZE


# --- an item's page and its files --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "file_name", "content", "marker"),
    [
        (Kind.VIDEO, "bai-giang.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32, 'data-testid="preview-video"'),
        (Kind.DOCUMENT, "de-cuong.pdf", PDF, 'data-testid="preview-pdf"'),
        (Kind.IMAGE, "ban-do.png", PNG, 'data-testid="preview-image"'),
        (Kind.AUDIO, "bai-hat.mp3", b"ID3" + b"\x00" * 32, 'data-testid="preview-audio"'),
    ],
)
def test_preview_per_kind(client, tree, people, kind, file_name, content, marker):
    material = make_material(author=people.teacher, unit=tree.g1, kind=kind, file_name=file_name, content=content)
    login(client, people.teacher2)
    html = client.get(reverse("materials:detail", args=[material.pk])).content.decode()
    assert marker in html and reverse("materials:file", args=[material.pk]) in html
    assert "Dùng trong tiết 2." in html and "CC BY 4.0" in html and "Nguyễn Văn An" in html
    response = client.get(reverse("materials:file", args=[material.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response["Content-Disposition"].startswith("attachment")


def test_video_answers_byte_ranges(client, tree, people):
    content = bytes(range(256)) * 4
    material = make_material(author=people.teacher, unit=tree.g1, kind=Kind.VIDEO, file_name="v.mp4", content=content)
    login(client, people.teacher2)
    response = client.get(reverse("materials:file", args=[material.pk]), HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-19/{len(content)}"
    assert b"".join(response.streaming_content) == content[10:20]
    response = client.get(reverse("materials:file", args=[material.pk]), HTTP_RANGE="bytes=5000-")
    assert response.status_code == 416


def test_lesson_and_link_previews(client, tree, people):
    video = make_material(author=people.teacher, unit=tree.g1, title="Video minh họa", kind=Kind.VIDEO)
    hidden = make_material(author=people.other_school, unit=tree.g3, title="Học liệu trường khác")
    lesson = make_material(
        author=people.teacher,
        unit=tree.g1,
        title="Bài học minh họa phân số",
        kind=Kind.ILLUSTRATIVE_LESSON,
        body="<p>Hoạt động 1: quan sát video.</p>",
    )
    lesson.live_version.uses.set([video, hidden])
    link = make_material(
        author=people.teacher, unit=tree.g1, title="PhET", kind=Kind.SIMULATION, link_url="https://phet.example.org/x"
    )
    login(client, people.teacher2)
    html = client.get(reverse("materials:detail", args=[lesson.pk])).content.decode()
    assert "Hoạt động 1: quan sát video." in html and "Video minh họa" in html
    assert "Học liệu trường khác" not in html  # a used item the reader may not see is not listed
    html = client.get(reverse("materials:detail", args=[link.pk])).content.decode()
    assert 'data-testid="preview-link"' in html and "https://phet.example.org/x" in html


def test_item_of_another_school_is_404(client, tree, people):
    material = make_material(
        author=people.other_school, unit=tree.g3, kind=Kind.DOCUMENT, file_name="a.pdf", content=PDF
    )
    login(client, people.teacher2)
    for name in ("materials:detail", "materials:file", "materials:download"):
        assert client.get(reverse(name, args=[material.pk])).status_code == 404
    assert Material.objects.get(pk=material.pk).download_count == 0


def test_draft_seen_by_its_author_only(client, tree, people):
    draft = make_material(author=people.teacher, unit=tree.g1, approved=False, title="Nháp")
    login(client, people.teacher)
    response = client.get(reverse("materials:detail", args=[draft.pk]))
    assert response.status_code == 200 and 'data-testid="material-not-live"' in response.content.decode()
    login(client, people.teacher2)
    assert client.get(reverse("materials:detail", args=[draft.pk])).status_code == 404


# --- counts ----------------------------------------------------------------------------------


def test_views_count_once_per_session(client, tree, people):
    material = make_material(author=people.teacher, unit=tree.g1)
    updated = Material.objects.get(pk=material.pk).updated_at
    login(client, people.teacher2)
    url = reverse("materials:detail", args=[material.pk])
    client.get(url)
    client.get(url)
    material.refresh_from_db()
    assert material.view_count == 1
    assert material.updated_at == updated  # counting is not a change of the item
    other = login(type(client)(), people.student)
    other.get(url)
    material.refresh_from_db()
    assert material.view_count == 2


def test_download_counts_and_is_an_attachment(client, tree, people):
    material = make_material(author=people.teacher, unit=tree.g1, file_name="Đề cương.pdf", content=PDF)
    login(client, people.teacher2)
    for _ in range(2):
        response = client.get(reverse("materials:download", args=[material.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    material.refresh_from_db()
    assert material.download_count == 2
    link = make_material(author=people.teacher, unit=tree.g1, kind=Kind.SIMULATION, link_url="https://x.example")
    assert client.get(reverse("materials:download", args=[link.pk])).status_code == 404


# --- simulation packages -----------------------------------------------------------------------


@pytest.fixture
def simulation(tree, people):
    content = package(
        {
            "index.html": b"<script src='app.js'></script><script>document.cookie</script>",
            "app.js": b"parent.document.cookie",
            "img/logo.png": PNG,
            "notes.exe": b"MZ",
        }
    )
    return make_material(
        author=people.teacher,
        unit=tree.g1,
        title="Mô phỏng con lắc",
        kind=Kind.SIMULATION,
        file_name="con-lac.zip",
        content=content,
    )


def package_url_of(client, material) -> str:
    response = client.get(reverse("materials:detail", args=[material.pk]))
    return response.context["package_url"]


def test_package_is_framed_sandboxed_and_served_with_csp(client, people, simulation):
    login(client, people.teacher2)
    html = client.get(reverse("materials:detail", args=[simulation.pk])).content.decode()
    assert 'sandbox="allow-scripts"' in html and "allow-same-origin" not in html
    url = package_url_of(client, simulation)
    assert url.endswith("/index.html")
    for name, content_type in (
        ("index.html", "text/html"),
        ("app.js", "text/javascript"),
        ("img/logo.png", "image/png"),
    ):
        # The sandboxed page's own requests carry no cookies: the token in the path is what lets them in.
        response = type(client)().get(url.rsplit("/", 1)[0] + "/" + name)
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith(content_type)
        assert response["Content-Security-Policy"] == "sandbox allow-scripts"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_package_refuses_traversal_unknown_types_and_bad_tokens(client, people, simulation):
    login(client, people.teacher2)
    base = package_url_of(client, simulation).rsplit("/", 1)[0]
    for name in ("../../../etc/passwd.html", "img/../index.html", "./index.html", "notes.exe", "missing.html", "img/"):
        assert client.get(f"{base}/{name}").status_code == 404, name
    for name in ("/etc/passwd", "a//b.html", "..", "a/../b.js", "C:/x.html", "a\\b.html", "x\x00.html"):
        assert safe_member_name(name) is None, name
    assert safe_member_name("img/logo.png") == "img/logo.png"
    token = base.rsplit("/", 1)[1]
    forged = reverse("materials:package_file", args=[simulation.pk, token + "x", "index.html"])
    assert client.get(forged).status_code == 404
    # A token belongs to one item's version.
    other = reverse("materials:package_file", args=[simulation.pk + 1, token, "index.html"])
    assert client.get(other).status_code == 404


def test_package_token_not_given_out_of_scope(client, people, simulation):
    login(client, people.other_school)
    assert client.get(reverse("materials:detail", args=[simulation.pk])).status_code == 404


def test_messages_in_english(client, tree, people):
    with translation.override("en"):
        assert selectors.Sharing.label("ministry") == "Nationwide"


def test_the_lesson_finder_offers_approved_items_the_author_may_use(client, tree, people):
    mine = make_material(author=people.teacher2, unit=tree.g1, title="Phân số – video bài giảng")
    make_material(author=people.teacher2, unit=tree.g1, title="Phân số – bản nháp", approved=False)
    make_material(author=people.other_school, unit=tree.g3, title="Phân số – trường khác")
    login(client, people.teacher)
    form = client.get(reverse("materials:new")).text
    assert 'data-testid="uses-finder"' in form and reverse("materials:uses_search") in form
    found = client.get(reverse("materials:uses_search"), {"q": "phan so"}, HTTP_HX_REQUEST="true").text
    assert f'data-add-use="{mine.pk}"' in found
    assert "bản nháp" not in found and "trường khác" not in found
    assert 'data-testid="uses-none"' in client.get(reverse("materials:uses_search"), {"q": "khong co gi"}).text
    assert client.get(reverse("materials:uses_search")).text.strip() == ""


# --- the form and the cards kept in the cache (issue #19, point 9) -----------------------------------------


@pytest.fixture
def builds(partials_rendered):
    """The fragments the library renders (its form and its cards), by partial name, as they are built."""
    from materials.views import library as views

    return partials_rendered(views)


def library_html(client, **params) -> str:
    response = client.get(reverse("materials:library"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_library_form_and_cards_are_built_once_and_reused(client, tree, people, builds):
    make_material(author=people.teacher, unit=tree.g1)
    login(client, people.teacher2)
    first = library_html(client, q="phan so")
    assert builds == ["search-form", "results"]
    assert library_html(client, q="phan so").count("Phân số – Toán lớp 6") == first.count("Phân số – Toán lớp 6") == 1
    assert builds == ["search-form", "results"]  # both from the cache
    library_html(client, q="phan so", sort="popular")
    assert builds[2:] == ["search-form"]  # another sort, the same cards: only the form is built


def test_a_view_or_an_edit_shows_on_the_next_search(client, tree, people, builds):
    """The cards' key is what they show: a count moved by a view (an F() update, no service) shows at once."""
    item = make_material(author=people.teacher, unit=tree.g1)
    login(client, people.teacher2)
    assert '<i class="bi bi-eye" aria-hidden="true"></i> 0<' in library_html(client, q="phan so")
    Material.objects.filter(pk=item.pk).update(view_count=7, title="Phân số – bản mới")
    html = library_html(client, q="phan so")
    assert '<i class="bi bi-eye" aria-hidden="true"></i> 7<' in html and "Phân số – bản mới" in html
    assert builds.count("results") == 2


def test_people_who_see_different_items_never_share_cards(client, tree, people, builds):
    make_material(author=people.other_school, unit=tree.g3, title="Phân số – Toán lớp 6 (S2)")
    make_material(author=people.teacher, unit=tree.g1, title="Phân số – Toán lớp 6 (S1)")
    login(client, people.teacher2)
    html = library_html(client, q="phan so")
    assert "(S1)" in html and "(S2)" not in html
    login(client, people.other_school)
    html = library_html(client, q="phan so")
    assert "(S2)" in html and "(S1)" not in html
    login(client, people.other_office)
    html = library_html(client, q="phan so")
    assert "(S1)" not in html and "(S2)" not in html and 'data-testid="library-empty"' in html
