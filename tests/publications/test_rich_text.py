"""Issue #12, point 7: news articles and letters are written with the editor; what is posted is stored
sanitised and shown formatted."""

import pytest
from django.urls import reverse

from publications.models import Article
from publications.services import news as news_services

pytestmark = pytest.mark.django_db

BODY = (
    "<h2>Lễ khai giảng</h2><p>Sáng nay trường tổ chức <strong>lễ khai giảng</strong> năm học mới.</p>"
    "<ul><li>Chào cờ</li><li>Đọc thư của Chủ tịch nước</li></ul>"
)


def test_an_article_written_with_the_editor_is_stored_sanitised_and_shown(client, tree, people):
    client.force_login(people.teacher)
    url = reverse("news:new")
    assert 'data-rich-text="1"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"unit": tree.s1.pk, "title": "Khai giảng", "body": BODY + '<p><img src=x onerror="alert(1)">Hết</p>'},
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert article.body == BODY + "<p>Hết</p>"
    html = client.get(reverse("news:detail", args=[article.pk])).content.decode()
    assert BODY in html and "onerror" not in html


def test_an_older_plain_text_article_keeps_its_lines(client, tree, people):
    article = news_services.article_create(
        actor=people.teacher, unit=tree.s1, title="Tin cũ", summary="", body="<p>Tạm</p>"
    )
    Article.objects.filter(pk=article.pk).update(body="Dòng 1\nDòng 2")  # as older rows were stored
    client.force_login(people.teacher)
    html = client.get(reverse("news:detail", args=[article.pk])).content.decode()
    assert "<p>Dòng 1<br>Dòng 2</p>" in html
