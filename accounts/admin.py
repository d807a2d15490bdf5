from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("name_sort",)
    list_display = ("username", "full_name", "account_type", "unit", "photo_status", "is_active")
    list_filter = ("account_type", "photo_status", "is_active", "is_staff")
    search_fields = ("username", "name_folded", "national_id", "email")
    raw_id_fields = ("unit",)
    fieldsets = (
        (None, {"fields": ("username", "password", "must_change_password")}),
        (
            _("Personal information"),
            {"fields": ("full_name", "email", "phone", "date_of_birth", "gender", "national_id")},
        ),
        (_("Unit"), {"fields": ("unit", "account_type")}),
        (_("Photo"), {"fields": ("photo", "photo_status", "photo_status_reason")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")}),)
