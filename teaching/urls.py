from django.urls import path

from . import views, views_imports, views_live, views_records, views_timetable

app_name = "teaching"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("moi/", views.plan_new, name="plan_new"),
    path("<id:pk>/", views.plan_detail, name="plan"),
    path("<id:pk>/sua/", views.plan_edit, name="plan_edit"),
    path("<id:pk>/them-dong/", views.lesson_add, name="lesson_add"),
    path("<id:pk>/gui-duyet/", views.plan_submit, name="plan_submit"),
    path("<id:pk>/duyet/", views.plan_decide, name="plan_decide"),
    path("<id:pk>/ke-hoach.xlsx", views.plan_export, name="plan_xlsx"),
    path("dong/<id:pk>/", views.lesson_save, name="lesson_save"),
    path("dong/<id:pk>/xoa/", views.lesson_remove, name="lesson_remove"),
    path("dong/<id:pk>/len/", views.lesson_move, {"offset": -1}, name="lesson_up"),
    path("dong/<id:pk>/xuong/", views.lesson_move, {"offset": 1}, name="lesson_down"),
    path("<id:pk>/nhap-xlsx/", views_imports.plan_import_into, name="plan_import_into"),
    path("nhap-xlsx/", views_imports.plan_import_new, name="plan_import_new"),
    path("nhap-xlsx/<id:pk>/", views_imports.plan_import, name="plan_import"),
    path("nhap-xlsx/<id:pk>/ghi/", views_imports.plan_import_confirm_view, name="plan_import_confirm"),
    path("nhap-xlsx/<id:pk>/huy/", views_imports.plan_import_cancel_view, name="plan_import_cancel"),
    path("ti-le-truc-tuyen/<id:unit_id>/", views.share_page, name="share"),
    # Live lessons (point 4): join, attendance sheet, a student's own, a parent's child's.
    path("truc-tuyen/<id:pk>/vao/", views_live.live_join, name="live_join"),
    path("truc-tuyen/<id:pk>/diem-danh/", views_live.attendance_page, name="attendance"),
    path("diem-danh-truc-tuyen/", views_live.my_attendance, name="my_attendance"),
    path("diem-danh-truc-tuyen/con/<id:student_id>/", views_live.my_attendance, name="child_attendance"),
    path("ho-so/truong/<id:school_id>/", views_records.school_record, name="school_record"),
    path("ho-so/to/<id:group_id>/", views_records.group_record, name="group_record"),
    path("ho-so/giao-vien/<id:school_id>/<id:user_id>/", views_records.teacher_record, name="teacher_record"),
    path("ho-so/luu-tru/<id:pk>/", views_records.archive_status, name="archive_status"),
    path("ho-so/luu-tru/<id:pk>/tai-ve/", views_records.archive_download, name="archive_download"),
    # The timetable (thời khóa biểu).
    path("tkb/truong/<id:school_id>/", views_timetable.timetable_school, name="timetables"),
    path("tkb/truong/<id:school_id>/mau.xlsx", views_timetable.timetable_template, name="timetable_template"),
    path("tkb/nhap/<id:pk>/", views_timetable.timetable_import, name="timetable_import"),
    path("tkb/nhap/<id:pk>/xac-nhan/", views_timetable.timetable_import_confirm_view, name="timetable_import_confirm"),
    path("tkb/nhap/<id:pk>/huy/", views_timetable.timetable_import_cancel_view, name="timetable_import_cancel"),
    path("tkb/lop/<id:class_id>/", views_timetable.timetable_class, name="timetable_class"),
    path("tkb/<id:pk>/sua/", views_timetable.timetable_edit, name="timetable_edit"),
    path(
        "tkb/<id:pk>/o/<int:weekday>/<str:session>/<int:period>/",
        views_timetable.timetable_slot,
        name="timetable_slot",
    ),
    path("tkb/cua-toi/", views_timetable.my_timetable, name="my_timetable"),
]
