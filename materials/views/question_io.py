"""Placeholder: filled in by issue #6 point 4/5 work."""

urlpatterns = []
