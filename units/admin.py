from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import AuditEntry, Cluster, RoleAssignment, Unit


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit, exclude=["name_folded"])
    list_display = ("name", "code", "kind", "school_level", "is_active")
    list_filter = ("kind", "school_level", "is_active")
    search_fields = ("name", "name_folded", "code")
    raw_id_fields = ("homeroom_teacher", "merged_into")


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "owner")
    filter_horizontal = ("schools",)
    raw_id_fields = ("owner",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__name_folded", "unit__code")
    raw_id_fields = ("user", "unit")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "target_repr", "unit")
    list_filter = ("action",)
    search_fields = ("target_repr", "action")
    raw_id_fields = ("actor", "unit")

    def has_change_permission(self, request, obj=None):
        return False  # the audit log is append-only

    def has_delete_permission(self, request, obj=None):
        return False
