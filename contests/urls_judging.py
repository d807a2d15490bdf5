"""Judging, results, certificates and achievements (issue #18, points 3 and 4); included by contests/urls.py
in the `contests` namespace."""

from django.urls import path

from . import views_judging as views

urlpatterns = [
    path("cham/", views.judge_queue, name="judge_queue"),
    path("cham/<id:pk>/", views.judge_score, name="judge_score"),
    path("cham/<id:pk>/tep/", views.judge_file, name="judge_file"),
    path("vong/<id:pk>/giam-khao/", views.round_judges, name="round_judges"),
    path("vong/<id:pk>/tieu-chi/", views.round_rubric, name="round_rubric"),
    path("vong/<id:pk>/giam-khao/phan-cong/", views.round_assign, name="round_assign"),
    path("vong/<id:pk>/giam-khao/<id:judge_pk>/bo/", views.round_judge_remove, name="round_judge_remove"),
    path("vong/<id:pk>/khoa-diem/", views.round_lock, name="round_lock"),
    path("vong/<id:pk>/ket-qua/", views.round_prizes, name="round_prizes"),
    path("vong/<id:pk>/ket-qua/trao-giai/", views.round_awards, name="round_awards"),
    path("vong/<id:pk>/ket-qua/cong-bo/", views.round_publish, name="round_publish"),
    path("chung-nhan/<id:pk>/", views.certificate_download, name="certificate_download"),
    path("xac-minh/", views.certificate_lookup, name="certificate_lookup"),
    path("xac-minh/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("thanh-tich/", views.achievements, name="achievements"),
    path("thanh-tich/<id:pk>/", views.achievements, name="achievements_of"),
]
