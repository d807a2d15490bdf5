from django.urls import path

from . import views

app_name = "forums"
urlpatterns = [
    path("", views.index, name="index"),
    path("kiem-duyet/", views.moderation, name="moderation"),
    path("kiem-duyet/bao-cao/<int:pk>/", views.report_resolve, name="report_resolve"),
    path("don-vi/<int:unit_pk>/", views.unit_forum, name="unit_forum"),
    path("<int:pk>/", views.forum_detail, name="forum"),
    path("<int:pk>/chu-de-moi/", views.thread_new, name="thread_new"),
    path("<int:pk>/dieu-hanh/", views.moderators, name="moderators"),
    path("chu-de/<int:pk>/", views.thread_detail, name="thread"),
    path("chu-de/<int:pk>/khoa/", views.thread_lock_toggle, name="thread_lock"),
    path("chu-de/<int:pk>/xoa/", views.thread_remove, name="thread_delete"),
    path("chu-de/<int:pk>/theo-doi/", views.thread_follow, name="thread_follow"),
    path("chu-de/<int:pk>/cong-khai/", views.question_publish, name="question_publish"),
    path("bai/<int:pk>/", views.post_link, name="post"),
    path("bai/<int:pk>/sua/", views.post_change, name="post_edit"),
    path("bai/<int:pk>/bao-cao/", views.post_flag, name="post_report"),
    path("bai/<int:pk>/an/", views.post_hide_view, name="post_hide"),
    path("bai/<int:pk>/hien/", views.post_restore_view, name="post_restore"),
    path("bai/<int:pk>/xoa/", views.post_remove, name="post_delete"),
    path("bai/<int:pk>/chon-tra-loi/", views.answer_accept, name="answer_accept"),
    path("tep/<int:pk>/", views.attachment_download, name="attachment"),
]
