from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from units.admin_trash import SoftDeleteAdminMixin

from .models import (
    Assignment,
    Course,
    Enrolment,
    GroupTask,
    GroupTaskAssignee,
    LearningGroup,
    LiveSession,
    Product,
    Section,
    Submission,
)
from .services.trash import content_delete, content_restore


class ContentTrashMixin(SoftDeleteAdminMixin):
    """Removed and restored as on the course pages (`content_delete` / `content_restore`, audited
    `courses.delete` / `courses.restore`): a removed current submission hands "current" back, sections
    recount progress, a restored course catches up with its classes."""

    def trash_remove(self, request, obj) -> None:
        content_delete(actor=request.user, obj=obj)

    def trash_restore(self, request, obj) -> None:
        content_restore(actor=request.user, obj=obj)


class SectionInline(admin.TabularInline):
    model = Section
    fields = ("position", "title", "file_kind", "file_name", "link_url", "deleted_at")
    readonly_fields = ("file_kind", "file_name", "deleted_at")
    extra = 0
    can_delete = False  # sections are removed (soft) on the course page, never erased


@admin.register(Course)
class CourseAdmin(ContentTrashMixin, GuardedModelAdmin):
    list_display = ("title", "kind", "status", "quality", "unit", "author", "created_at", "deleted_at")
    list_filter = ("kind", "status", "quality")
    search_fields = ("title",)
    raw_id_fields = ("unit", "audience_unit", "author", "duplicate_of", "deleted_by")
    date_hierarchy = "created_at"
    inlines = [SectionInline]


@admin.register(LearningGroup)
class LearningGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "course", "leader", "unit", "created_at")
    raw_id_fields = ("course", "leader", "unit", "created_by")
    search_fields = ("name", "course__title")


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "group", "source", "sections_done", "enrolled_at", "withdrawn_at")
    list_filter = ("source",)
    raw_id_fields = ("course", "user", "group", "enrolled_by")


@admin.register(Assignment)
class AssignmentAdmin(ContentTrashMixin, admin.ModelAdmin):
    list_display = ("title", "course", "kind", "due_at", "late_policy", "per_group")
    raw_id_fields = ("course", "deleted_by")


@admin.register(Submission)
class SubmissionAdmin(ContentTrashMixin, admin.ModelAdmin):
    # Grades change through the grading page only (audited); the admin shows them.
    list_display = ("assignment", "learner", "group", "version", "is_current", "is_late", "grade", "submitted_at")
    list_filter = ("is_current", "is_late")
    raw_id_fields = ("assignment", "learner", "group", "submitted_by", "graded_by", "deleted_by")
    readonly_fields = ("grade", "graded_by", "graded_at")


@admin.register(LiveSession)
class LiveSessionAdmin(ContentTrashMixin, admin.ModelAdmin):
    list_display = ("title", "course", "starts_at", "duration_minutes", "tool")
    raw_id_fields = ("course", "created_by", "deleted_by")


@admin.register(Product)
class ProductAdmin(ContentTrashMixin, admin.ModelAdmin):
    list_display = ("title", "unit", "author", "created_at", "deleted_at")
    raw_id_fields = ("unit", "author", "topic", "deleted_by")
    search_fields = ("title",)


class GroupTaskAssigneeInline(admin.TabularInline):
    """The members the group's leader put on the task (`group_task_assign`): shown, never changed here."""

    model = GroupTaskAssignee
    fields = ("user", "assigned_by", "assigned_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GroupTask)
class GroupTaskAdmin(SoftDeleteAdminMixin, admin.ModelAdmin):
    """Tasks of the professional groups, read here. They are given, assigned, completed and reopened on the
    portal by the school's principal and the group's leader (courses.services.group_tasks, with their
    checks and notices); the admin only removes (soft) and restores a task, through units.trash, audited
    `admin.soft_remove` / `admin.soft_restore` at the group."""

    trash_unit_path = "group"
    list_display = ("title", "group", "kind", "status", "deadline", "created_by", "done_at", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "group__name", "group__code")
    list_select_related = ("group", "created_by")
    date_hierarchy = "deadline"
    inlines = [GroupTaskAssigneeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
