"""The grade book in the admin: read-only. Marks change only through `gradebook.services` (a locked mark
only through an approved change request), so the admin can look but not write."""

from django.contrib import admin

from truonghoc.admin_base import ReadOnlyAdmin

from .models import EntryDeadline, Lock, Mark, MarkEvent, SubjectRule, TeachingAssignment


@admin.register(SubjectRule)
class SubjectRuleAdmin(ReadOnlyAdmin):
    list_display = ("school_year", "regulation", "grade", "subject", "periods_per_year", "assessed_by")
    list_filter = ("school_year", "regulation", "grade", "assessed_by")


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("school_year", "semester", "school_class", "subject", "teacher")
    list_filter = ("school_year", "semester")
    list_select_related = ("school_class", "teacher")
    raw_id_fields = ("school", "school_class", "teacher", "set_by")


@admin.register(Mark)
class MarkAdmin(ReadOnlyAdmin):
    list_display = ("student", "school_class", "subject", "semester", "kind", "index", "value", "level", "updated_at")
    list_filter = ("school_year", "semester", "kind")
    list_select_related = ("student", "school_class")
    raw_id_fields = ("student", "school", "school_class", "entered_by")


@admin.register(MarkEvent)
class MarkEventAdmin(ReadOnlyAdmin):
    list_display = ("mark", "old_value", "new_value", "old_level", "new_level", "by", "approved_by", "at")
    raw_id_fields = ("mark", "by", "approved_by")


@admin.register(Lock)
class LockAdmin(ReadOnlyAdmin):
    list_display = ("school", "school_year", "semester", "school_class", "subject", "kind", "locks_at", "set_by")
    raw_id_fields = ("school", "school_class", "set_by")


@admin.register(EntryDeadline)
class EntryDeadlineAdmin(ReadOnlyAdmin):
    list_display = ("school", "school_year", "semester", "kind", "due")
    raw_id_fields = ("school", "set_by")
