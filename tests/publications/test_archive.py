"""The letters archive: accent-free search in any word order, by number, issuer, year and dates; only the
letters the visitor may see; newest first; pages of 20 in a fixed number of queries."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from publications.models import Letter, LetterRecipient
from publications.selectors import archive as selectors
from tests.accounts.factories import make_person
from truonghoc.text import fold
from units.models import Role

URL = reverse("letters:archive")


def _search_text(letter: Letter) -> str:
    """What the letters services keep in Letter.search_text (their own function when there is one)."""
    try:
        from publications.services.letters import _search_text as letter_search_text
    except ImportError:
        parts = [letter.reference, letter.subject, letter.issuer.name, letter.signer_name, strip_tags(letter.body)]
        return fold(" ".join(parts))
    return letter_search_text(letter)


def make_letter(
    *,
    issuer,
    number,
    subject,
    to=(),
    symbol="SGDĐT-GDTrH",
    body="<p>Thực hiện chỉ đạo của Bộ Giáo dục và Đào tạo.</p>",
    issued_on=date(2024, 9, 5),
    is_public=False,
    status=Letter.Status.ISSUED,
    forwarded_by=None,
    addressed_to=Letter.Addressees.HEADS,
):
    letter = Letter.objects.create(
        addressed_to=addressed_to,
        issuer=issuer,
        number=number if status == Letter.Status.ISSUED else None,
        symbol=symbol,
        year=issued_on.year,
        issued_on=issued_on,
        subject=subject,
        signer_name="Nguyễn Văn Thành",
        signer_title="Phó Giám đốc",
        body=body,
        status=status,
        is_public=is_public,
        issued_at=timezone.now() if status == Letter.Status.ISSUED else None,
    )
    letter.search_text = _search_text(letter)
    letter.save(update_fields=["search_text"])
    LetterRecipient.objects.bulk_create(
        LetterRecipient(letter=letter, unit=unit, forwarded_by_unit=forwarded_by) for unit in to
    )
    return letter


def found(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def refs(html: str) -> list[str]:
    """The references of the letters listed, in page order."""
    return re.findall(r'data-testid="letter-reference">No\. ([^<]+)</span>', html)


@pytest.fixture
def letters(tree):
    from types import SimpleNamespace

    return SimpleNamespace(
        plan=make_letter(
            issuer=tree.dept_a,
            number=1364,
            subject="V/v hướng dẫn thực hiện kế hoạch năm học 2024-2025",
            to=[tree.office_a1, tree.s1],
            # Written to everyone, students included, so S1's student finds it (issue #12).
            addressed_to=Letter.Addressees.EVERYONE,
            body="<p>Căn cứ Quyết định của UBND tỉnh, Sở GDĐT hướng dẫn các trường xây dựng kế hoạch "
            + "giáo dục nhà trường. " * 20
            + "Các trường báo cáo tình hình tuyển sinh lớp 6 trước ngày 30/9.</p>",
        ),
        exam=make_letter(
            issuer=tree.dept_a,
            number=1500,
            subject="V/v tổ chức thi chọn học sinh giỏi cấp tỉnh",
            to=[tree.s2],
            issued_on=date(2024, 10, 1),
        ),
        national=make_letter(
            issuer=tree.ministry,
            number=12,
            symbol="BGDĐT-GDTrH",
            subject="V/v triển khai chương trình giáo dục phổ thông",
            is_public=True,
            issued_on=date(2023, 8, 20),
        ),
        office=make_letter(
            issuer=tree.office_a1,
            number=88,
            symbol="PGDĐT",
            subject="V/v kiểm tra nề nếp đầu năm",
            to=[tree.s2],
            issued_on=date(2024, 9, 10),
        ),
        draft=make_letter(issuer=tree.dept_a, number=None, subject="V/v kế hoạch dự thảo", status=Letter.Status.DRAFT),
    )


PLAN, EXAM, NATIONAL, OFFICE = "1364/SGDĐT-GDTrH", "1500/SGDĐT-GDTrH", "12/BGDĐT-GDTrH", "88/PGDĐT"


def test_search_ignores_accents_and_word_order(client, people, letters):
    client.force_login(people.teacher)
    for query in ("ke hoach nam hoc", "Kế hoạch năm học", "nam hoc KE HOACH", "hoạch kế"):
        assert refs(found(client, q=query)) == [PLAN], query


def test_search_by_number_and_reference(client, people, letters):
    client.force_login(people.teacher)
    for query in ("1364", "1364/SGDĐT", "1364/sgddt-gdtrh", "SGDĐT 1364"):
        assert refs(found(client, q=query)) == [PLAN], query
    assert refs(found(client, q="1365/SGDĐT")) == []


def test_search_by_issuer_name_filter_year_and_dates(client, tree, people, letters):
    client.force_login(people.so)
    assert refs(found(client, q="so gddt ha nam")) == [EXAM, PLAN]
    assert refs(found(client, issuer=tree.dept_a.pk)) == [EXAM, PLAN]
    assert refs(found(client, issuer=tree.office_a1.pk)) == [OFFICE]
    assert refs(found(client, year=2023)) == [NATIONAL]
    assert refs(found(client, date_from="2024-09-01", date_to="2024-09-30")) == [OFFICE, PLAN]
    assert refs(found(client, q="ke hoach", year=2024, issuer=tree.dept_a.pk)) == [PLAN]


def test_a_reversed_date_range_is_refused_and_the_form_keeps_what_was_typed(client, people, letters):
    client.force_login(people.so)
    html = found(client, q="ke hoach", date_from="2024-10-01", date_to="2024-09-01")
    assert "The end date is before the start date." in html
    assert refs(html) == []
    assert 'value="ke hoach"' in html and 'value="2024-10-01"' in html


def test_any_issuer_may_be_chosen_but_only_visible_letters_come_back(client, tree, people, letters):
    client.force_login(people.teacher)
    assert refs(found(client, issuer=tree.office_a1.pk)) == []  # its letter went to S2 only
    assert refs(found(client, issuer=tree.ministry.pk)) == [NATIONAL]
    for nonsense in (tree.g1.pk, 99999999, "abc"):
        html = found(client, issuer=nonsense)
        assert "Select a valid choice" in html and refs(html) == [], nonsense


def test_newest_first(client, tree, people, letters):
    make_letter(issuer=tree.dept_a, number=1365, subject="V/v lịch công tác", issued_on=date(2024, 9, 5))
    client.force_login(people.so)
    assert refs(found(client)) == [EXAM, OFFICE, "1365/SGDĐT-GDTrH", PLAN, NATIONAL]


def test_a_letter_to_another_school_is_never_found(client, tree, people, letters):
    """Teacher, admin and student of S1 find the letter sent to S1, never those sent only to S2, even by
    number."""
    student = make_person(unit=tree.c1, role=Role.STUDENT)
    for person in (people.teacher, people.s1_admin, student):
        client.force_login(person)
        assert refs(found(client, q="1364")) == [PLAN]
        for query in ("1500", "hoc sinh gioi", "88/PGDĐT", "kiem tra ne nep"):
            assert refs(found(client, q=query)) == [], (person, query)
        assert refs(found(client)) == [PLAN, NATIONAL]
    client.force_login(people.s2_admin)
    assert refs(found(client)) == [EXAM, OFFICE, NATIONAL]


def test_issuer_side_and_units_above_find_what_was_issued_but_never_drafts(client, people, letters):
    client.force_login(people.so)
    assert refs(found(client, q="ke hoach")) == [PLAN]  # the draft "kế hoạch dự thảo" is not in the archive
    # Department staff oversee their Offices: the Office's letter to S2 is found.
    assert refs(found(client, q="ne nep")) == [OFFICE]
    client.force_login(people.so_b)
    assert refs(found(client, q="1364")) == []
    assert refs(found(client)) == [NATIONAL]


def test_anonymous_visitors_find_public_letters_only(client, letters):
    assert refs(found(client)) == [NATIONAL]
    assert refs(found(client, q="chuong trinh pho thong")) == [NATIONAL]
    html = found(client, q="ke hoach nam hoc")
    assert refs(html) == [] and 'data-testid="archive-empty"' in html


def test_results_show_date_issuer_subject_and_an_excerpt_around_the_match(client, people, letters):
    client.force_login(people.teacher)
    html = found(client, q="tuyen sinh")
    assert "05/09/2024" in html and "Sở GDĐT Hà Nam" in html and "hướng dẫn thực hiện kế hoạch" in html
    [letter] = selectors.with_excerpts(
        selectors.archive_page(selectors.archive_letters(user=people.teacher, query="tuyen sinh")), "tuyen sinh"
    ).items
    assert "tuyển sinh lớp 6" in letter.excerpt and letter.excerpt.startswith("… ")
    assert "<p>" not in letter.excerpt


def test_html_in_a_query_is_shown_as_text(client, people, letters):
    client.force_login(people.teacher)
    html = found(client, q="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_pages_of_twenty_in_a_fixed_number_of_queries(client, tree, people, django_assert_max_num_queries):
    def add(start, stop):
        for n in range(start, stop):
            make_letter(issuer=tree.dept_a, number=n, subject=f"V/v công tác số {n}", to=[tree.s1])

    add(1, 4)
    client.force_login(people.teacher)
    found(client, q="cong tac")
    with django_assert_max_num_queries(12) as few:
        html = found(client, q="cong tac")
    assert len(refs(html)) == 3 and 'data-testid="archive-next"' not in html
    add(4, 26)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = found(client, q="cong tac")
    assert refs(html) == [f"{n}/SGDĐT-GDTrH" for n in range(25, 5, -1)] and 'data-testid="archive-next"' in html
    second = found(client, q="cong tac", page=2)
    assert refs(second) == [f"{n}/SGDĐT-GDTrH" for n in range(5, 0, -1)]
    assert 'data-testid="archive-previous"' in second and 'data-testid="archive-next"' not in second
    # Nonsense page numbers fall back to the first page.
    assert len(refs(found(client, q="cong tac", page="abc"))) == 20


def test_search_words():
    assert selectors.search_words("1364/SGDĐT-GDTrH") == ["1364", "sgddt", "gdtrh"]
    assert selectors.search_words("V/v  Kế hoạch kế hoạch") == ["ke", "hoach"]
    assert selectors.search_words("") == []


# --- the form and the rows kept in the cache (issue #19, point 9) -------------------------------------------


@pytest.fixture
def builds(partials_rendered):
    """The fragments the archive renders (its form and its rows), by partial name, as they are built."""
    from publications.views import archive as views

    return partials_rendered(views)


def test_the_form_and_rows_are_built_once_and_reused(client, people, letters, builds):
    client.force_login(people.teacher)
    first = found(client, q="ke hoach")
    assert builds == ["search-form", "results"]
    again = found(client, q="ke hoach")
    assert builds == ["search-form", "results"]  # both from the cache
    assert refs(again) == refs(first) == [PLAN]
    found(client, q="ke hoach", page=2)
    assert builds[2:] == ["results"]  # another page shows other rows (none): built; the form is the same


def test_a_changed_letter_shows_on_the_next_search(client, people, letters, builds):
    """The rows' key is what they show, so a change made by any path (even without a service) shows at once."""
    client.force_login(people.teacher)
    assert "kế hoạch năm học 2024-2025" in found(client, q="1364")
    Letter.objects.filter(pk=letters.plan.pk).update(subject="V/v kế hoạch năm học đã sửa", is_public=True)
    html = found(client, q="1364")
    assert "kế hoạch năm học đã sửa" in html and "2024-2025" not in html and ">Public<" in html
    letters.plan.issuer.name = "Sở GDĐT Hà Nam (mới)"
    letters.plan.issuer.save(update_fields=["name"])
    assert "Sở GDĐT Hà Nam (mới)" in found(client, q="1364")


def test_people_who_see_different_letters_never_share_rows(client, tree, people, letters, builds):
    client.force_login(people.teacher)  # S1: the plan and the public letter
    assert refs(found(client)) == [PLAN, NATIONAL]
    client.force_login(people.s2_admin)  # S2: the exam, the Office's letter and the public letter
    assert refs(found(client)) == [EXAM, OFFICE, NATIONAL]
    client.force_login(people.so_b)  # another Department: the public letter only
    assert refs(found(client)) == [NATIONAL]
    client.force_login(people.teacher)
    assert refs(found(client)) == [PLAN, NATIONAL]
    assert builds.count("results") == 3  # the teacher's second visit reused their rows


def test_the_issuers_offered_are_part_of_the_forms_key(client, tree, people, letters, builds):
    """The form lists each person's issuers: a person with other issuers never gets another's form."""
    client.force_login(people.teacher)
    teacher_form = found(client, q="ke hoach")
    client.force_login(people.so_b)
    other_form = found(client, q="ke hoach")
    assert builds.count("search-form") == 2
    assert tree.s1.name in teacher_form.split('data-testid="archive-results"')[0]
    assert tree.s1.name not in other_form.split('data-testid="archive-results"')[0]


def test_the_excerpts_are_made_only_when_the_rows_are_built_and_follow_the_text(
    client, people, letters, builds, monkeypatch
):
    """The rows' key holds each letter's text and the query's words, not the excerpt: a cached page strips
    no text, and a changed text (or other words searched) gives new excerpts at once."""
    from publications.views import archive as views

    made = []
    real = views.selectors.with_excerpts
    monkeypatch.setattr(views.selectors, "with_excerpts", lambda page, query: made.append(query) or real(page, query))
    client.force_login(people.teacher)
    assert "Căn cứ Quyết định" in found(client, q="1364")
    assert "Căn cứ Quyết định" in found(client, q="1364")
    assert made == ["1364"]  # the second page came from the cache: no excerpt made
    Letter.objects.filter(pk=letters.plan.pk).update(body="<p>Nội dung đã sửa lại.</p>")
    html = found(client, q="1364")
    assert "Nội dung đã sửa lại." in html and "Căn cứ Quyết định" not in html
    found(client, q="1364 ke")
    assert made == ["1364", "1364", "1364 ke"]
