from .views import library, manage

app_name = "materials"
urlpatterns = [
    *manage.urlpatterns,
    *library.urlpatterns,
]
