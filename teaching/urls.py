from django.urls import path

from . import views, views_imports

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
]
