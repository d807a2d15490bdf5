"""Reads of courses that depend on who is asking, one module per area (catalogue, home, submissions,
groups, records, topics)."""

from .topics import topic_counts_by_unit_path

__all__ = ["topic_counts_by_unit_path"]
