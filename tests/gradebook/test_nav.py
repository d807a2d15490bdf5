"""The links between the grade book's pages (gradebook.nav): each user sees only the links they may
follow, on every class page and on the school's pages; the views still refuse the others. And the one
spelling of a subject's columns (SubjectRule.columns)."""

from django.urls import reverse

from gradebook import nav, services
from gradebook.grid import columns_of
from gradebook.models import SubjectRule
from tests.accounts.factories import make_person
from units.models import Role


def _keys(links):
    return [link.key for link in links]


def _class_keys(user, book, current="class_book"):
    return _keys(
        nav.class_links(user, school_class=book.school_class, school_year=book.year, semester=1, current=current)
    )


def _with_pe(book):
    """`other` teaches Giáo dục thể chất to the class too: a subject the maths teacher does not teach."""
    services.assignment_set(
        actor=book.principal, school_class=book.school_class, subject="Giáo dục thể chất", semester=1,
        teacher=book.other,
    )  # fmt: skip
    return book


def test_the_homeroom_teacher_sees_absences_conduct_and_comments_but_no_grid_and_no_locks(locked_book):
    keys = _class_keys(locked_book.homeroom, locked_book)
    assert keys == ["class_book", "absences", "conduct", "comments", "print"]


def test_a_subject_teacher_sees_the_grid_of_their_subject_only(locked_book):
    book = _with_pe(locked_book)
    keys = _class_keys(book.maths, book)
    assert "grid:Toán" in keys and "grid:Giáo dục thể chất" not in keys
    assert "locks" not in keys
    assert _class_keys(book.other, book).count("grid:Giáo dục thể chất") == 1
    assert "grid:Toán" not in _class_keys(book.other, book)


def test_a_student_and_a_teacher_of_another_school_see_none(locked_book, tree):
    student = locked_book.students[0]
    assert _class_keys(student, locked_book) == []
    outsider = make_person(unit=tree.s2, role=Role.PRINCIPAL)
    assert _class_keys(outsider, locked_book) == []
    assert nav.school_links(outsider, school=locked_book.school, semester=1, current="") == []
    assert nav.school_links(student, school=locked_book.school, semester=1, current="") == []


def test_the_principal_sees_the_locks_and_the_school_pages(locked_book):
    book = locked_book
    keys = _class_keys(book.principal, book)
    assert keys == ["class_book", "absences", "conduct", "comments", "print", "locks"]
    school = _keys(nav.school_links(book.principal, school=book.school, semester=2, current="progress"))
    assert school == ["progress", "assignments", "locks", "change_requests", "summary_xlsx", "summary_pdf"]
    # The Office sees the school's progress, not the runners' pages.
    assert _keys(nav.school_links(book.office, school=book.school, semester=1, current="")) == ["progress"]
    assert "locks" not in _class_keys(book.office, book)


def test_every_class_page_shows_the_navigation_with_the_current_page_active(client, locked_book):
    book = locked_book
    klass = book.school_class.pk
    client.force_login(book.homeroom)
    for name, kwargs, current in (
        ("gradebook:absences", {"class_id": klass}, "absences"),
        ("gradebook:conduct", {"class_id": klass}, "conduct"),
        ("gradebook:comments", {"class_id": klass}, "comments"),
        ("gradebook:class_book", {"class_id": klass, "semester": 1}, "class_book"),
        ("gradebook:class_print", {"pk": klass}, "print"),
    ):
        html = client.get(reverse(name, kwargs=kwargs)).content.decode()
        assert 'data-testid="gradebook-nav"' in html, name
        assert f'data-nav="{current}" aria-current="page"' in html, name
        assert 'data-nav="conduct"' in html and 'data-nav="absences"' in html
        assert 'data-nav="locks"' not in html and 'data-nav="grid:' not in html
    client.force_login(book.maths)
    grid = reverse("gradebook:grid", kwargs={"class_id": klass, "semester": 1, "subject": "Toán"})
    html = client.get(grid).content.decode()
    assert 'data-nav="grid:Toán" aria-current="page"' in html and 'data-nav="locks"' not in html
    # The link is hidden, and the page behind it still refuses.
    assert client.get(reverse("gradebook:locks", args=[book.school.pk])).status_code == 403


def test_the_school_pages_link_locks_change_requests_and_the_summary(client, locked_book):
    book = locked_book
    client.force_login(book.principal)
    for url in (
        reverse("gradebook:progress_school", args=[book.school.pk]),
        reverse("gradebook:assignments", args=[book.school.pk]),
        reverse("gradebook:locks", args=[book.school.pk]),
    ):
        html = client.get(url).content.decode()
        for key in ("progress", "assignments", "locks", "change_requests", "summary_xlsx"):
            assert f'data-nav="{key}"' in html, (url, key)
    html = client.get(reverse("gradebook:conduct", args=[book.school_class.pk])).content.decode()
    assert 'data-nav="locks"' in html
    client.force_login(book.office)
    html = client.get(reverse("gradebook:progress_school", args=[book.school.pk])).content.decode()
    assert 'data-nav="progress"' in html and 'data-nav="locks"' not in html


def test_a_subjects_columns_are_spelled_once():
    short = SubjectRule(school_year="2026-2027", regulation="tt22_2021", grade=6, subject="X", periods_per_year=35,
                        assessed_by="score")  # fmt: skip
    long = SubjectRule(school_year="2026-2027", regulation="tt22_2021", grade=6, subject="Y", periods_per_year=140,
                       assessed_by="score")  # fmt: skip
    assert short.columns() == [("tx", 1), ("tx", 2), ("gk", 1), ("ck", 1)]
    assert long.columns() == [("tx", 1), ("tx", 2), ("tx", 3), ("tx", 4), ("gk", 1), ("ck", 1)]
    assert [c.label for c in columns_of(long)] == ["TX1", "TX2", "TX3", "TX4", "GK", "CK"]
    assert [(c.kind, c.index) for c in columns_of(short)] == short.columns()
