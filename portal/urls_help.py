from django.urls import path

from .views_help import help_guide, help_index, help_search, help_section

app_name = "help"
urlpatterns = [
    path("", help_index, name="index"),
    path("tim/", help_search, name="search"),
    path("muc/<slug:anchor>/", help_section, name="section"),
    path("<slug:slug>/", help_guide, name="guide"),
]
