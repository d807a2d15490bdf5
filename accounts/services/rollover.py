"""A school's year-end rollover (issue #15, point 5): preview, apply in one transaction, undo.

`rollover_preview(school=)` proposes; the wizard page (or `manage.py rollover`) edits the plan — new
class names, intake class names, leavers — and `rollover_apply(actor=, school=, plan=)` checks it all
again and does it all or nothing:

- classes move up one grade with their new names, the last grade's classes close, the intake classes
  are created (units.rollover: the unit half);
- the closing classes' students graduate: `User.graduated_at` is set, the account is kept and may log
  in to read, but writes nothing (`accounts.middleware.GraduatedReadOnlyMiddleware`) and counts in no
  active figure (quotas, statistics);
- the students chosen as leavers are deactivated ("left at the end of the school year");
- groups, homeroom teachers and students' roles stay where they are, so they carry over;
- a `Rollover` record opens the new school year for the school: the years come from the SchoolYear rows
  the school reads (`units.rollover.rollover_school_years`: its Department's adjustment, else the
  Ministry's year), and the record keeps the rows it closed and opened. While the year to open has not
  been set (rows exist, none for it), the preview says so and the apply is refused; with no row at all (a
  fresh database) the fixed calendar's labels are used, as everywhere else.

Undo (`rollover_undo`) is possible until the school's first new activity after the rollover
(`rollover_new_activity`): a new audit entry anywhere in the school (any audited change: an account
issued, a role, a class renamed, a course or letter published …) other than the rollover's own, a new
account of the school, or what the apps above register with `register_activity_check` (forums: a new
post by the school's people; courses: a new enrolment or submission by them).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truonghoc.formatting import datetime_text
from truonghoc.text import nfc
from units.models import AuditEntry, Role, Unit, in_subtree_q
from units.rollover import (
    ClassPlan,
    RolloverYears,
    check_class_names,
    classes_plan,
    classes_roll_back,
    classes_roll_forward,
    rollover_school_years,
    school_classes,
)
from units.services import AuditRecord, audit_log, audit_log_many, class_final_grade, membership_changed

from ..models import Rollover, TransferRequest, User

T = User.AccountType
LEFT_REASON = gettext_lazy("Left at the end of the school year")


@dataclass
class RolloverPlan:
    """What a rollover will do. `classes.moves[i].new_name`, `intake` and `leaver_ids` are what the
    person running it may change; the rest is read from the school."""

    school_id: int
    from_year: str
    to_year: str
    classes: ClassPlan
    years: RolloverYears | None = None  # None only for a plan made by hand: apply reads them again
    graduates: int = 0
    intake: list[str] = field(default_factory=list)
    leaver_ids: list[int] = field(default_factory=list)
    done: Rollover | None = None  # the school already rolled over to `to_year`

    def rename(self, names: dict[int, str]) -> None:
        for move in self.classes.promoted:
            if move.class_id in names:
                move.new_name = nfc(names[move.class_id])

    @property
    def not_ready(self) -> str:
        """Why the rollover cannot run yet (the school year to open is not set), or ""."""
        return self.years.not_set if self.years is not None else ""


def _active_students():
    return User.objects.filter(account_type=T.STUDENT, is_active=True, graduated_at__isnull=True)


def _students_per_class(class_ids) -> dict[int, int]:
    rows = (
        _active_students()
        .filter(role_assignments__unit__in=class_ids, role_assignments__role=Role.STUDENT)
        .values("role_assignments__unit")
        .annotate(n=Count("id", distinct=True))
    )
    return {row["role_assignments__unit"]: row["n"] for row in rows}


def current_rollover(*, school: Unit, to_year: str) -> Rollover | None:
    return (
        Rollover.objects.filter(school=school, to_year=to_year, undone_at__isnull=True)
        .select_related("applied_by")
        .first()
    )


def rollover_preview(*, school: Unit, today: date | None = None) -> RolloverPlan:
    """The proposed rollover of `school` (a few queries, whatever its size)."""
    years = rollover_school_years(school, today)
    from_year, to_year = years.from_year, years.to_year
    class_ids = list(school_classes(school).values_list("pk", flat=True))
    counts = _students_per_class(class_ids)
    plan = RolloverPlan(
        school_id=school.pk,
        from_year=from_year,
        to_year=to_year,
        classes=classes_plan(school=school, students=counts),
        years=years,
        done=current_rollover(school=school, to_year=to_year),
    )
    plan.graduates = sum(m.students for m in plan.classes.graduating)
    return plan


def leaver_candidates(*, school: Unit):
    """The students who may be marked as leaving: active students of the school's classes that move up
    (graduating ones graduate instead), with their class, ordered by class then name."""
    final = class_final_grade(school=school)
    return (
        _active_students()
        .filter(
            unit=school,
            role_assignments__role=Role.STUDENT,
            role_assignments__unit__in=school_classes(school).filter(grade__lt=final).values("pk"),
        )
        .values("pk", "full_name", "username", "role_assignments__unit", "role_assignments__unit__name")
        .order_by("-role_assignments__unit__grade", "role_assignments__unit__name_folded", "name_sort")
    )


def _refuse_done(done: Rollover) -> None:
    raise ValidationError(
        _(
            "This school has already rolled over to the school year %(year)s (on %(when)s, by %(who)s). "
            "A rollover runs once per school year; undo that one first if it must be run again."
        )
        % {
            "year": done.to_year,
            "when": datetime_text(done.applied_at),
            "who": done.applied_by.full_name if done.applied_by else "—",
        }
    )


@transaction.atomic
def rollover_apply(*, actor, school: Unit, plan: RolloverPlan) -> Rollover:
    """Run the rollover `plan` for `school`: everything or, on any refusal, nothing."""
    school = Unit.objects.select_for_update().get(pk=school.pk)
    if school.kind != Unit.Kind.SCHOOL or not school.is_active or plan.school_id != school.pk:
        raise ValidationError(_("Only an open school can roll over to a new school year."))
    years = plan.years or rollover_school_years(school)
    if years.not_set:
        raise ValidationError(years.not_set)
    if (years.from_year, years.to_year) != (plan.from_year, plan.to_year):
        raise ValidationError(_("The school years changed since the preview: please look at the preview again."))
    done = current_rollover(school=school, to_year=plan.to_year)
    if done is not None:
        _refuse_done(done)
    current = {u.pk: u for u in school_classes(school)}
    if {m.class_id for m in plan.classes.moves} != set(current):
        raise ValidationError(_("The school's classes changed since the preview: please look at the preview again."))
    final = class_final_grade(school=school)
    names = {m.class_id: m.new_name for m in plan.classes.moves}
    renames = {pk: names[pk] for pk, unit in current.items() if unit.grade < final}
    close_ids = [pk for pk, unit in current.items() if unit.grade >= final]
    intake = [nfc(name) for name in plan.intake if nfc(name)]
    errors = check_class_names(school=school, renames=renames, intake=intake)
    if errors:
        raise ValidationError(errors)

    graduates = list(
        _active_students()
        .filter(role_assignments__unit__in=close_ids, role_assignments__role=Role.STUDENT)
        .distinct()
        .values_list("pk", "full_name")
    )
    leaver_ids = set(plan.leaver_ids)
    leavers = []
    if leaver_ids:
        leavers = list(_active_students().filter(pk__in=leaver_ids, unit=school).values_list("pk", "full_name"))
        if {pk for pk, _name in leavers} != leaver_ids or leaver_ids & {pk for pk, _name in graduates}:
            raise ValidationError(
                {"leavers": _("Only active students of this school's classes that move up can be marked as leaving.")}
            )
        pending = list(
            TransferRequest.objects.filter(user__in=leaver_ids, status=TransferRequest.Status.PENDING).values_list(
                "user__full_name", flat=True
            )
        )
        if pending:
            raise ValidationError(
                {
                    "leavers": _("These students have a transfer waiting for an answer; settle it first: %(names)s")
                    % {"names": ", ".join(sorted(pending))}
                }
            )

    undo = classes_roll_forward(
        actor=actor, school=school, renames=renames, close_ids=close_ids, intake=intake, to_year=plan.to_year
    )
    now = timezone.now()
    graduate_ids = [pk for pk, _name in graduates]
    User.objects.filter(pk__in=graduate_ids).update(graduated_at=now, updated_at=now)
    audit_log_many(
        actor=actor,
        action="account.graduate",
        records=[AuditRecord(school, User(pk=pk, full_name=name), None, {"graduated": True}) for pk, name in graduates],
    )
    reason = str(LEFT_REASON)
    User.objects.filter(pk__in=leaver_ids).update(is_active=False, deactivated_reason=reason, updated_at=now)
    audit_log_many(
        actor=actor,
        action="account.deactivate",
        records=[
            AuditRecord(
                school, User(pk=pk, full_name=name), {"is_active": True}, {"is_active": False, "reason": reason}
            )
            for pk, name in leavers
        ],
    )
    membership_changed(user_ids=leaver_ids)
    summary = {
        "promoted": len(renames),
        "created": len(undo["created"]),
        "closed": len(close_ids),
        "graduated": len(graduate_ids),
        "left": len(leaver_ids),
    }
    rollover = Rollover.objects.create(
        school=school,
        from_year=plan.from_year,
        to_year=plan.to_year,
        from_school_year_id=years.closing.row_id,
        to_school_year_id=years.opening.row_id,
        applied_by=actor if getattr(actor, "pk", None) else None,
        applied_at=now,
        summary=summary,
        undo_data={**undo, "graduated": graduate_ids, "left": sorted(leaver_ids)},
    )
    audit_log(actor=actor, action="rollover.apply", unit=school, target=rollover, after=summary)
    # Everything the school records after this entry is new activity (rollover_new_activity).
    rollover.undo_data["audit_mark"] = AuditEntry.objects.aggregate(last=Max("pk"))["last"]
    rollover.save(update_fields=["undo_data"])
    return rollover


# --- Undo until the first new activity -------------------------------------------------------------

# check(school=, since=) -> a short label of what new activity was found, or "" / None. Registered by
# the apps above accounts in their AppConfig.ready() (forums: posts; courses: enrolments, submissions).
_activity_checks: list[Callable[..., str | None]] = []


def register_activity_check(check: Callable[..., str | None]) -> None:
    if check not in _activity_checks:
        _activity_checks.append(check)


def rollover_new_activity(rollover: Rollover) -> list[str]:
    """What the school did since the rollover (empty: it may still be undone). One cheap query each."""
    school, since = rollover.school, rollover.applied_at
    found = []
    mark = rollover.undo_data.get("audit_mark") or 0
    if AuditEntry.objects.filter(in_subtree_q(school), pk__gt=mark).exists():
        found.append(_("changes recorded in the audit log"))
    if User.objects.filter(unit=school, date_joined__gt=since).exists():
        found.append(_("new accounts"))
    for check in _activity_checks:
        label = check(school=school, since=since)
        if label:
            found.append(str(label))
    return found


@transaction.atomic
def rollover_undo(*, actor, rollover: Rollover) -> Rollover:
    """Put the school back as the rollover found it, if nothing happened there since."""
    Unit.objects.select_for_update().get(pk=rollover.school_id)
    rollover = Rollover.objects.select_for_update().select_related("school").get(pk=rollover.pk)
    if rollover.undone_at is not None:
        raise ValidationError(_("This rollover was already undone."))
    activity = rollover_new_activity(rollover)
    if activity:
        raise ValidationError(
            _(
                "This rollover can no longer be undone: the school has had new activity since it was applied "
                "(%(what)s). Change what must be changed class by class instead."
            )
            % {"what": ", ".join(activity)}
        )
    undo = rollover.undo_data
    classes_roll_back(actor=actor, school=rollover.school, undo=undo)
    now = timezone.now()
    User.objects.filter(pk__in=undo.get("graduated", []), graduated_at__isnull=False).update(
        graduated_at=None, updated_at=now
    )
    left = undo.get("left", [])
    # Nobody reopened or closed them since: that would have been an audited change (new activity).
    User.objects.filter(pk__in=left, is_active=False).update(is_active=True, deactivated_reason="", updated_at=now)
    membership_changed(user_ids=left)
    rollover.undone_at = now
    rollover.undone_by = actor if getattr(actor, "pk", None) else None
    rollover.save(update_fields=["undone_at", "undone_by"])
    audit_log(actor=actor, action="rollover.undo", unit=rollover.school, target=rollover, before=rollover.summary)
    return rollover
