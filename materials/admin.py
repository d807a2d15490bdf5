"""Read-mostly admin: approvals and sharing go through the services (and their audit entries), so the
status fields are not editable here."""

from django.contrib import admin

from .models import Material, MaterialReview, MaterialVersion


class VersionInline(admin.TabularInline):
    model = MaterialVersion
    extra = 0
    fields = ("number", "title", "status", "file_name", "link_url", "created_by", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


class ReviewInline(admin.TabularInline):
    model = MaterialReview
    extra = 0
    fields = ("at", "level", "unit", "decision", "reason", "is_open", "by", "version")
    readonly_fields = fields
    can_delete = False


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "subject", "grade", "unit", "author", "shared_with", "approved_at")
    list_filter = ("kind", "grade")
    search_fields = ("title", "search_text")
    raw_id_fields = ("author", "unit", "shared_with", "live_version")
    readonly_fields = ("live_version", "shared_with", "search_text", "view_count", "download_count", "approved_at")
    inlines = [VersionInline, ReviewInline]


@admin.register(MaterialVersion)
class MaterialVersionAdmin(admin.ModelAdmin):
    list_display = ("material", "number", "status", "created_by", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("material", "created_by", "uses")
    readonly_fields = ("status",)
