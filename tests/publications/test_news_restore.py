"""Who may restore a removed article: an author undoes their own removal, never a manager's; the page's
button and the restore URL follow the same rule."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from publications.permissions import news as perms
from publications.selectors import news as news_selectors
from publications.services import news as news_services

from .test_news import published


@pytest.fixture
def removed_by_manager(tree, people):
    article = published(people.teacher, people.phong, tree.s1)
    news_services.article_delete(actor=people.s1_admin, article=article)
    return article


def test_an_author_cannot_undo_the_managers_removal(tree, people, removed_by_manager):
    article = removed_by_manager
    assert not perms.can_restore_article(people.teacher, article)
    with pytest.raises(ValidationError):
        news_services.article_restore(actor=people.teacher, article=article)
    article.refresh_from_db()
    assert article.is_deleted and article not in news_selectors.news_published()
    news_services.article_restore(actor=people.s1_admin, article=article)
    assert not article.is_deleted and article in news_selectors.news_published()


def test_an_author_restores_what_they_removed_themselves(tree, people):
    article = published(people.teacher, people.phong, tree.s1)
    news_services.article_delete(actor=people.teacher, article=article)
    news_services.article_restore(actor=people.teacher, article=article)
    assert not article.is_deleted


def test_restore_page_and_button_follow_the_rule(client, tree, people, removed_by_manager):
    article = removed_by_manager
    client.force_login(people.teacher)
    html = client.get(reverse("news:detail", args=[article.pk])).content.decode()
    assert 'data-testid="restore"' not in html
    assert client.post(reverse("news:restore", args=[article.pk])).status_code == 403
    article.refresh_from_db()
    assert article.is_deleted
    client.force_login(people.s1_admin)
    html = client.get(reverse("news:detail", args=[article.pk])).content.decode()
    assert 'data-testid="restore"' in html
