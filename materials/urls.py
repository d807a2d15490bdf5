from .views import attempts, library, manage, question_io, questions, quizzes, results

app_name = "materials"
urlpatterns = [
    *manage.urlpatterns,
    *library.urlpatterns,
    *questions.urlpatterns,
    *question_io.urlpatterns,
    *quizzes.urlpatterns,
    *attempts.urlpatterns,
    *results.urlpatterns,
]
