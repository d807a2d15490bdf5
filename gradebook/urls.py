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

from . import views_assign, views_imports  # noqa: E402  (the assignments part of #16)

urlpatterns += [
    path("truong/<id:school_id>/phan-cong/", views_assign.assignments, name="assignments"),
    path("truong/<id:school_id>/phan-cong/sao-chep-hk2/", views_assign.assignments_copy, name="assignments_copy"),
    path("phan-cong/<id:pk>/xoa/", views_assign.assignment_remove, name="assignment_remove"),
    path("lop-cua-toi/", views_assign.my_classes, name="my_classes"),
    path("lop/<id:class_id>/hk<int:semester>/<str:subject>/xlsx/", views_assign.grid_export, name="grid_export"),
    path("lop/<id:class_id>/hk<int:semester>/<str:subject>/tai-len/", views_imports.grid_upload, name="grid_upload"),
    path("nhap-diem/<id:pk>/", views_imports.mark_import, name="mark_import"),
    path("nhap-diem/<id:pk>/xac-nhan/", views_imports.grid_upload_confirm, name="grid_upload_confirm"),
    path("nhap-diem/<id:pk>/huy/", views_imports.mark_import_cancel_view, name="mark_import_cancel"),
]

urlpatterns += [
    path("truong/<id:school_id>/phan-cong/nhap/", views_imports.assignments_import, name="assignments_import"),
    path("nhap-phan-cong/<id:pk>/", views_imports.assignment_import, name="assignment_import"),
    path(
        "nhap-phan-cong/<id:pk>/xac-nhan/",
        views_imports.assignment_import_confirm_view,
        name="assignment_import_confirm",
    ),
    path("nhap-phan-cong/<id:pk>/huy/", views_imports.assignment_import_cancel_view, name="assignment_import_cancel"),
]

urlpatterns += [
    path("diem-tu-bai-kiem-tra/", views_assign.score_sources, name="score_sources"),
    path("diem-tu-bai-kiem-tra/<str:kind>/<id:pk>/", views_assign.scores_send, name="scores_send"),
]

# --- the grid part: entering marks like a spreadsheet, and the class book overview ---
from . import views_grid  # noqa: E402

urlpatterns += [
    path("lop/<id:class_id>/hk<int:semester>/", views_grid.class_book, name="class_book"),
    path("lop/<id:class_id>/hk<int:semester>/<str:subject>/", views_grid.grid, name="grid"),
    path("lop/<id:class_id>/hk<int:semester>/<str:subject>/luu/", views_grid.cell_save, name="cell_save"),
]

from . import views_progress  # noqa: E402  (progress part of issue #16)

urlpatterns += [
    path("tien-do/<id:pk>/", views_progress.school_progress, name="progress_school"),
    path("diem-cua-toi/", views_progress.my_marks, name="my_marks"),
]
# --- print: the class book, report cards, the semester summary (issue #16, point 7) ---
from . import views_print  # noqa: E402

urlpatterns += [
    path("lop/<id:pk>/in/", views_print.class_print, name="class_print"),
    path("lop/<id:pk>/so-goi-ten-ghi-diem.pdf", views_print.class_book_pdf, name="class_book_pdf"),
    path("lop/<id:pk>/so-goi-ten-ghi-diem.xlsx", views_print.class_book_xlsx, name="class_book_xlsx"),
    path("lop/<id:pk>/phieu-bao-diem.pdf", views_print.report_cards_pdf, name="report_cards_pdf"),
    path(
        "truong/<id:pk>/tong-hop/hk<int:semester>.<str:fmt>",
        views_print.semester_summary,
        name="semester_summary",
    ),
]
