from django.urls import path

from . import views

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
]
