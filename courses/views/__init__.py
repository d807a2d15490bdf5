"""Course pages, one module per area; each module lists its own `urlpatterns` (see courses/urls.py)."""
