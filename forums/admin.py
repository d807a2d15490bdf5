from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Forum, Post, PostReport, PostRevision, Thread


@admin.register(Forum)
class ForumAdmin(GuardedModelAdmin):
    list_display = ["title", "unit", "subject", "created_at"]
    search_fields = ["title", "subject"]
    raw_id_fields = ["unit"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "forum", "author", "post_count", "last_post_at", "is_locked", "deleted_at"]
    raw_id_fields = ["forum", "author", "deleted_by"]
    search_fields = ["title"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
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
