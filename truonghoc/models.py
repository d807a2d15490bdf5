"""Abstract models every app shares."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SoftDeleted(models.Model):
    """Removed, never erased: who removed it and when, shown in its place and restorable."""

    deleted_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
