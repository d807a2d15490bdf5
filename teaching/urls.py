from django.urls import path

from . import views, views_timetable

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
    path("ti-le-truc-tuyen/<id:unit_id>/", views.share_page, name="share"),
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
