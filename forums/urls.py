from django.urls import path

from . import views, views_homeroom

app_name = "forums"
urlpatterns = [
    path("", views.index, name="index"),
    path("kiem-duyet/", views.moderation, name="moderation"),
    path("kiem-duyet/bao-cao/<id:pk>/", views.report_resolve, name="report_resolve"),
    path("don-vi/<id:unit_pk>/", views.unit_forum, name="unit_forum"),
    path("<id:pk>/", views.forum_detail, name="forum"),
    path("<id:pk>/chu-de-moi/", views.thread_new, name="thread_new"),
    path("<id:pk>/dieu-hanh/", views.moderators, name="moderators"),
    path("chu-de/<id:pk>/", views.thread_detail, name="thread"),
    path("chu-de/<id:pk>/khoa/", views.thread_lock_toggle, name="thread_lock"),
    path("chu-de/<id:pk>/xoa/", views.thread_remove, name="thread_delete"),
    path("chu-de/<id:pk>/theo-doi/", views.thread_follow, name="thread_follow"),
    path("chu-de/<id:pk>/cong-khai/", views.question_publish, name="question_publish"),
    path("bai/<id:pk>/", views.post_link, name="post"),
    path("bai/<id:pk>/sua/", views.post_change, name="post_edit"),
    path("bai/<id:pk>/bao-cao/", views.post_flag, name="post_report"),
    path("bai/<id:pk>/an/", views.post_hide_view, name="post_hide"),
    path("bai/<id:pk>/hien/", views.post_restore_view, name="post_restore"),
    path("bai/<id:pk>/xoa/", views.post_remove, name="post_delete"),
    path("bai/<id:pk>/chon-tra-loi/", views.answer_accept, name="answer_accept"),
    path("tep/<id:pk>/", views.attachment_download, name="attachment"),
    path("gvcn/", views_homeroom.homeroom_list, name="homeroom_list"),
    path("gvcn/hoc-sinh/<id:child_pk>/", views_homeroom.homeroom, name="homeroom"),
]
