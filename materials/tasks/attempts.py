"""Celery tasks for attempts (filled in by the attempts work)."""
