from django.urls import path

app_name = "gradebook"

urlpatterns: list = []

from . import views_progress  # noqa: E402  (progress part of issue #16)

urlpatterns += [
    path("tien-do/<int:pk>/", views_progress.school_progress, name="progress_school"),
    path("diem-cua-toi/", views_progress.my_marks, name="my_marks"),
]
