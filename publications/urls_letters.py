"""Official letters (công văn), mounted at /cong-van/ with the namespace "letters"."""

from django.urls import path

from .views import letters as views
from .views import parents

app_name = "letters"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("da-gui/", views.sent, name="sent"),
    path("soan-moi/", views.letter_new, name="new"),
    path("<id:pk>/", views.letter_detail, name="detail"),
    path("<id:pk>/sua/", views.letter_edit, name="edit"),
    path("<id:pk>/ban-hanh/", views.letter_issue, name="issue"),
    path("<id:pk>/da-doc/", views.receipts, name="receipts"),
    path("<id:pk>/nhac-nho/", views.remind, name="remind"),
    path("<id:pk>/chuyen-tiep/", views.forward, name="forward"),
    path("tep/<id:pk>/", views.attachment, name="attachment"),
    path("phu-huynh/", parents.parent_publications, name="parents"),
]

# The archive (helper "archive"): kept at the end so each helper appends only.
from .views import archive  # noqa: E402

urlpatterns += archive.urlpatterns
