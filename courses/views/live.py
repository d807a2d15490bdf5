"""live pages."""

urlpatterns = []
