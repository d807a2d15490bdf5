"""Background work of teaching: building a records archive (issue #17, point 5). One archive per task: a
school's year is a few hundred plans at most, each an xlsx and a one-page-or-so PDF."""

from celery import shared_task


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def archive_build_task(archive_id: int) -> str:
    from .archive import archive_build  # the archive module loads WeasyPrint's printing helpers

    return archive_build(archive_id).status
