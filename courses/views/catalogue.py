"""catalogue pages."""

urlpatterns = []
