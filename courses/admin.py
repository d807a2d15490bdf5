from django.contrib import admin

from .models import Course


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "unit", "author", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("title",)
    raw_id_fields = ("unit", "author")
    date_hierarchy = "created_at"
