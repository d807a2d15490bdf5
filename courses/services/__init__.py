"""Every write to courses, one module per area:

- authoring: courses, sections, co-instructors, publish/close
- enrolment: registering, learning groups, whole classes and groups, progress
- roster: enrolments of a class or group given a course follow its membership
- submissions: assignments, submitting (versions, deadline), grading
- live: live sessions
- topics: professional topics (bulk, quality flags) and products
- group_tasks: tasks the principal gives professional groups (assign, done, reopen, remove)
- trash: soft delete and restore of everything above
"""

from .topics import TopicSpec, topics_bulk_create

__all__ = ["TopicSpec", "topics_bulk_create"]
