from django.urls import path

app_name = "gradebook"

urlpatterns: list = []

# Deadlines, locks, change requests, a mark's history, absences, conduct, comments (issue #16, point 4).
from . import views_locks  # noqa: E402

urlpatterns += [
    path("truong/<id:school_id>/khoa-so/", views_locks.locks_page, name="locks"),
    path("khoa/<id:pk>/huy/", views_locks.lock_cancel, name="lock_cancel"),
    path("diem/<id:mark_id>/yeu-cau-sua/", views_locks.change_request_new, name="change_request_new"),
    path("diem/<id:mark_id>/lich-su/", views_locks.mark_history, name="mark_history"),
    path("yeu-cau-sua-diem/", views_locks.change_requests, name="change_requests"),
    path("yeu-cau-sua-diem/<id:pk>/", views_locks.change_request_detail, name="change_request"),
    path("lop/<id:class_id>/chuyen-can/", views_locks.class_absences, name="absences"),
    path("vang/<id:pk>/xoa/", views_locks.absence_remove, name="absence_remove"),
    path("lop/<id:class_id>/hanh-kiem/", views_locks.class_conduct, name="conduct"),
    path("lop/<id:class_id>/nhan-xet/", views_locks.class_comments, name="comments"),
]
