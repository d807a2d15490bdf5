"""submissions pages."""

urlpatterns = []
