"""News pages (namespace "news", mounted at /tin-tuc/)."""

from django.urls import path

from .views import news as views

app_name = "news"
urlpatterns = [
    path("", views.news_list, name="list"),
    path("viet-bai/", views.article_new, name="new"),
    path("cua-toi/", views.mine, name="mine"),
    path("cho-duyet/", views.review_queue, name="review_queue"),
    path("<id:pk>/", views.news_detail, name="detail"),
    path("<id:pk>/anh-bia/", views.cover, name="cover"),
    path("<id:pk>/anh/<id:image_pk>/", views.picture, name="picture"),
    path("<id:pk>/sua/", views.article_edit, name="edit"),
    path("<id:pk>/gui-duyet/", views.article_submit, name="submit"),
    path("<id:pk>/duyet/", views.article_review, name="review"),
    path("<id:pk>/dua-len/", views.article_promote, name="promote"),
    path("<id:pk>/xoa/", views.article_delete, name="delete"),
    path("<id:pk>/khoi-phuc/", views.article_restore, name="restore"),
]
