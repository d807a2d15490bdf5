from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from units.admin_trash import SoftDeleteAdminMixin

from .models import Forum, Post, PostAttachment, PostReport, PostRevision, Thread, ThreadSubscription


@admin.register(Forum)
class ForumAdmin(GuardedModelAdmin):
    list_display = ["title", "unit", "subject", "created_at"]
    search_fields = ["title", "subject"]
    raw_id_fields = ["unit"]


@admin.register(Thread)
class ThreadAdmin(SoftDeleteAdminMixin, admin.ModelAdmin):
    trash_unit_path = "forum.unit"
    list_display = ["title", "forum", "author", "post_count", "last_post_at", "is_public", "answered_at", "deleted_at"]
    raw_id_fields = ["forum", "author", "deleted_by", "accepted_post"]
    search_fields = ["title"]


@admin.register(Post)
class PostAdmin(SoftDeleteAdminMixin, admin.ModelAdmin):
    trash_unit_path = "thread.forum.unit"
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
