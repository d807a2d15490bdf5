"""study pages."""

urlpatterns = []
