"""Issue #14, point 4: news pictures are private files. A published article's pictures are served to
anyone (cacheable); a draft's, a waiting or returned article's only to those who see the article; a
removed article's to nobody but its author and its unit's managers. Pictures uploaded before (still in
public media) are served by the same view."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from publications.models import Article
from publications.services import news as services
from tests.accounts.factories import make_person
from tests.publications.test_news import jpeg, write
from truonghoc.storage import private_storage
from units.models import Role

S = Article.Status


@pytest.fixture
def staff(tree, people):
    people.colleague = make_person(unit=tree.g1, role=Role.TEACHER)
    people.student = make_person(unit=tree.c1, role=Role.STUDENT)
    people.s2_teacher = make_person(unit=tree.g3, role=Role.TEACHER)
    return people


@pytest.fixture
def article(tree, staff):
    """A draft with a cover and one gallery picture, by a teacher of S1 (reviewed by Office A1)."""
    return write(staff.teacher, tree.s1, cover=jpeg("bia.jpg"), images=[jpeg("a.jpg")])


def picture_urls(article: Article) -> list[str]:
    return [article.cover_url, *(image.url for image in article.images.all())]


def status_for(client, user, url) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def test_pictures_are_kept_out_of_public_media(article):
    names = [article.cover.name, *(image.image.name for image in article.images.all())]
    for name in names:
        assert private_storage().exists(name)
        assert not default_storage.exists(name)  # nothing a web server would hand out under /media/
    for url in picture_urls(article):
        assert not url.startswith("/media/")


def test_a_drafts_pictures_are_for_those_who_see_the_draft_only(client, staff, article):
    for url in picture_urls(article):
        assert status_for(client, staff.teacher, url) == 200
        assert status_for(client, staff.s1_principal, url) == 200  # manages the article's unit
        assert status_for(client, staff.phong, url) == 200  # Office A1 reviews School S1's news
        for outsider in (None, staff.colleague, staff.student, staff.s2_teacher, staff.phong_a2):
            assert status_for(client, outsider, url) == 404, outsider
    client.force_login(staff.teacher)
    response = client.get(article.cover_url)
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"


def test_waiting_pictures_reach_the_reviewer_too(client, staff, article):
    services.article_submit(actor=staff.teacher, article=article)
    for url in picture_urls(article):
        assert status_for(client, staff.phong, url) == 200  # Office A1 reviews School S1's news
        assert status_for(client, staff.phong_a2, url) == 404  # another Office does not
        assert status_for(client, staff.student, url) == 404
        assert status_for(client, None, url) == 404


def test_published_pictures_are_public_and_cacheable(client, staff, article):
    services.article_submit(actor=staff.teacher, article=article)
    services.article_review(actor=staff.phong, article=article, approve=True)
    for url in picture_urls(article):
        client.logout()
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=3600"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # the re-encoded JPEG itself
    page = client.get(reverse("news:detail", args=[article.pk])).content.decode()
    for url in picture_urls(article):
        assert url.replace("&", "&amp;") in page


def test_returned_and_removed_articles_pictures_answer_404_to_everyone_else(client, staff, article):
    services.article_submit(actor=staff.teacher, article=article)
    services.article_review(actor=staff.phong, article=article, approve=False, note="Thiếu ảnh lớp học.")
    article.refresh_from_db()
    assert article.status == S.REJECTED
    for url in picture_urls(article):
        assert status_for(client, staff.teacher, url) == 200
        for outsider in (None, staff.colleague, staff.student, staff.s2_teacher):
            assert status_for(client, outsider, url) == 404

    services.article_submit(actor=staff.teacher, article=article)
    services.article_review(actor=staff.phong, article=article, approve=True)
    services.article_delete(actor=staff.s1_principal, article=article)
    for url in picture_urls(article):
        assert status_for(client, staff.s1_principal, url) == 200  # may restore it
        assert status_for(client, staff.teacher, url) == 200  # its author
        for outsider in (None, staff.colleague, staff.student, staff.s2_teacher, staff.phong_a2):
            assert status_for(client, outsider, url) == 404


def test_a_replaced_cover_gets_a_new_address(client, staff, article):
    old = article.cover_url
    services.article_update(actor=staff.teacher, article=article, title=article.title, body=article.body, cover=jpeg())
    article.refresh_from_db()
    assert article.cover_url != old and article.cover_url.split("?")[0] == old.split("?")[0]


def test_a_picture_of_another_article_is_not_served_under_this_one(client, tree, staff, article):
    other = write(staff.teacher, tree.s1, title="Bài khác", images=[jpeg("b.jpg")])
    image = other.images.get()
    client.force_login(staff.teacher)
    assert client.get(reverse("news:picture", args=[article.pk, image.pk])).status_code == 404
    assert client.get(reverse("news:picture", args=[other.pk, image.pk])).status_code == 200


def test_pictures_uploaded_before_are_served_and_moved_out_of_public_media(client, staff, article):
    """A picture kept in public media before issue #14 is served by the view under the same rule, and
    `news_pictures_private` moves it to private storage."""
    name = article.cover.name
    data = private_storage().open(name).read()
    private_storage().delete(name)
    default_storage.save(name, ContentFile(data))
    assert status_for(client, staff.student, article.cover_url) == 404
    assert status_for(client, staff.teacher, article.cover_url) == 200

    call_command("news_pictures_private", verbosity=0)
    assert private_storage().exists(name) and not default_storage.exists(name)
    assert status_for(client, staff.teacher, article.cover_url) == 200
    call_command("news_pictures_private", verbosity=0)  # again: nothing left to move, nothing breaks
    assert private_storage().exists(name)
