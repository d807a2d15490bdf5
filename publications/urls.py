from django.urls import path

from . import views

app_name = "publications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("da-gui/", views.sent, name="sent"),
    path("tao-moi/", views.request_new, name="new"),
    path("<int:pk>/", views.request_status, name="status"),
    path("<int:pk>/nhac-nho/", views.request_remind, name="remind"),
    path("<int:pk>/mau/", views.template_download, name="template"),
    path("nop/<int:pk>/", views.recipient_detail, name="recipient"),
    path("tep/<int:pk>/", views.submission_download, name="submission_file"),
]
