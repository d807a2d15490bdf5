"""News pages (namespace "news", mounted at /tin-tuc/)."""

from django.urls import path

from .views import news as views

app_name = "news"
urlpatterns = [
    path("", views.news_list, name="list"),
    path("viet-bai/", views.article_new, name="new"),
    path("cua-toi/", views.mine, name="mine"),
    path("cho-duyet/", views.review_queue, name="review_queue"),
    path("<int:pk>/", views.news_detail, name="detail"),
    path("<int:pk>/anh-bia/", views.cover, name="cover"),
    path("<int:pk>/anh/<int:image_pk>/", views.picture, name="picture"),
    path("<int:pk>/sua/", views.article_edit, name="edit"),
    path("<int:pk>/gui-duyet/", views.article_submit, name="submit"),
    path("<int:pk>/duyet/", views.article_review, name="review"),
    path("<int:pk>/dua-len/", views.article_promote, name="promote"),
    path("<int:pk>/xoa/", views.article_delete, name="delete"),
    path("<int:pk>/khoi-phuc/", views.article_restore, name="restore"),
]
