"""Read-only: report requests are created, answered and reminded through the services (and audited),
never edited here."""

from django.contrib import admin

from truonghoc.admin_base import ReadOnlyAdmin

from .models import ReportRecipient, ReportReminder, ReportRequest, ReportSubmission


class ReportRecipientInline(admin.TabularInline):
    model = ReportRecipient
    fields = ["unit", "status", "version_count", "last_submitted_at"]
    readonly_fields = fields
    raw_id_fields = ["unit"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportRequest)
class ReportRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "issuer", "deadline", "created_by", "created_at"]
    list_select_related = ["issuer", "created_by"]
    search_fields = ["title", "issuer__name", "issuer__code"]
    date_hierarchy = "created_at"
    raw_id_fields = ["issuer", "created_by"]
    # Private files have no URL: they are downloaded through the pages that check permission.
    exclude = ["template_file"]
    inlines = [ReportRecipientInline]


@admin.register(ReportRecipient)
class ReportRecipientAdmin(ReadOnlyAdmin):
    list_display = ["request", "unit", "status", "version_count", "last_submitted_at"]
    list_filter = ["status"]
    list_select_related = ["request", "unit"]
    search_fields = ["unit__name", "unit__code", "request__title"]
    raw_id_fields = ["request", "unit", "latest_submission"]


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "version", "original_name", "is_late", "submitted_by", "created_at"]
    list_filter = ["is_late"]
    list_select_related = ["recipient__request", "recipient__unit", "submitted_by"]
    search_fields = ["recipient__unit__name", "recipient__request__title", "original_name"]
    raw_id_fields = ["recipient", "submitted_by"]
    exclude = ["file"]


@admin.register(ReportReminder)
class ReportReminderAdmin(ReadOnlyAdmin):
    list_display = ["request", "created_at", "sent_by", "unit_count", "people_count", "unreached_count"]
    list_select_related = ["request", "sent_by"]
    raw_id_fields = ["request", "sent_by"]
