from django.urls import path

app_name = "gradebook"

urlpatterns: list = []

from . import views_assign  # noqa: E402  (the assignments part of #16)

urlpatterns += [
    path("truong/<id:school_id>/phan-cong/", views_assign.assignments, name="assignments"),
    path("truong/<id:school_id>/phan-cong/sao-chep-hk2/", views_assign.assignments_copy, name="assignments_copy"),
    path("phan-cong/<id:pk>/xoa/", views_assign.assignment_remove, name="assignment_remove"),
    path("lop-cua-toi/", views_assign.my_classes, name="my_classes"),
    path("lop/<id:class_id>/hk<int:semester>/<str:subject>/xlsx/", views_assign.grid_export, name="grid_export"),
    path("lop/<id:class_id>/hk<int:semester>/<str:subject>/tai-len/", views_assign.grid_upload, name="grid_upload"),
    path(
        "lop/<id:class_id>/hk<int:semester>/<str:subject>/tai-len/xac-nhan/",
        views_assign.grid_upload_confirm,
        name="grid_upload_confirm",
    ),
]

urlpatterns += [
    path("truong/<id:school_id>/phan-cong/nhap/", views_assign.assignments_import, name="assignments_import"),
]

urlpatterns += [
    path("diem-tu-bai-kiem-tra/", views_assign.score_sources, name="score_sources"),
    path("diem-tu-bai-kiem-tra/<str:kind>/<id:pk>/", views_assign.scores_send, name="scores_send"),
]
