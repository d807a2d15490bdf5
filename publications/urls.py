from django.urls import path

from . import views

app_name = "publications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("da-gui/", views.sent, name="sent"),
    path("tao-moi/", views.request_new, name="new"),
    path("<id:pk>/", views.request_status, name="status"),
    path("<id:pk>/nhac-nho/", views.request_remind, name="remind"),
    path("<id:pk>/mau/", views.template_download, name="template"),
    path("nop/<id:pk>/", views.recipient_detail, name="recipient"),
    path("tep/<id:pk>/", views.submission_download, name="submission_file"),
]
