"""The admin never hard-deletes what the portal soft-deletes (issue #14, point 7), written once for every
app's admin.py.

- `SoftDeleteAdminMixin`, first in the bases of the ModelAdmin of every `truonghoc.softdelete.SoftDeleted`
  model: no delete permission (so no "delete selected" action, and the delete page answers 403), the
  actions "Remove (soft)" and "Restore" through `units.trash.soft_remove` / `soft_restore` (audited as
  `admin.soft_remove` / `admin.soft_restore`, the admin user as actor, at the unit `trash_unit` names),
  a filter alive / removed, and `deleted_at` / `deleted_by` read-only (only the actions change them).
- Inlines of such models set `can_delete = False`.
- Cascades: every foreign key to a soft-deleted model's parent is PROTECT today (a course's sections, a
  forum's threads, a unit's or a user's content), so deleting a parent in the admin is refused by the
  database rather than erasing its children. `cascades_into_soft_deleted(model)` says which soft-deleted
  models a deletion would reach; the test below asserts that no deletable admin reaches any.

`tests/units/test_admin_soft_delete.py` walks every registered ModelAdmin and inline, so a new admin that
forgets the mixin (or a new CASCADE into soft-deleted rows) fails there. The admin's removal is the bare
`soft_remove`: what an app's own service does after a removal (recounts, notifications) is not repeated
here; support staff use it to take content down, and restore it the same way.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from truonghoc.softdelete import SoftDeleted, alive_q, removed_q

from .trash import soft_remove, soft_restore

REMOVE_ACTION = "admin.soft_remove"
RESTORE_ACTION = "admin.soft_restore"


def cascades_into_soft_deleted(model) -> set[type[models.Model]]:
    """The soft-deleted models that deleting a `model` row would delete too (following CASCADE only)."""
    found: set[type[models.Model]] = set()
    seen: set[type[models.Model]] = {model}
    todo = [model]
    while todo:
        current = todo.pop()
        for relation in current._meta.related_objects:
            if relation.on_delete is not models.CASCADE:
                continue
            related = relation.related_model
            if issubclass(related, SoftDeleted):
                found.add(related)
            if related not in seen:
                seen.add(related)
                todo.append(related)
    return found


class SoftDeletedFilter(admin.SimpleListFilter):
    title = _("removed")
    parameter_name = "removed"

    def lookups(self, request, model_admin):
        return [("no", _("Not removed")), ("yes", _("Removed"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(alive_q())
        if self.value() == "yes":
            return queryset.filter(removed_q())
        return queryset


class SoftDeleteAdminMixin:
    """See the module's doc. `trash_unit_path` is the dotted way from a row to its unit for the audit
    entry ("unit", "course.unit", "thread.forum.unit")."""

    trash_unit_path = "unit"
    actions = ["soft_remove_selected", "soft_restore_selected"]

    def trash_unit(self, obj):
        value = obj
        for name in self.trash_unit_path.split("."):
            value = getattr(value, name, None)
            if value is None:
                return None
        return value

    def has_delete_permission(self, request, obj=None):
        return False

    def has_trash_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), SoftDeletedFilter]

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        return shown if "deleted_at" in shown else [*shown, "deleted_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, *(f for f in ("deleted_at", "deleted_by") if f not in fields)]

    def _trash(self, request, queryset, *, write, action: str, done_message, refused_message):
        done = refused = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    obj = self.model._default_manager.select_for_update().get(pk=pk)
                    # Restoring empties who removed it and when: the entry keeps them.
                    before = (
                        {"deleted_at": obj.deleted_at.isoformat(), "deleted_by": obj.deleted_by_id}
                        if (write is soft_restore and obj.is_deleted)
                        else None
                    )
                    write(obj, by=request.user, action=action, unit=self.trash_unit(obj), before=before)
            except ValidationError:
                refused += 1
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"n": done}, messages.SUCCESS)
        if refused:
            self.message_user(request, refused_message(refused) % {"n": refused}, messages.WARNING)

    @admin.action(description=_("Remove (soft) the selected rows"), permissions=["trash"])
    def soft_remove_selected(self, request, queryset):
        self._trash(
            request,
            queryset,
            write=soft_remove,
            action=REMOVE_ACTION,
            done_message=lambda n: ngettext("%(n)d row removed.", "%(n)d rows removed.", n),
            refused_message=lambda n: ngettext("%(n)d row was already removed.", "%(n)d rows were already removed.", n),
        )

    @admin.action(description=_("Restore the selected rows"), permissions=["trash"])
    def soft_restore_selected(self, request, queryset):
        self._trash(
            request,
            queryset,
            write=soft_restore,
            action=RESTORE_ACTION,
            done_message=lambda n: ngettext("%(n)d row restored.", "%(n)d rows restored.", n),
            refused_message=lambda n: ngettext("%(n)d row was not removed.", "%(n)d rows were not removed.", n),
        )
