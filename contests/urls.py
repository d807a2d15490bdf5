from django.urls import include, path

from . import views

app_name = "contests"

urlpatterns = [
    path("", views.contest_list, name="list"),
    path("cua-toi/", views.my_contests, name="mine"),
    path("to-chuc/", views.organise, name="organise"),
    path("moi/", views.contest_new, name="new"),
    path("c/<slug:slug>/", views.contest_public, name="public"),
    path("c/<slug:slug>/vong/<int:order>/", views.round_results, name="round_results"),
    path("c/<slug:slug>/dang-ky/", views.register, name="register"),
    path("c/<slug:slug>/dang-ky-truong/", views.school_register, name="school_register"),
    path("dang-ky/<id:pk>/rut/", views.withdraw, name="withdraw"),
    path("bai-du-thi/<id:pk>/", views.product_submit, name="product"),
    path("bai-du-thi/phien-ban/<id:pk>/tep/", views.product_file, name="product_file"),
    path("<id:pk>/", views.contest_manage, name="manage"),
    path("<id:pk>/sua/", views.contest_edit, name="edit"),
    path("<id:pk>/cong-bo/", views.contest_announce, name="announce"),
    path("<id:pk>/vong/moi/", views.round_new, name="round_new"),
    path("vong/<id:pk>/sua/", views.round_edit, name="round_edit"),
    path("vong/<id:pk>/dong/", views.round_close, name="round_close"),
    # Judging, prizes, certificates and achievements (branch ct_judge).
    path("", include("contests.urls_judging")),
    # Experiential activities (hoạt động trải nghiệm, issue #18 point 5).
    path("", include("contests.urls_activities")),
]
