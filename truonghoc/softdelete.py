"""Soft delete, written once: removed content is never erased. It keeps who removed it and when, shows
that in its place and can be restored.

- `SoftDeleted`, the abstract model: `deleted_at`, `deleted_by`, `is_deleted`, and `objects` built from
  `SoftDeleteQuerySet`, so `Model.objects.alive()` / `.removed()` and the related managers
  (`course.sections.alive()`) read the same way everywhere.
- `alive_q(prefix)` / `removed_q(prefix)`: the same conditions inside a lookup across a relation
  (`alive_q("course__")`, a `Count(..., filter=alive_q("sections__"))`).
- `soft_delete_constraint(prefix)`: the one check every such table carries ("removed by someone" implies
  "removed at some time"), named `<prefix>_deleted_has_date` as the existing migrations named it.

Removing and restoring (the write and its audit entry) is `units.trash`; who may do it stays in each
app's permissions. This module imports no app: the user is `settings.AUTH_USER_MODEL`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def alive_q(prefix: str = "") -> Q:
    """Not removed; `prefix` reaches it across relations ("course__", "thread__")."""
    return Q(**{f"{prefix}deleted_at__isnull": True})


def removed_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}deleted_at__isnull": False})


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(alive_q())

    def removed(self):
        return self.filter(removed_q())


# A plain manager from the queryset: named `objects` and not used in migrations, so the migration state
# keeps Django's default manager and adding it needed no migration.
SoftDeleteManager = models.Manager.from_queryset(SoftDeleteQuerySet)


def soft_delete_constraint(prefix: str) -> models.CheckConstraint:
    """The check of a soft-deleted table; `prefix` is the name the table's migration gave it (course,
    live_session, …), so declaring it here changes nothing in the database."""
    return models.CheckConstraint(
        condition=Q(deleted_by__isnull=True) | Q(deleted_at__isnull=False), name=f"{prefix}_deleted_has_date"
    )


class SoftDeleted(models.Model):
    """Removed, never erased: who removed it and when, shown in its place and restorable.

    A subclass with its own queryset subclasses `SoftDeleteQuerySet` (as `courses.CourseQuerySet` does),
    so `alive()` / `removed()` stay on every manager. A subclass declares `soft_delete_constraint(...)` in
    its own `Meta.constraints` (a child's Meta replaces, not extends, an abstract parent's list)."""

    deleted_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, verbose_name=_("removed by"), null=True, blank=True, related_name="+"
    )

    objects = SoftDeleteManager()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
