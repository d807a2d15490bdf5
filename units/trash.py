"""Removing and restoring soft-deleted content (`truonghoc.softdelete.SoftDeleted`), written once for
every app: course content, library items, questions, tests, forum threads and posts, news articles.

Here, not in truonghoc, because the audit entry lives in units. Each app's service keeps what is its
own: it locks the row, says who may (its permissions.py, also called by its views), refuses in its
own words, and does what follows (notifications, recounts); the write and the audit entry are these two
functions, inside the caller's transaction so the change and its entry stand or fall together.
"""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .services import audit_log


def _save(obj, also: Iterable[str]) -> None:
    # Only these columns: a removal is not an edit, so "last changed" moves only where the app says so
    # (`also=("updated_at",)`, as materials and news do).
    obj.save(update_fields=["deleted_at", "deleted_by", *also])


@transaction.atomic
def soft_remove(obj, *, by, action: str, at: datetime | None = None, audited: bool = True, also=(), **entry):
    """Mark `obj` removed by `by` at `at` (now by default; pass it when the entry quotes the time) and
    record `action`; `entry` is the rest of the audit entry (`unit`, `before`, `after`, as `audit_log`
    takes them). `audited=False` leaves no entry (forums: people removing their own posts is not
    moderation)."""
    if obj.is_deleted:
        raise ValidationError(_("This was already removed."), code="already")
    obj.deleted_at, obj.deleted_by = at or timezone.now(), by
    _save(obj, also)
    if audited:
        audit_log(actor=by, action=action, target=obj, **entry)
    return obj


@transaction.atomic
def soft_restore(obj, *, by, action: str, also=(), **entry):
    """Put a removed `obj` back as it was and record `action` (`entry` as for `soft_remove`). Who removed
    it is gone from the row once restored: pass it in `before` to keep it in the entry."""
    if not obj.is_deleted:
        raise ValidationError(_("This is not removed."), code="not_removed")
    obj.deleted_at, obj.deleted_by = None, None
    _save(obj, also)
    audit_log(actor=by, action=action, target=obj, **entry)
    return obj
