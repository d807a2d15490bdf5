"""Read-mostly admin: approvals and sharing go through the services (and their audit entries), so the
status fields are not editable here."""

from django.contrib import admin

from units.admin_trash import SoftDeleteAdminMixin

from .models import Attempt, Material, MaterialReview, MaterialVersion, Question, QuestionImport, Quiz
from .services.library import material_delete, material_restore
from .services.questions import question_delete, question_restore
from .services.quizzes import quiz_delete, quiz_restore


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
class MaterialAdmin(SoftDeleteAdminMixin, admin.ModelAdmin):
    # Removed and restored as in the library (its rules, its audit entry, the author told).
    def trash_remove(self, request, obj) -> None:
        material_delete(actor=request.user, material=obj)

    def trash_restore(self, request, obj) -> None:
        material_restore(actor=request.user, material=obj)

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


# --- question bank and tests: read-only, for support staff looking into a complaint -----------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every change goes through the services (approval trail, audit, rescoring)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(SoftDeleteAdminMixin, ReadOnlyAdmin):
    def trash_remove(self, request, obj) -> None:
        question_delete(actor=request.user, question=obj)

    def trash_restore(self, request, obj) -> None:
        question_restore(actor=request.user, question=obj)

    list_display = ("pk", "type", "subject", "grade", "topic", "level", "status", "author", "shared_with", "created_at")
    list_filter = ("type", "level", "status", "grade", "source")
    search_fields = ("search_text",)
    raw_id_fields = ("author", "unit", "shared_with", "replaces")


@admin.register(Quiz)
class QuizAdmin(SoftDeleteAdminMixin, ReadOnlyAdmin):
    # Refused while students are taking it, as on the test's page.
    def trash_remove(self, request, obj) -> None:
        quiz_delete(actor=request.user, quiz=obj)

    def trash_restore(self, request, obj) -> None:
        quiz_restore(actor=request.user, quiz=obj)

    list_display = ("title", "mode", "selection", "status", "unit", "author", "opens_at", "closes_at")
    list_filter = ("mode", "selection", "status")
    search_fields = ("title",)
    raw_id_fields = ("author", "unit", "course", "classes")


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("quiz", "student", "number", "status", "started_at", "deadline", "submitted_at", "score")
    list_filter = ("status", "auto_submitted")
    raw_id_fields = ("quiz", "student")


@admin.register(QuestionImport)
class QuestionImportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "format", "status", "unit", "created_by", "created_at")
    list_filter = ("format", "status")
