"""Celery tasks for question imports (filled in by the import work)."""
