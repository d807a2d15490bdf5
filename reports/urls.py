from django.urls import path

from . import views, views_online

app_name = "reports"
urlpatterns = [
    path("don-vi/<id:pk>/", views.stats_dashboard, name="dashboard"),
    path("don-vi/<id:pk>/xuat.<str:fmt>", views.stats_export, name="export"),
    path("don-vi/<id:pk>/in/", views.stats_print, name="print"),
    path("don-vi/<id:pk>/cap-nhat/", views.stats_recompute, name="recompute"),
    path("don-vi/<id:pk>/muc-tieu/", views.stats_targets, name="targets"),
    path("truong/<id:pk>/hoat-dong/", views.school_activity, name="activity"),
    path("truong/<id:pk>/chuyen-de/", views.school_topics, name="topics"),
    path("don-vi/<id:pk>/len-lop-cuoi-nam/", views.rollover_status, name="rollovers"),
    path("don-vi/<id:pk>/vao-diem/", views.grade_entry, name="grade_entry"),
    path("don-vi/<id:pk>/vao-diem/yeu-cau-bao-cao/", views.grade_entry_request, name="grade_entry_request"),
    path("bao-cao-truc-tuyen/<id:pk>/", views_online.online_report_page, name="online_report"),
]
