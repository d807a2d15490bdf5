from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("<id:pk>/", views.unit_space, name="space"),
    path("<id:pk>/thanh-vien/", views.unit_people, name="people"),
    path("<id:pk>/khai-bao/", views.unit_declare, name="declare"),
    path("<id:pk>/nhat-ky/", views.unit_audit, name="audit"),
]
