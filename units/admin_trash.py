"""The admin never hard-deletes what the portal soft-deletes (issue #14, point 7), written once for every
app's admin.py.

- `SoftDeleteAdminMixin`, first in the bases of the ModelAdmin of every `truonghoc.softdelete.SoftDeleted`
  model: no delete permission (so no "delete selected" action, and the delete page answers 403), the
  actions "Remove (soft)" and "Restore", a filter alive / removed, and `deleted_at` / `deleted_by`
  read-only (only the actions change them). Each row is removed or restored by `trash_remove` /
  `trash_restore`, the admin user as actor, one transaction per row, a refusal shown beside the row:
  an app whose portal has a removal service overrides them to call it (courses' `content_delete`,
  `material_delete`, `quiz_delete`, forums' `post_delete` …), so the admin follows the same rules and
  does what follows (a submission's current version, recounts, notifications) and audits in the app's
  words — every one of those services writes through `units.trash`. Without one, the default is
  `units.trash.soft_remove` / `soft_restore` itself, audited `admin.soft_remove` / `admin.soft_restore` at
  the unit `trash_unit_path` names.
- Inlines of such models set `can_delete = False`.
- Cascades: every foreign key to a soft-deleted model's parent is PROTECT today (a course's sections, a
  forum's threads, a unit's or a user's content), so deleting a parent in the admin is refused by the
  database rather than erasing its children. `cascades_into_soft_deleted(model)` says which soft-deleted
  models a deletion would reach; the test below asserts that no deletable admin reaches any.

`tests/units/test_admin_soft_delete.py` walks every registered ModelAdmin and inline, so a new admin that
forgets the mixin (or a new CASCADE into soft-deleted rows) fails there.
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

    def trash_remove(self, request, obj) -> None:
        """Remove one row (locked, inside its transaction); raise ValidationError to refuse."""
        soft_remove(obj, by=request.user, action=REMOVE_ACTION, unit=self.trash_unit(obj))

    def trash_restore(self, request, obj) -> None:
        # Restoring empties who removed it and when: the entry keeps them.
        before = {"deleted_at": obj.deleted_at.isoformat(), "deleted_by": obj.deleted_by_id} if obj.is_deleted else None
        soft_restore(obj, by=request.user, action=RESTORE_ACTION, unit=self.trash_unit(obj), before=before)

    def _trash(self, request, queryset, write, done_message) -> None:
        done = 0
        for pk in queryset.order_by().values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    obj = self.model._default_manager.select_for_update().get(pk=pk)
                    write(request, obj)
            except ValidationError as exc:
                self.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Remove (soft) the selected rows"), permissions=["trash"])
    def soft_remove_selected(self, request, queryset):
        self._trash(
            request,
            queryset,
            self.trash_remove,
            lambda n: ngettext("%(n)d row removed.", "%(n)d rows removed.", n),
        )

    @admin.action(description=_("Restore the selected rows"), permissions=["trash"])
    def soft_restore_selected(self, request, queryset):
        self._trash(
            request,
            queryset,
            self.trash_restore,
            lambda n: ngettext("%(n)d row restored.", "%(n)d rows restored.", n),
        )
