"""Contests in the admin: read-only. Contests, registrations, entries and scores change only through
`contests.services` (deadlines, quotas, locks, audit), so the admin can look but not write."""

from django.contrib import admin

from truonghoc.admin_base import ReadOnlyAdmin

from .models import Award, Certificate, Contest, Registration, Round, RoundEntry


@admin.register(Contest)
class ContestAdmin(ReadOnlyAdmin):
    list_display = ("title", "organiser", "audience", "participation", "status", "registration_closes_at")
    list_filter = ("status", "audience", "participation")
    search_fields = ("title", "slug")
    raw_id_fields = ("organiser", "created_by")


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("contest", "order", "title", "level", "kind", "closes_at", "closed_at")
    list_filter = ("level", "kind")
    raw_id_fields = ("contest", "quiz", "rubric")


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("contest", "user", "team", "school", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("contest", "user", "team", "school", "unit", "registered_by")


@admin.register(RoundEntry)
class RoundEntryAdmin(ReadOnlyAdmin):
    list_display = ("round", "registration", "rank_unit", "score", "rank", "status")
    list_filter = ("status",)
    raw_id_fields = ("round", "registration", "qualified_from", "rank_unit", "attempt")


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ("contest", "round", "entry", "prize", "created_at")
    list_filter = ("prize",)
    raw_id_fields = ("contest", "round", "entry", "awarded_by")


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "user", "issued_at")
    search_fields = ("code",)
    raw_id_fields = ("award", "registration", "user")
