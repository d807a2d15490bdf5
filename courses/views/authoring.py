"""authoring pages."""

urlpatterns = []
