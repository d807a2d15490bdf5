"""Fair judging of product rounds (issue #18, point 3): the organiser's pool of judges, the automatic
assignment, scoring against the rubric, the third judge, the final score and the lock.

The rules, in one place:
- Each product of a round gets at least `round.judges_per_product` judges (never fewer than two) from
  the round's pool. The automatic assignment gives each product, in turn, the least loaded judges of the
  pool who may judge it, so the loads differ by at most one where conflicts allow.
- Conflict of interest: a judge never judges a product of their own school — the school of their account
  or of any role they hold — nor of the school of any member of the product's team. It is checked when
  judges are assigned (automatically or not) and again when a score is given (a judge may have moved).
- A score gives every criterion of the rubric a value from 0 to the criterion's maximum; its total is
  Σ value × weight.
- When every regular judge of a product has scored and their totals are further apart than the round's
  margin, one more judge of the pool (the least loaded without a conflict) is assigned automatically, once.
- The final score of a product is the mean of the two closest totals among its scores (with two scores,
  their mean; on a tie between pairs, the pair with the higher mean, so a disagreement never costs the
  participant). It is written to the entry's `score`, which the round's ranking reads.
- Scores lock when the round closes (`round.scores_locked`, or `closed_at` set): no score, change or
  assignment after that.
"""

import heapq
import hmac
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from hashlib import sha256
from itertools import combinations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.formatting import number
from truonghoc.marks import read_number
from units.models import RoleAssignment, school_path_of
from units.services import audit_log

from .models import (
    MIN_JUDGES,
    Band,
    Contest,
    Criterion,
    JudgeAssignment,
    Product,
    Round,
    RoundEntry,
    RoundJudge,
    Rubric,
    Score,
    TeamMember,
)

CENT = Decimal("0.01")
MAX_POOL = 2000  # judges in one round's pool: more is a typing mistake, not a panel


# --- reading -------------------------------------------------------------------------------------------


def scores_locked(round_: Round) -> bool:
    return bool(round_.scores_locked or round_.closed_at)


def judges_needed(round_: Round) -> int:
    return max(round_.judges_per_product or 0, MIN_JUDGES)


def anonymous_code(product_id: int) -> str:
    """The code judges know a product by: derived from its id with the site's secret, so it says nothing of
    who made it and cannot be guessed from another product's code."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"contest-product:{product_id}".encode(), sha256).hexdigest()
    return f"SP-{int(digest[:10], 16) % 10**7:07d}"


def author_names(product_ids) -> dict[int, set[str]]:
    """product id → the names a judge must not see: the participant's (or every team member's and the team's)
    and their schools'. Two queries whatever the number of products."""
    names: dict[int, set[str]] = {}
    teams: dict[int, list[int]] = {}
    for pk, person, team, team_id, school in Product.objects.filter(pk__in=list(product_ids)).values_list(
        "pk",
        "entry__registration__user__full_name",
        "entry__registration__team__name",
        "entry__registration__team_id",
        "entry__registration__school__name",
    ):
        names[pk] = {n for n in (person, team, school) if n}
        if team_id:
            teams.setdefault(team_id, []).append(pk)
    for team_id, person, school in TeamMember.objects.filter(team_id__in=list(teams)).values_list(
        "team_id", "user__full_name", "school__name"
    ):
        for pk in teams[team_id]:
            names[pk].update({person, school})
    return names


def anonymised(text: str, names) -> str:
    """`text` (a product's title or description) with every name of `names` masked, whatever its case: what a
    participant wrote of themselves never reaches the judge."""
    for name in sorted((n for n in names if n and len(n.strip()) >= 3), key=len, reverse=True):
        text = re.sub(re.escape(name.strip()), "***", text or "", flags=re.IGNORECASE)
    return text or ""


def judge_school_paths(user_ids) -> dict[int, set[str]]:
    """user id → paths of the schools the person belongs to: their account's unit and every role's school.
    One query for the roles, one for the accounts' units."""
    paths: dict[int, set[str]] = {pk: set() for pk in user_ids}
    for user_id, path, kind in RoleAssignment.objects.filter(user_id__in=list(paths)).values_list(
        "user_id", "unit__path", "unit__kind"
    ):
        paths[user_id].add(school_path_of(path, kind))
    for user_id, path, kind in (
        get_user_model()
        .objects.filter(pk__in=list(paths), unit__isnull=False)
        .values_list("pk", "unit__path", "unit__kind")
    ):
        paths[user_id].add(school_path_of(path, kind))
    return paths


def product_school_paths(products) -> dict[int, set[str]]:
    """product id → paths of the schools it comes from: the registration's school and, for a team, every
    member's school. Two queries whatever the number of products."""
    rows = list(
        Product.objects.filter(pk__in=[p.pk for p in products]).values_list(
            "pk", "entry__registration__school__path", "entry__registration__team_id"
        )
    )
    paths = {pk: {path} for pk, path, _team in rows}
    teams: dict[int, list[int]] = {}
    for pk, _path, team_id in rows:
        if team_id:
            teams.setdefault(team_id, []).append(pk)
    if teams:
        for team_id, path in TeamMember.objects.filter(team_id__in=list(teams)).values_list("team_id", "school__path"):
            for pk in teams[team_id]:
                paths[pk].add(path)
    return paths


def round_products(round_: Round):
    """The products judged in the round: those of its entries that handed in at least one version."""
    return (
        Product.objects.filter(entry__round=round_, version_count__gt=0)
        .exclude(entry__status=RoundEntry.Status.ABSENT)
        .order_by("pk")
    )


def final_score(totals: list[Decimal]) -> Decimal | None:
    """The mean of the two closest totals (module docstring); None with fewer than two."""
    if len(totals) < 2:
        return None
    best = None
    for a, b in combinations(totals, 2):
        key = (abs(a - b), -(a + b))
        if best is None or key < best[0]:
            best = (key, (a + b) / 2)
    return best[1].quantize(CENT, rounding=ROUND_HALF_UP)


def disagree(round_: Round, totals: list[Decimal]) -> bool:
    return len(totals) >= 2 and max(totals) - min(totals) > round_.disagreement_margin


@dataclass
class RoundJudging:
    """Where a round's judging stands, for the organiser's page."""

    products: int
    assigned: int  # products with enough regular judges
    scored: int  # products with a final score
    assignments: int
    scores: int
    disagreements_waiting: int  # a third judge assigned, not yet scored
    without_third: int  # disagreement, no judge of the pool free to settle it
    pool: int


def round_judging(round_: Round) -> RoundJudging:
    products = round_products(round_).annotate(
        regular=Count("assignments", filter=Q(assignments__is_third=False), distinct=True),
        n_scores=Count("assignments__score", distinct=True),
        third=Count("assignments", filter=Q(assignments__is_third=True), distinct=True),
        third_scored=Count("assignments__score", filter=Q(assignments__is_third=True), distinct=True),
    )
    needed = judges_needed(round_)
    figures = products.aggregate(
        n=Count("pk"),
        assigned=Count("pk", filter=Q(regular__gte=needed)),
        scored=Count("pk", filter=Q(n_scores__gte=2)),
        waiting=Count("pk", filter=Q(third__gt=0, third_scored=0)),
    )
    without_third = sum(
        1 for product in products.filter(third=0, n_scores__gte=needed) if disagree(round_, _totals(product))
    )
    return RoundJudging(
        products=figures["n"],
        assigned=figures["assigned"],
        scored=figures["scored"],
        assignments=JudgeAssignment.objects.filter(round=round_).count(),
        scores=Score.objects.filter(assignment__round=round_).count(),
        disagreements_waiting=figures["waiting"],
        without_third=without_third,
        pool=RoundJudge.objects.filter(round=round_).count(),
    )


def _totals(product: Product) -> list[Decimal]:
    return list(Score.objects.filter(assignment__product=product).values_list("total", flat=True))


# --- the rubric ----------------------------------------------------------------------------------------

MAX_CRITERIA = 30


@transaction.atomic
def rubric_set(*, actor, round_: Round, criteria: list[dict]) -> Rubric:
    """The round's rubric as a whole: `criteria` is a list of {title, weight, max_score, bands: [(label, from,
    to)]}. Refused once a judge has scored in the round (the rubric they scored against stays) or the round
    is locked; all or nothing. A rubric shared with another round is left to it and a new one made."""
    round_ = Round.objects.select_for_update().select_related("contest").get(pk=round_.pk)
    if round_.kind != Round.Kind.PRODUCT:
        raise ValidationError(_("Only product rounds are judged by a panel."))
    _refuse_if_locked(round_)
    if Score.objects.filter(assignment__round=round_).exists():
        raise ValidationError(_("Judges have already scored against this rubric: it can no longer change."))
    if not criteria:
        raise ValidationError(_("Give at least one criterion."))
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError(_("A rubric has at most %(n)d criteria.") % {"n": MAX_CRITERIA})
    for item in criteria:
        if not item["title"].strip() or item["weight"] <= 0 or item["max_score"] <= 0:
            raise ValidationError(_("Each criterion needs a name, a weight above 0 and a maximum above 0."))
        for label, low, high in item.get("bands", ()):
            if not label.strip() or low < 0 or high < low or high > item["max_score"]:
                raise ValidationError(
                    _("The band “%(band)s” of “%(criterion)s” must lie between 0 and the criterion's maximum.")
                    % {"band": label, "criterion": item["title"]}
                )
    rubric = round_.rubric
    if rubric is None or Round.objects.filter(rubric=rubric).exclude(pk=round_.pk).exists():
        rubric = Rubric.objects.create(contest=round_.contest, title=round_.title[:255])
    before = list(Criterion.objects.filter(rubric=rubric).values_list("title", "weight", "max_score"))
    Band.objects.filter(criterion__rubric=rubric).delete()
    Criterion.objects.filter(rubric=rubric).delete()
    for position, item in enumerate(criteria, start=1):
        criterion = Criterion(rubric=rubric, position=position, title=item["title"].strip()[:255],
                              weight=item["weight"], max_score=item["max_score"])  # fmt: skip
        criterion.full_clean(exclude=["rubric"])
        criterion.save()
        Band.objects.bulk_create(
            [Band(criterion=criterion, label=label.strip()[:100], min_score=low, max_score=high)
             for label, low, high in item.get("bands", ())]
        )  # fmt: skip
    if round_.rubric_id != rubric.pk:
        round_.rubric = rubric
        round_.save(update_fields=["rubric"])
    audit_log(actor=actor, action="contest.rubric_set", unit=round_.contest.organiser, target=round_,
              before={"criteria": [[t, str(w), str(m)] for t, w, m in before]},
              after={"criteria": [[c["title"], str(c["weight"]), str(c["max_score"])] for c in criteria]})  # fmt: skip
    return rubric


# --- the pool ------------------------------------------------------------------------------------------


def _refuse_if_locked(round_: Round) -> None:
    if scores_locked(round_):
        raise ValidationError(_("The round is closed: its scores are locked and can no longer change."))


def _refuse_unless_product_round(round_: Round) -> None:
    if round_.kind != Round.Kind.PRODUCT:
        raise ValidationError(_("Only product rounds are judged by a panel."))
    if round_.rubric_id is None:
        raise ValidationError(_("Give the round a rubric before assigning judges."))


@transaction.atomic
def judges_add(*, actor, round_: Round, judges) -> int:
    """Add people to the round's pool of judges; the number added (those already in it are skipped).
    Students cannot judge, nor accounts that are deactivated."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _refuse_unless_product_round(round_)
    _refuse_if_locked(round_)
    judges = list(judges)
    refused = [j for j in judges if not j.is_active or j.account_type == "student"]
    if refused:
        raise ValidationError(
            _("%(name)s cannot be a judge: only active teachers and staff judge.") % {"name": refused[0].full_name}
        )
    have = set(RoundJudge.objects.filter(round=round_).values_list("judge_id", flat=True))
    new = [j for j in {j.pk: j for j in judges}.values() if j.pk not in have]
    if len(have) + len(new) > MAX_POOL:
        raise ValidationError(_("A round's pool holds at most %(n)d judges.") % {"n": MAX_POOL})
    RoundJudge.objects.bulk_create([RoundJudge(round=round_, judge=j, added_by=actor) for j in new])
    if new:
        audit_log(
            actor=actor,
            action="contest.judges_add",
            unit=round_.contest.organiser,
            target=round_,
            after={"judges": sorted(j.pk for j in new)},
        )
    return len(new)


@transaction.atomic
def judge_remove(*, actor, round_: Round, judge) -> None:
    """Take a judge out of the pool; refused once they were given products (their scores stay fair)."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _refuse_if_locked(round_)
    if JudgeAssignment.objects.filter(round=round_, judge=judge).exists():
        raise ValidationError(_("%(name)s already has products to judge in this round.") % {"name": judge.full_name})
    RoundJudge.objects.filter(round=round_, judge=judge).delete()
    audit_log(actor=actor, action="contest.judge_remove", unit=round_.contest.organiser, target=round_,
              before={"judge": judge.pk})  # fmt: skip


# --- assignment ----------------------------------------------------------------------------------------


@transaction.atomic
def judges_assign_auto(*, actor, round_: Round) -> int:
    """Give every product of the round the judges it still lacks, least loaded first, never a judge of its
    own school (module docstring). All or nothing: when some product cannot get enough judges without a
    conflict, nothing is assigned and the message says which and why. The number of new assignments."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _refuse_unless_product_round(round_)
    _refuse_if_locked(round_)
    needed = judges_needed(round_)
    pool = list(RoundJudge.objects.filter(round=round_, judge__is_active=True).values_list("judge_id", flat=True))
    if len(pool) < needed:
        raise ValidationError(
            _("The pool has %(have)d judges; each product needs %(need)d. Add judges first.")
            % {"have": len(pool), "need": needed}
        )
    products = list(round_products(round_))
    if not products:
        raise ValidationError(_("No product has been handed in for this round yet."))
    existing: dict[int, set[int]] = {}  # every judge already on a product
    regular: dict[int, int] = {}  # how many of them count towards `needed`
    load = dict.fromkeys(pool, 0)
    for product_id, judge_id, third in JudgeAssignment.objects.filter(round=round_).values_list(
        "product_id", "judge_id", "is_third"
    ):
        existing.setdefault(product_id, set()).add(judge_id)
        regular[product_id] = regular.get(product_id, 0) + (not third)
        if judge_id in load:
            load[judge_id] += 1
    judge_schools = judge_school_paths(pool)
    product_schools = product_school_paths(products)
    heap = [(n, judge_id) for judge_id, n in load.items()]
    heapq.heapify(heap)
    new = []
    for product in products:
        have = existing.get(product.pk, set())
        missing = needed - regular.get(product.pk, 0)
        if missing <= 0:
            continue
        chosen, skipped = [], []
        while heap and len(chosen) < missing:
            n, judge_id = heapq.heappop(heap)
            if judge_id in have or judge_schools[judge_id] & product_schools[product.pk]:
                skipped.append((n, judge_id))
            else:
                chosen.append((n, judge_id))
        if len(chosen) < missing:
            raise ValidationError(
                _(
                    "Product %(code)s cannot get %(need)d judges: the pool has only %(have)d judges who are not "
                    "from its school. Add judges from other schools; nothing has been assigned."
                )
                % {"code": anonymous_code(product.pk), "need": needed, "have": regular.get(product.pk, 0) + len(chosen)}
            )
        for n, judge_id in chosen:
            new.append(JudgeAssignment(round=round_, judge_id=judge_id, product=product, assigned_by=actor))
            heapq.heappush(heap, (n + 1, judge_id))
        for item in skipped:
            heapq.heappush(heap, item)
    JudgeAssignment.objects.bulk_create(new, batch_size=2000)
    audit_log(actor=actor, action="contest.judges_assign", unit=round_.contest.organiser, target=round_,
              after={"assignments": len(new), "products": len(products)})  # fmt: skip
    return len(new)


def _assign_third(round_: Round, product: Product, actor) -> JudgeAssignment | None:
    """One more judge for a product its judges disagree on: the least loaded of the pool without a conflict
    and not already on it. None when nobody is free (the organiser's page counts those)."""
    taken = set(JudgeAssignment.objects.filter(product=product).values_list("judge_id", flat=True))
    loads = dict(
        RoundJudge.objects.filter(round=round_, judge__is_active=True)
        .exclude(judge_id__in=taken)
        .values_list("judge_id")
        .annotate(n=Count("judge__contest_judging", filter=Q(judge__contest_judging__round=round_)))
    )
    if not loads:
        return None
    schools = judge_school_paths(list(loads))
    mine = product_school_paths([product])[product.pk]
    free = sorted((n, judge_id) for judge_id, n in loads.items() if not schools[judge_id] & mine)
    if not free:
        return None
    return JudgeAssignment.objects.create(
        round=round_, judge_id=free[0][1], product=product, assigned_by=actor, is_third=True
    )


# --- scoring -------------------------------------------------------------------------------------------


def criteria_of(round_: Round) -> list[Criterion]:
    return list(Criterion.objects.filter(rubric_id=round_.rubric_id).prefetch_related("bands"))


def read_values(criteria: list[Criterion], data) -> dict[int, Decimal]:
    """The value typed for each criterion (`data` maps "c<id>" or the id to text), checked against the
    rubric: every criterion given, a number from 0 to its maximum, two decimals at most. A ValidationError
    naming each wrong criterion (its field "c<id>") otherwise."""
    values, errors = {}, {}
    for criterion in criteria:
        raw = data.get(f"c{criterion.pk}", data.get(str(criterion.pk), data.get(criterion.pk)))
        value = read_number(raw) if not isinstance(raw, Decimal) else raw
        if raw in (None, ""):
            errors[f"c{criterion.pk}"] = _("Give a score for “%(criterion)s”.") % {"criterion": criterion.title}
        elif value is None:
            errors[f"c{criterion.pk}"] = _("The score for “%(criterion)s” must be a number.") % {
                "criterion": criterion.title
            }
        elif value < 0 or value > criterion.max_score:
            errors[f"c{criterion.pk}"] = _("The score for “%(criterion)s” must be between 0 and %(max)s.") % {
                "criterion": criterion.title,
                "max": number(criterion.max_score),
            }
        elif value != value.quantize(CENT):
            errors[f"c{criterion.pk}"] = _("Give the score for “%(criterion)s” with at most two decimals.") % {
                "criterion": criterion.title
            }
        else:
            values[criterion.pk] = value
    if errors:
        raise ValidationError(errors)
    return values


def weighted_total(criteria: list[Criterion], values: dict[int, Decimal]) -> Decimal:
    return sum((values[c.pk] * c.weight for c in criteria), Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def score_submit(*, actor, assignment: JudgeAssignment, values, comment: str = "") -> Score:
    """The judge's score of one product (given or changed while the round is open). Refused, with nothing
    written: someone else's assignment, a locked round, a product of the judge's own school, a value
    outside the rubric. Then the product's final score is computed again and, when its judges disagree
    by more than the margin, a third judge is assigned."""
    assignment = JudgeAssignment.objects.select_related("round", "round__contest").get(pk=assignment.pk)
    round_ = Round.objects.select_for_update().get(pk=assignment.round_id)
    if assignment.judge_id != actor.pk:
        raise ValidationError(_("This product was not given to you to judge."))
    _refuse_if_locked(round_)
    product = Product.objects.select_for_update().get(pk=assignment.product_id)
    if judge_school_paths([actor.pk])[actor.pk] & product_school_paths([product])[product.pk]:
        raise ValidationError(
            _("You cannot judge a product of your own school (conflict of interest). Tell the organiser.")
        )
    criteria = criteria_of(round_)
    checked = read_values(criteria, values)
    total = weighted_total(criteria, checked)
    comment = (comment or "").strip()[:5000]
    stored = {str(pk): str(value) for pk, value in checked.items()}
    score = Score.objects.filter(assignment=assignment).first()
    before = {"values": score.values, "total": str(score.total)} if score else None
    if score is None:
        score = Score(assignment=assignment)
    score.values, score.total, score.comment, score.submitted_at = stored, total, comment, timezone.now()
    score.full_clean(exclude=["assignment"])
    score.save()
    audit_log(actor=actor, action="contest.score", unit=round_.contest.organiser, target=product,
              before=before, after={"values": stored, "total": str(total)})  # fmt: skip
    _settle(round_, product, actor)
    return score


def _settle(round_: Round, product: Product, actor) -> None:
    """After a score: the third judge if the regular judges disagree, and the entry's final score."""
    rows = list(JudgeAssignment.objects.filter(product=product).values_list("is_third", "score__total"))
    regular = [total for third, total in rows if not third]
    has_third = any(third for third, _total in rows)
    if (
        not has_third
        and len(regular) >= judges_needed(round_)
        and all(t is not None for t in regular)
        and disagree(round_, regular)
    ):
        _assign_third(round_, product, actor)
    totals = [total for _third, total in rows if total is not None]
    RoundEntry.objects.filter(pk=product.entry_id).update(score=final_score(totals))


@transaction.atomic
def scores_lock(*, actor, round_: Round) -> None:
    """Lock the round's scores (closing the round does it too)."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.scores_locked:
        return
    round_.scores_locked = True
    round_.save(update_fields=["scores_locked"])
    audit_log(actor=actor, action="contest.scores_lock", unit=round_.contest.organiser, target=round_)


# --- the judge's queue ---------------------------------------------------------------------------------

QUEUE_TABS = ("todo", "scored", "waiting")


def queue_tab(assignment: JudgeAssignment) -> str | None:
    """Which tab of the queue an assignment (read by `judge_assignments`) belongs to; None: a locked round's
    product never scored (nothing to do any more)."""
    if assignment.my_total is None:
        return None if assignment.round.scores_locked or assignment.round.closed_at else "todo"
    return "waiting" if assignment.waiting else "scored"


def judge_assignments(user) -> list[JudgeAssignment]:
    """Every product given to the judge (not in draft contests), soonest round first, with its round,
    contest and product, the judge's own total (`my_total`, None before scoring) and whether a third judge
    called in on it has still to score (`waiting`). Three queries, each led by an index and as long as the
    judge's own list (their assignments; the scores of those; the pending third judges of those products):
    none reads the round's whole tables, so a judge's page costs the same in a round of 100 products or of
    100,000. A judge has tens of products (10,000 products, 500 judges: 40 each), a few hundred at most, so
    the tabs and their counts are sorted out here rather than by more queries."""
    rows = list(
        JudgeAssignment.objects.filter(judge=user)
        .exclude(round__contest__status=Contest.Status.DRAFT)
        .select_related("round", "round__contest", "product")
        .order_by("round__closes_at", "round_id", "pk")
    )
    totals = dict(Score.objects.filter(assignment_id__in=[a.pk for a in rows]).values_list("assignment_id", "total"))
    scored = [a.product_id for a in rows if a.pk in totals]
    pending = set()
    if scored:
        pending = set(
            JudgeAssignment.objects.filter(product_id__in=scored, is_third=True, score__isnull=True)
            .exclude(judge=user)
            .values_list("product_id", flat=True)
        )
    for assignment in rows:
        assignment.my_total = totals.get(assignment.pk)
        assignment.waiting = assignment.product_id in pending
    return rows


def judge_queue_counts(user, assignments: list[JudgeAssignment] | None = None) -> dict[str, int]:
    """How many products the judge has to score, has scored, and scored but waits on a third judge for."""
    counts = dict.fromkeys(QUEUE_TABS, 0)
    for assignment in judge_assignments(user) if assignments is None else assignments:
        tab = queue_tab(assignment)
        if tab:
            counts[tab] += 1
    return counts


def judge_queue(user, tab: str, assignments: list[JudgeAssignment] | None = None) -> list[JudgeAssignment]:
    """The judge's assignments of one tab, in the queue's order."""
    rows = judge_assignments(user) if assignments is None else assignments
    return [a for a in rows if queue_tab(a) == tab]
