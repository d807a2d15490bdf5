"""Rankings, award quotas, awards and publication of a round's results (issue #18, point 4).

- Ranking: per unit of the round's level (the entry's `rank_unit`, else its registration's school), by the
  entry's score, highest first; equal scores share a rank (1, 2, 2, 4). Entries without a score are listed
  after, unranked.
- Quotas: per prize, a count or a percentage of the entries with a score in each ranking unit (a
  percentage is rounded down: 10 % of 25 entries is 2). Prizes are given in order (Nhất, Nhì, Ba, Khuyến
  khích) down the ranking; an entry tied with the last one of a prize gets that prize too, so a quota may
  be passed by ties, never split among equal scores.
- Awards are given once the scores are locked and until the results are out; giving them again replaces
  them (and their certificates). Each award brings a certificate per person (each member of a team).
- Results are published at `round.results_publish_at`, set in advance by the organiser; before it nobody
  else sees them (contests.permissions_judging.results_out). The organiser's "publish" records the moment
  and is refused before that time.
"""

import logging
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from truonghoc.bulk import bulk_update_rows
from truonghoc.formatting import datetime_text, number
from units.services import audit_log

from .certificates import certificates_issue
from .judging import scores_locked
from .models import Award, AwardQuota, Certificate, Round, RoundEntry
from .permissions_judging import results_out
from .services import rank_entries

logger = logging.getLogger(__name__)

PRIZE_ORDER = [Award.Prize.FIRST, Award.Prize.SECOND, Award.Prize.THIRD, Award.Prize.CONSOLATION]


@dataclass
class RankedRow:
    entry: RoundEntry
    rank: int | None
    prize: str = ""

    @property
    def prize_label(self) -> str:
        return Award.Prize(self.prize).label if self.prize else ""


@dataclass
class RankingGroup:
    unit: object
    rows: list[RankedRow] = field(default_factory=list)


def ranking(round_: Round) -> list[RankingGroup]:
    """The round's ranking per unit of its level (module docstring), what the prizes follow; two queries. The
    ranks are `services.rank_entries`' (the one competition ranking, that of closing the round); an entry not
    yet given its unit by the close is ranked in its school."""
    entries = list(
        RoundEntry.objects.filter(round=round_)
        .exclude(status=RoundEntry.Status.ABSENT)
        .select_related("rank_unit", "registration__school", "registration__user", "registration__team")
        .order_by("pk")
    )
    prizes = dict(Award.objects.filter(round=round_).values_list("entry_id", "prize"))
    for entry in entries:
        if entry.rank_unit_id is None:
            entry.rank_unit = entry.registration.school
    rank_entries(entries)
    groups: dict[int, RankingGroup] = {}
    for entry in entries:
        row = RankedRow(entry=entry, rank=entry.rank, prize=prizes.get(entry.pk, "") if entry.rank else "")
        groups.setdefault(entry.rank_unit_id, RankingGroup(unit=entry.rank_unit)).rows.append(row)
    for group in groups.values():
        group.rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.entry.pk))
    return sorted(groups.values(), key=lambda g: g.unit.path)


def quotas_of(round_: Round) -> dict[str, AwardQuota]:
    return {quota.prize: quota for quota in AwardQuota.objects.filter(round=round_)}


def _refuse_once_out(round_: Round) -> None:
    if results_out(round_):
        raise ValidationError(_("The results of this round are out: its awards can no longer change."))


@transaction.atomic
def quotas_set(*, actor, round_: Round, quotas: dict) -> None:
    """Every prize's quota at once: `quotas` maps a prize to ("count", n) or ("percent", p), or None for no
    such prize. Percentages add up to 100 at most. All or nothing."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _refuse_once_out(round_)
    rows, errors, percent_total = [], {}, Decimal(0)
    for prize in PRIZE_ORDER:
        value = quotas.get(prize)
        if not value:
            continue
        how, amount = value
        if how == "count":
            if amount is None or int(amount) < 0:
                errors[prize] = _("Give a number of prizes, 0 or more.")
                continue
            rows.append(AwardQuota(round=round_, prize=prize, count=int(amount)))
        elif how == "percent":
            amount = Decimal(amount) if amount is not None else None
            if amount is None or amount < 0 or amount > 100:
                errors[prize] = _("A percentage is between 0 and 100.")
                continue
            percent_total += amount
            rows.append(AwardQuota(round=round_, prize=prize, percent=amount))
        else:
            errors[prize] = _("Choose a number or a percentage.")
    if percent_total > 100:
        errors["__all__"] = _("The percentages add up to %(total)s %%; they may add up to 100 %% at most.") % {
            "total": number(percent_total)
        }
    if errors:
        raise ValidationError(errors)
    for row in rows:
        row.full_clean(exclude=["round"])
    before = {q.prize: str(q.count if q.count is not None else f"{q.percent}%") for q in quotas_of(round_).values()}
    AwardQuota.objects.filter(round=round_).delete()
    AwardQuota.objects.bulk_create(rows)
    audit_log(actor=actor, action="contest.award_quotas", unit=round_.contest.organiser, target=round_, before=before,
              after={r.prize: str(r.count if r.count is not None else f"{r.percent}%") for r in rows})  # fmt: skip


def _quota_size(quota: AwardQuota, entries: int) -> int:
    if quota.count is not None:
        return quota.count
    return int((quota.percent * entries / 100).to_integral_value(rounding=ROUND_FLOOR))


@transaction.atomic
def awards_assign(*, actor, round_: Round) -> int:
    """Give the round's prizes by its quotas and ranking (module docstring), replacing earlier ones, with
    their certificates. Refused before the scores are locked, without quotas, or once the results are out.
    The number of awards."""
    round_ = Round.objects.select_for_update().select_related("contest").get(pk=round_.pk)
    _refuse_once_out(round_)
    if not scores_locked(round_):
        raise ValidationError(_("Close the round (its scores locked) before giving the awards."))
    quotas = quotas_of(round_)
    if not quotas:
        raise ValidationError(_("Set how many prizes of each kind first."))
    Certificate.objects.filter(award__round=round_).delete()
    Award.objects.filter(round=round_).delete()
    awards = []
    groups = ranking(round_)
    # The ranks the prizes follow are stored on the entries, so the results table (selectors.round_entries)
    # shows them even before the round closes (closing ranks again, by the same rule, from the same scores).
    ranked = [row.entry for group in groups for row in group.rows]
    bulk_update_rows(RoundEntry, ranked, ["rank_unit", "rank"])
    for group in groups:
        scored = [row for row in group.rows if row.rank is not None]
        position = 0
        for prize in PRIZE_ORDER:
            quota = quotas.get(prize)
            if quota is None:
                continue
            size = _quota_size(quota, len(scored))
            if size <= 0:
                continue
            end = min(position + size, len(scored))
            while end < len(scored) and end > position and scored[end].entry.score == scored[end - 1].entry.score:
                end += 1  # a tie with the last prize-winner shares the prize
            for row in scored[position:end]:
                awards.append(
                    Award(contest=round_.contest, round=round_, entry=row.entry, prize=prize, awarded_by=actor)
                )
            position = end
    Award.objects.bulk_create(awards)
    certificates_issue(awards=awards)
    audit_log(actor=actor, action="contest.awards", unit=round_.contest.organiser, target=round_,
              after={prize: sum(1 for a in awards if a.prize == prize) for prize in PRIZE_ORDER})  # fmt: skip
    return len(awards)


@transaction.atomic
def results_schedule(*, actor, round_: Round, publish_at) -> None:
    """Set (or move) the moment the round's results come out; refused once they are out, or for a moment
    already past (publishing happens at a time set in advance)."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _refuse_once_out(round_)
    if publish_at is None or publish_at <= timezone.now():
        raise ValidationError(
            {"publish_at": _("Choose a moment in the future: results are published at a time set in advance.")}
        )
    before = {"results_publish_at": round_.results_publish_at.isoformat() if round_.results_publish_at else None}
    round_.results_publish_at = publish_at
    round_.save(update_fields=["results_publish_at"])
    audit_log(actor=actor, action="contest.results_schedule", unit=round_.contest.organiser, target=round_,
              before=before, after={"results_publish_at": publish_at.isoformat()})  # fmt: skip


@transaction.atomic
def results_publish(*, actor, round_: Round) -> bool:
    """Record that the results are out and tell the round's participants (each team member). Refused before
    the time set in advance, without one, or before the scores are locked: nothing changes. Idempotent: a
    round already published is left alone (nobody is told twice). `actor` None: beat's task
    (results_publish_due), audited without a person."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.results_publish_at is None:
        raise ValidationError(_("Set the moment the results are published first."))
    if not results_out(round_):
        raise ValidationError(
            _("The results of this round are to be published on %(when)s; they cannot be published before that.")
            % {"when": datetime_text(timezone.localtime(round_.results_publish_at))}
        )
    if not scores_locked(round_):
        raise ValidationError(_("Close the round (its scores locked) before publishing its results."))
    # Claimed by a conditional update, not read-then-write: the organiser's button and beat's task may run at
    # the same moment (and SQLite has no row lock); whoever updates the row tells the participants, once.
    now = timezone.now()
    if not Round.objects.filter(pk=round_.pk, results_published_at__isnull=True).update(results_published_at=now):
        return False
    round_.results_published_at = now
    audit_log(actor=actor, action="contest.results_publish", unit=round_.contest.organiser, target=round_)
    contest = round_.contest
    participants = (
        get_user_model()
        .objects.filter(
            Q(contest_registrations__entries__round=round_)
            | Q(contest_teams__team__registration__entries__round=round_)
        )
        .distinct()
    )
    notify(
        recipients=participants,
        title=_("The results of “%(round)s” (%(contest)s) are out.")
        % {"round": round_.title, "contest": contest.title},
        url=reverse("contests:round_results", kwargs={"slug": contest.slug, "order": round_.order}),
    )
    return True


# Rounds published per run of beat's task: a run finishes well within its minute, the rest wait for the next.
PUBLISH_DUE_BATCH = 50


def results_publish_due(*, batch: int = PUBLISH_DUE_BATCH) -> int:
    """Publish the closed rounds whose time set in advance has come and that nobody has published yet, through
    `results_publish` (audited, participants told), each in its own transaction so that one refusal does not
    hold the others back: what beat runs every minute (contests.tasks.results_publish_due_task). Exactly once
    per round (results_publish claims it). Returns how many were published."""
    due = list(
        Round.objects.filter(
            closed_at__isnull=False, results_publish_at__lte=timezone.now(), results_published_at__isnull=True
        ).order_by("results_publish_at", "pk")[:batch]
    )
    published = 0
    for round_ in due:
        try:
            published += results_publish(actor=None, round_=round_)
        except ValidationError as exc:  # not expected for a closed round whose time has come: say so, go on
            logger.warning("round %s not published: %s", round_.pk, "; ".join(exc.messages))
    return published
