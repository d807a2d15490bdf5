"""The approval engine's vocabulary and its one abstract model: a step of an item's approval trail.

Abstract only: each kind of item keeps its trail in its own table (a concrete subclass with a foreign
key to the item), so the engine owns no rows and needs no migration of its own.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Where an item (or its version) stands: draft → submitted → group-approved → approved, or refused;
    superseded once a newer one went live in its place."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for the group leader")
    GROUP_APPROVED = "group_approved", _("Waiting for the principal")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    SUPERSEDED = "superseded", _("Replaced by a newer version")


# Still on its way through approval: the author or a reviewer may act on it.
OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.GROUP_APPROVED)


class Level(models.TextChoices):
    GROUP = "group", _("Professional group")
    SCHOOL = "school", _("Principal")
    OFFICE = "office", _("Office")
    DEPARTMENT = "department", _("Department")
    MINISTRY = "ministry", _("Ministry")


class Decision(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    PROPOSED = "proposed", _("Proposed for sharing")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ReviewStep(models.Model):
    """One step of an approval trail: who decided what, at which level and unit, when, and why (for a
    refusal). A proposal to share waits for the unit it was sent to: `is_open` until decided."""

    Level = Level
    Decision = Decision

    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    is_open = models.BooleanField(_("waiting"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.item} · {self.get_level_display()} · {self.get_decision_display()}"

    @property
    def item(self):
        """The item this step belongs to, whatever the subclass calls its foreign key."""
        return getattr(self, self.item_field)

    item_field = ""  # set by each subclass: the name of its foreign key to the item


def review_step_rules(item_field: str, prefix: str) -> dict:
    """The constraints and index every trail table carries, named `<prefix>_…` as the tables always had
    them: a refusal says why, one open proposal per item and unit, the queue's index."""
    return {
        "constraints": [
            models.CheckConstraint(
                condition=~Q(decision="refused") | ~Q(reason=""), name=f"{prefix}_refusal_has_reason"
            ),
            models.UniqueConstraint(
                fields=[item_field, "unit"], condition=Q(is_open=True), name=f"{prefix}_one_open_proposal_per_unit"
            ),
        ],
        "indexes": [models.Index(fields=["unit", "is_open"], name=f"{prefix}_review_queue_idx")],
    }
