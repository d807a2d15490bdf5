from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from units.admin_trash import SoftDeleteAdminMixin

from .models import Forum, Post, PostAttachment, PostReport, PostRevision, Thread, ThreadSubscription
from .services import post_delete, thread_delete


@admin.register(Forum)
class ForumAdmin(GuardedModelAdmin):
    list_display = ["title", "unit", "subject", "created_at"]
    search_fields = ["title", "subject"]
    raw_id_fields = ["unit"]


@admin.register(Thread)
class ThreadAdmin(SoftDeleteAdminMixin, admin.ModelAdmin):
    # Removed as a moderator removes it (audited); the portal has no restore, so that is units.trash's.
    trash_unit_path = "forum.unit"

    def trash_remove(self, request, obj) -> None:
        thread_delete(actor=request.user, thread=obj)

    list_display = ["title", "forum", "author", "post_count", "last_post_at", "is_public", "answered_at", "deleted_at"]
    raw_id_fields = ["forum", "author", "deleted_by", "accepted_post"]
    search_fields = ["title"]


@admin.register(Post)
class PostAdmin(SoftDeleteAdminMixin, admin.ModelAdmin):
    # Removed as a moderator removes it (its reports resolved, no longer the accepted answer).
    trash_unit_path = "thread.forum.unit"

    def trash_remove(self, request, obj) -> None:
        post_delete(actor=request.user, post=obj)

    list_display = ["pk", "thread", "author", "created_at", "is_hidden", "deleted_at"]
    raw_id_fields = ["thread", "author", "quoted", "hidden_by", "deleted_by"]


@admin.register(PostRevision)
class PostRevisionAdmin(admin.ModelAdmin):
    list_display = ["post", "edited_by", "edited_at"]
    raw_id_fields = ["post", "edited_by"]


@admin.register(PostReport)
class PostReportAdmin(admin.ModelAdmin):
    list_display = ["post", "reporter", "created_at", "resolved_at"]
    raw_id_fields = ["post", "reporter", "resolved_by"]


@admin.register(PostAttachment)
class PostAttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "post", "size", "created_at"]
    raw_id_fields = ["post"]


@admin.register(ThreadSubscription)
class ThreadSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["thread", "user", "following", "updated_at"]
    raw_id_fields = ["thread", "user"]
