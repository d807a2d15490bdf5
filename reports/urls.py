from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("don-vi/<int:pk>/", views.stats_dashboard, name="dashboard"),
    path("don-vi/<int:pk>/xuat.<str:fmt>", views.stats_export, name="export"),
    path("don-vi/<int:pk>/in/", views.stats_print, name="print"),
    path("don-vi/<int:pk>/cap-nhat/", views.stats_recompute, name="recompute"),
    path("don-vi/<int:pk>/muc-tieu/", views.stats_targets, name="targets"),
    path("truong/<int:pk>/hoat-dong/", views.school_activity, name="activity"),
    path("truong/<int:pk>/chuyen-de/", views.school_topics, name="topics"),
]
