"""Experiential activities (issue #18, point 5); included by contests/urls.py in the `contests` namespace."""

from django.urls import path

from . import views_activities as views

urlpatterns = [
    path("hoat-dong/", views.activity_list, name="activities"),
    path("hoat-dong/moi/", views.activity_new, name="activity_new"),
    path("hoat-dong/cua-em/", views.my_activities, name="my_activities"),
    path("hoat-dong/cua-con/", views.child_activities, name="child_activities"),
    path("hoat-dong/<id:pk>/", views.activity_detail, name="activity"),
    path("hoat-dong/<id:pk>/sua/", views.activity_edit, name="activity_edit"),
    path("hoat-dong/<id:pk>/mo/", views.activity_open, name="activity_open"),
    path("hoat-dong/<id:pk>/dong/", views.activity_close, name="activity_close"),
    path("hoat-dong/<id:pk>/giai-doan/moi/", views.stage_new, name="activity_stage_new"),
    path("hoat-dong/<id:pk>/nhom/moi/", views.team_new, name="activity_team_new"),
    path("hoat-dong/<id:pk>/hoc-sinh/", views.student_activity, name="my_activity"),
    path("hoat-dong/<id:pk>/danh-gia/", views.assessment_submit, name="activity_assess"),
    path("hoat-dong/giai-doan/<id:pk>/sua/", views.stage_edit, name="activity_stage_edit"),
    path("hoat-dong/giai-doan/<id:pk>/nop/", views.stage_submit, name="activity_stage_submit"),
    path("hoat-dong/nhom/<id:pk>/", views.team_detail, name="activity_team"),
    path("hoat-dong/nhom/<id:pk>/xoa/", views.team_remove, name="activity_team_remove"),
    path("hoat-dong/nhom/<id:pk>/vao/", views.team_join, name="activity_team_join"),
    path("hoat-dong/nhom/<id:pk>/du-thi/", views.team_enter_contest, name="activity_enter"),
    path("hoat-dong/san-pham/<id:pk>/tep/", views.stage_file, name="activity_file"),
]
