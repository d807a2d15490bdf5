from django.urls import path

from . import views, views_structure

app_name = "units"
urlpatterns = [
    path("<id:pk>/", views.unit_space, name="space"),
    path("<id:pk>/thanh-vien/", views.unit_people, name="people"),
    path("<id:pk>/khai-bao/", views.unit_declare, name="declare"),
    path("<id:pk>/nhat-ky/", views.unit_audit, name="audit"),
    path("<id:pk>/vai-tro/", views.unit_roles, name="roles"),
    path("<id:pk>/vai-tro/go-bo/", views.unit_role_remove, name="role_remove"),
    path("<id:pk>/chu-nhiem/", views.school_homerooms, name="homerooms"),
    path("nam-hoc/", views.school_years, name="school_years"),
    path("nam-hoc/them/", views.school_year_create, name="school_year_create"),
    path("nam-hoc/<id:pk>/sua/", views.school_year_edit, name="school_year_edit"),
    path("<id:pk>/nam-hoc/", views.department_school_years, name="school_years_department"),
    path("<id:pk>/nam-hoc/<id:year>/dieu-chinh/", views.department_school_year_adjust, name="school_year_adjust"),
    path("<id:pk>/co-cau/", views_structure.unit_structure, name="structure"),
    path("<id:pk>/co-cau/them/", views_structure.unit_add, name="unit_add"),
    path("<id:pk>/doi-ten/", views_structure.unit_edit, name="unit_edit"),
    path("<id:pk>/chuyen/", views_structure.unit_move, name="unit_move"),
    path("<id:pk>/hop-nhat/", views_structure.unit_merge, name="unit_merge"),
    path("<id:pk>/dong/", views_structure.unit_close, name="unit_close"),
    path("<id:pk>/mo-lai/", views_structure.unit_reopen, name="unit_reopen"),
    path("<id:pk>/cum-truong/", views_structure.cluster_list, name="clusters"),
    path("<id:pk>/cum-truong/them/", views_structure.cluster_add, name="cluster_add"),
    path("cum-truong/<id:pk>/sua/", views_structure.cluster_edit, name="cluster_edit"),
    path("cum-truong/<id:pk>/xoa/", views_structure.cluster_remove, name="cluster_remove"),
    path("<id:pk>/nhap-don-vi/", views.unit_import_upload, name="import"),
    path("<id:pk>/mau-nhap-don-vi.xlsx", views.unit_import_template, name="import_template"),
    path("nhap-don-vi/<id:pk>/", views.unit_import_batch, name="import_batch"),
    path("nhap-don-vi/<id:pk>/ap-dung/", views.unit_import_confirm_view, name="import_confirm"),
]
