"""records pages."""

urlpatterns = []
