from django.urls import path

from .views import profile

app_name = "accounts"
urlpatterns = [
    # My profile (views/profile.py)
    path("", profile.profile, name="profile"),
]
