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
]
