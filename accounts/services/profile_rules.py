"""Profile rules: which details (email, phone, date of birth, a proper ID photo) teachers or students must
fill in before they may post, enrol or submit, set by a Ministry, Department or Office for its subtree.
accounts.profile reads them; the nearest rule up the tree applies."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from units.models import Unit
from units.services import audit_log

from ..models import ProfileRule, User

FIELDS = ProfileRule.FIELDS


def _check(unit: Unit, account_type: str) -> None:
    if unit.kind not in ProfileRule.UNIT_KINDS:
        raise ValidationError(
            _("Profile rules are set by the Ministry, a Department or an Office for the schools under it."),
            code="rule_unit",
        )
    if account_type not in (User.AccountType.TEACHER, User.AccountType.STUDENT):
        raise ValidationError(_("Profile rules are for teacher or student accounts."), code="rule_type")


@transaction.atomic
def profile_rule_set(*, actor, unit: Unit, account_type: str, required) -> ProfileRule:
    """Set (or change) the unit's rule for one account type; every school under it follows it unless a
    unit nearer to the school sets its own."""
    _check(unit, account_type)
    required = set(required)
    unknown = required - set(FIELDS)
    if unknown:
        raise ValidationError(_("Unknown profile details: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    rule = ProfileRule.objects.select_for_update().filter(unit=unit, account_type=account_type).first()
    before = list(rule.required) if rule else None
    if rule is None:
        rule = ProfileRule(unit=unit, account_type=account_type)
    for field in FIELDS:
        setattr(rule, f"require_{field}", field in required)
    rule.updated_by = actor if getattr(actor, "pk", None) else None
    rule.full_clean()
    rule.save()
    after = list(rule.required)
    if before != after:
        _audit(actor=actor, action="profile_rule.set", unit=unit, rule=rule, before=before, after=after)
    return rule


def _audit(*, actor, action: str, unit: Unit, rule: ProfileRule, before, after) -> None:
    # A rule's entry names the account type and the details required before and after (None: no rule).
    kind = rule.account_type
    audit_log(
        actor=actor,
        action=action,
        unit=unit,
        target=rule,
        before={"account_type": kind, "required": before},
        after={"account_type": kind, "required": after},
    )


@transaction.atomic
def profile_rule_clear(*, actor, unit: Unit, account_type: str) -> None:
    """Drop the unit's own rule: its schools follow the rule from above again (or the default)."""
    _check(unit, account_type)
    rule = ProfileRule.objects.select_for_update().filter(unit=unit, account_type=account_type).first()
    if rule is None:
        return
    _audit(actor=actor, action="profile_rule.clear", unit=unit, rule=rule, before=list(rule.required), after=None)
    rule.delete()
