from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("<id:pk>/", views.unit_space, name="space"),
    path("<id:pk>/thanh-vien/", views.unit_people, name="people"),
    path("<id:pk>/khai-bao/", views.unit_declare, name="declare"),
    path("<id:pk>/nhat-ky/", views.unit_audit, name="audit"),
    path("<id:pk>/nhap-don-vi/", views.unit_import_upload, name="import"),
    path("<id:pk>/mau-nhap-don-vi.xlsx", views.unit_import_template, name="import_template"),
    path("nhap-don-vi/<id:pk>/", views.unit_import_batch, name="import_batch"),
    path("nhap-don-vi/<id:pk>/ap-dung/", views.unit_import_confirm_view, name="import_confirm"),
]
