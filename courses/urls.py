from .views import authoring, catalogue, groups, live, records, study, submissions, trash

app_name = "courses"
urlpatterns = [
    *catalogue.urlpatterns,
    *authoring.urlpatterns,
    *study.urlpatterns,
    *submissions.urlpatterns,
    *live.urlpatterns,
    *groups.urlpatterns,
    *records.urlpatterns,
    *trash.urlpatterns,
]
