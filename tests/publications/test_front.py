"""Front pages: the public home page (national news and public letters), the "News and letters" card of a
person's own space, and a unit's space (its own and its parents' news and letters), each in a fixed
number of queries."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from publications.models import Article
from publications.selectors import front
from tests.accounts.factories import make_person
from tests.publications.test_archive import make_letter
from units.models import Role


def make_article(*, unit, author, title, status=Article.Status.APPROVED, promoted_to=None, days_ago=0, **extra):
    published = timezone.now() - timezone.timedelta(days=days_ago)
    return Article.objects.create(
        unit=unit,
        author=author,
        title=title,
        summary=extra.pop("summary", "Tóm tắt bài viết"),
        body="<p>Nội dung</p>",
        status=status,
        published_at=published if status == Article.Status.APPROVED else None,
        promoted_to=promoted_to,
        promoted_at=published if promoted_to else None,
        **extra,
    )


def titles(html: str) -> list[str]:
    """Titles of the news cards, in page order."""
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r'<h3 class="h6 card-title[^"]*">(.*?)</h3>', html)]


def letter_refs(html: str) -> list[str]:
    return re.findall(r'<span class="fw-semibold text-body text-nowrap">No\. ([^<]+)</span>', html)


@pytest.fixture
def news(tree, people):
    a = people.teacher
    return {
        "s1": make_article(unit=tree.s1, author=a, title="Lễ khai giảng Trần Phú", days_ago=1),
        "s1_national": make_article(
            unit=tree.s1, author=a, title="Trần Phú đoạt giải quốc gia", promoted_to=tree.ministry, days_ago=2
        ),
        "s1_office": make_article(
            unit=tree.s1, author=a, title="Hội giảng cụm", promoted_to=tree.office_a1, days_ago=3
        ),
        "s2": make_article(unit=tree.s2, author=people.s2_admin, title="Tiên Tân trồng cây", days_ago=1),
        "office": make_article(unit=tree.office_a1, author=people.phong, title="Phòng tập huấn", days_ago=4),
        "dept_a": make_article(unit=tree.dept_a, author=people.so, title="Sở tổng kết năm học", days_ago=5),
        "ministry": make_article(unit=tree.ministry, author=people.bo, title="Bộ ban hành chương trình", days_ago=6),
        "s3_national": make_article(
            unit=tree.s3, author=people.so_b, title="Yên Thắng lên báo", promoted_to=tree.ministry, days_ago=7
        ),
        "draft": make_article(unit=tree.s1, author=a, title="Bản nháp", status=Article.Status.DRAFT),
        "waiting": make_article(unit=tree.s1, author=a, title="Chờ duyệt", status=Article.Status.SUBMITTED),
        "deleted": make_article(
            unit=tree.ministry, author=people.bo, title="Đã gỡ", deleted_at=timezone.now(), deleted_by=people.bo
        ),
    }


@pytest.fixture
def front_letters(tree):
    return {
        "public": make_letter(
            issuer=tree.ministry, number=5, symbol="BGDĐT", subject="V/v công khai", is_public=True,
            issued_on=date(2024, 9, 1),
        ),
        "private": make_letter(
            issuer=tree.ministry, number=6, symbol="BGDĐT", subject="V/v gửi các Sở", to=[tree.dept_a, tree.dept_b],
            issued_on=date(2024, 9, 2),
        ),
        "to_s1": make_letter(
            issuer=tree.dept_a, number=7, symbol="SGDĐT", subject="V/v gửi Trần Phú", to=[tree.s1],
            issued_on=date(2024, 9, 3),
        ),
        "to_s2": make_letter(
            issuer=tree.office_a1, number=8, symbol="PGDĐT", subject="V/v gửi Tiên Tân", to=[tree.s2],
            issued_on=date(2024, 9, 4),
        ),
        "by_s1": make_letter(
            issuer=tree.s1, number=9, symbol="THCS", subject="V/v của trường", to=[tree.g1], issued_on=date(2024, 9, 5),
        ),
    }  # fmt: skip


def test_anonymous_home_is_the_public_front_page(client, news, front_letters):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert titles(html) == ["Trần Phú đoạt giải quốc gia", "Bộ ban hành chương trình", "Yên Thắng lên báo"]
    assert letter_refs(html) == ["5/BGDĐT"]
    assert 'data-testid="front-login"' in html and reverse("account_login") in html
    assert "Trường THCS Trần Phú" in html  # the article's unit
    assert news["s1_national"].published_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y") in html


def test_anonymous_front_page_with_nothing_published(client, tree):
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="front-no-news"' in html and 'data-testid="front-no-letters"' in html


def test_anonymous_front_page_in_a_fixed_number_of_queries(client, tree, people, django_assert_max_num_queries):
    for i in range(2):
        make_article(unit=tree.ministry, author=people.bo, title=f"Tin {i}")
        make_letter(issuer=tree.ministry, number=i + 1, symbol="BGDĐT", subject=f"V/v {i}", is_public=True)
    with django_assert_max_num_queries(3) as two:
        client.get(reverse("home"))
    for i in range(2, 12):
        make_article(unit=tree.ministry, author=people.bo, title=f"Tin {i}")
        make_letter(issuer=tree.ministry, number=i + 1, symbol="BGDĐT", subject=f"V/v {i}", is_public=True)
    with django_assert_max_num_queries(len(two.captured_queries)):
        html = client.get(reverse("home")).content.decode()
    assert len(titles(html)) == front.FRONT_LIMIT and len(letter_refs(html)) == front.FRONT_LIMIT


def test_signed_in_home_keeps_my_space_with_news_and_letters(client, people, news, front_letters):
    client.force_login(people.teacher)
    html = client.get(reverse("home")).content.decode()
    assert "My space" in html and 'data-testid="home-front"' in html
    # Issue #12: the newest news of the teacher's own school and the units above it, not only national news.
    assert titles(html) == ["Lễ khai giảng Trần Phú", "Trần Phú đoạt giải quốc gia", "Hội giảng cụm"]
    # Letters the teacher may see: sent to S1 or their group, and public ones; not those to the Departments or to S2.
    assert letter_refs(html) == ["9/THCS", "7/SGDĐT", "5/BGDĐT"]


def test_school_space_shows_its_own_and_its_parents_news_and_letters(client, tree, people, news, front_letters):
    client.force_login(people.teacher)
    html = client.get(reverse("units:space", args=[tree.s1.pk])).content.decode()
    assert 'data-testid="unit-front"' in html
    assert titles(html) == [
        "Lễ khai giảng Trần Phú",
        "Trần Phú đoạt giải quốc gia",
        "Hội giảng cụm",
        "Phòng tập huấn",
        "Sở tổng kết năm học",
        "Bộ ban hành chương trình",
    ]
    # Issued by the school or the units above, and visible to the teacher.
    assert letter_refs(html) == ["9/THCS", "7/SGDĐT", "5/BGDĐT"]


def test_office_space_shows_articles_promoted_to_it_or_above_from_its_schools(tree, people, news, front_letters):
    office = front.unit_front(unit=tree.office_a1, user=people.phong)
    assert [a.title for a in office["articles"]] == [
        "Trần Phú đoạt giải quốc gia",
        "Hội giảng cụm",
        "Phòng tập huấn",
        "Sở tổng kết năm học",
        "Bộ ban hành chương trình",
    ]
    assert [letter.reference for letter in office["letters"]] == ["8/PGDĐT", "5/BGDĐT"]
    dept_b = front.unit_front(unit=tree.dept_b, user=people.so_b)
    assert [a.title for a in dept_b["articles"]] == ["Bộ ban hành chương trình", "Yên Thắng lên báo"]
    assert [letter.reference for letter in dept_b["letters"]] == ["6/BGDĐT", "5/BGDĐT"]


def test_unit_front_never_shows_letters_the_visitor_may_not_see(tree, news, front_letters):
    s2_teacher = make_person(unit=tree.g3, role=Role.TEACHER)
    s2 = front.unit_front(unit=tree.s2, user=s2_teacher)
    assert [letter.reference for letter in s2["letters"]] == ["8/PGDĐT", "5/BGDĐT"]
    assert s2["articles"][0].title == "Tiên Tân trồng cây"
    assert "Lễ khai giảng Trần Phú" not in [a.title for a in s2["articles"]]


def test_unit_space_front_in_a_fixed_number_of_queries(client, tree, people, django_assert_max_num_queries):
    def add(start, stop):
        for i in range(start, stop):
            make_article(unit=tree.s1, author=people.teacher, title=f"Tin {i}")
            make_letter(issuer=tree.dept_a, number=i + 1, subject=f"V/v {i}", to=[tree.s1])

    add(0, 1)
    client.force_login(people.teacher)
    url = reverse("units:space", args=[tree.s1.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as one:
        client.get(url)
    add(1, 10)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(url).content.decode()
    assert len(titles(html)) == front.FRONT_LIMIT and len(letter_refs(html)) == front.FRONT_LIMIT
