from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("<int:pk>/", views.unit_space, name="space"),
    path("<int:pk>/thanh-vien/", views.unit_people, name="people"),
    path("<int:pk>/khai-bao/", views.unit_declare, name="declare"),
    path("<int:pk>/nhat-ky/", views.unit_audit, name="audit"),
]
