from .views import authoring, catalogue, group_tasks, groups, live, records, study, submissions, trash

app_name = "courses"
urlpatterns = [
    *catalogue.urlpatterns,
    *authoring.urlpatterns,
    *study.urlpatterns,
    *submissions.urlpatterns,
    *live.urlpatterns,
    *groups.urlpatterns,
    *group_tasks.urlpatterns,
    *records.urlpatterns,
    *trash.urlpatterns,
]
