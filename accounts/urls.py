from django.urls import path

from .views import profile

app_name = "accounts"
urlpatterns = [
    # --- My profile and photos (views/profile.py) ---
    path("", profile.profile, name="profile"),
    # --- end of profile ---
    # --- Issuing, credentials, lists (views/issuing.py, views/lists.py) ---
    # --- end of issuing ---
    # --- Quotas (views/quotas.py) ---
    # --- end of quotas ---
    # --- Lifecycle: account page, deactivate, transfer, classes (views/lifecycle.py) ---
    # --- end of lifecycle ---
]
