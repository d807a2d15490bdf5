"""trash pages."""

urlpatterns = []
