"""Official letters (công văn), mounted at /cong-van/ with the namespace "letters"."""

from django.urls import path

from .views import letters as views

app_name = "letters"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("da-gui/", views.sent, name="sent"),
    path("soan-moi/", views.letter_new, name="new"),
    path("<int:pk>/", views.letter_detail, name="detail"),
    path("<int:pk>/sua/", views.letter_edit, name="edit"),
    path("<int:pk>/ban-hanh/", views.letter_issue, name="issue"),
    path("<int:pk>/da-doc/", views.receipts, name="receipts"),
    path("<int:pk>/nhac-nho/", views.remind, name="remind"),
    path("<int:pk>/chuyen-tiep/", views.forward, name="forward"),
    path("tep/<int:pk>/", views.attachment, name="attachment"),
]

# The archive (helper "archive"): kept at the end so each helper appends only.
from .views import archive  # noqa: E402

urlpatterns += archive.urlpatterns
