"""Participation statistics, computed into UnitStat snapshots.

One pass reads the raw rows a few times (grouped queries, whatever the number of periods), counts
each school's figures for every period, then adds school rows up the tree: every Office, Department
and the Ministry get exactly the sum of their schools. A recompute of one subtree writes that subtree's
schools and re-adds every unit above them from the stored school rows, so the incremental path and the
full recompute give the same numbers (tested).

Definitions (also shown on the dashboards):
- accounts: active teacher / student accounts whose school is the unit, joined by the end of the
  period; photo, profile and "active in the last 30 days" are as of the time of computing;
- topics: published professional topics posted in the period in the school or its groups; "empty"
  ones (title only: a title and its purpose, nothing in the content or sections) and "duplicates" (a
  near-copy of an earlier topic of the school) are counted apart from the real ones, as
  courses.services.topics.topic_quality_assess stored them;
- products: products the school's teachers handed in to its groups in the period (not removed);
- posts: forum posts written in the period by the school's active teachers (as they are now), not
  removed or hidden by a moderator, wherever they posted;
- contests: contests.figures' definitions (people registered in the period, a team's members each; products
  handed in; awards of results already out), at the registration's school.
"""

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from contests.selectors import school_figures as contest_school_figures
from courses.models import Course, Product
from forums.selectors import posts_counted
from gradebook.progress import schools_totals
from teaching.selectors import school_shares
from units.models import AuditEntry, Unit
from units.periods import Period, current_periods, school_year_of
from units.selectors import TreeHistory, in_subtree_q, open_during_q, parent_path, tree_history

from .models import SHARE_FIELDS, UnitStat

K = Unit.Kind
SCHOOL_KINDS = (K.SCHOOL, K.UNIVERSITY)
ROLLUP_KINDS = (K.MINISTRY, K.DEPARTMENT, K.OFFICE)
PROGRESS_KEY = "reports:recompute-progress:{}"
RECOMPUTE_LOCK = 4_211_001  # pg_advisory_xact_lock key: one recompute at a time


def _blank_row() -> dict[str, int]:
    return dict.fromkeys(UnitStat.SUMMED, 0)


def _school_figures(
    *, schools: list[dict], periods: list[Period], scope_path: str, share: bool = True
) -> dict[tuple, dict]:
    """{(school id, period key): figures} for the given schools, in a fixed number of queries."""
    User = get_user_model()
    by_path = {s["path"]: s for s in schools}
    ids = [s["id"] for s in schools]
    rows: dict[tuple, dict] = {}
    for school in schools:
        for period in periods:
            row = _blank_row()
            row["schools"] = 1
            row["declared_teachers"] = school["declared_teachers"] or 0
            row["declared_students"] = school["declared_students"] or 0
            row["schools_declared"] = int(
                school["declared_teachers"] is not None and school["declared_students"] is not None
            )
            rows[(school["id"], period.key)] = row

    # Accounts: counted per join month, then added up to each period's end (one query for all periods).
    now = timezone.now()
    profile_complete = Q(photo_status="proper", date_of_birth__isnull=False) & ~Q(email="") & ~Q(phone="")
    joined = (
        User.objects.filter(
            unit_id__in=ids, is_active=True, graduated_at__isnull=True, account_type__in=["teacher", "student"]
        )
        .annotate(month=TruncMonth("date_joined"))
        .values("unit_id", "account_type", "month")
        .annotate(
            n=Count("id"),
            photo_ok=Count("id", filter=Q(photo_status="proper")),
            complete=Count("id", filter=profile_complete),
            active=Count("id", filter=Q(last_login__gte=now - timedelta(days=30))),
        )
    )
    for entry in joined:
        month = entry["month"].date() if hasattr(entry["month"], "date") else entry["month"]
        for period in periods:
            if month > period.end:
                continue
            row = rows[(entry["unit_id"], period.key)]
            if entry["account_type"] == "teacher":
                row["teacher_accounts"] += entry["n"]
                row["teachers_photo_ok"] += entry["photo_ok"]
            else:
                row["student_accounts"] += entry["n"]
            row["complete_profiles"] += entry["complete"]
            row["active_30d"] += entry["active"]

    for row in rows.values():
        if row["schools_declared"]:
            row["declared_teacher_accounts"] = row["teacher_accounts"]
            row["declared_student_accounts"] = row["student_accounts"]

    # Professional groups (as they are now; a group closed on day D still counts in the periods that
    # started on or before D, like a closed school).
    school_of_path = {s["path"]: s["id"] for s in schools}
    groups = Unit.objects.below(scope_path).filter(open_during_q(min(p.start for p in periods)), kind=K.GROUP)
    for path, closed_on in groups.values_list("path", "closed_on"):
        school_id = school_of_path.get(parent_path(path))
        if school_id:
            for period in periods:
                if closed_on is None or closed_on >= period.start:
                    rows[(school_id, period.key)]["groups"] += 1

    # Topics and courses: read once from the earliest period start, bucketed per period. A topic's quality
    # (proper, empty, near-duplicate) was decided when it was published or edited.
    earliest = min(p.start for p in periods)
    topics = (
        Course.objects.counted()
        .filter(in_subtree_q(scope_path), created_at__date__gte=earliest)
        .values_list("kind", "unit__path", "quality", "created_at")
    )
    for kind, path, quality, created in topics.iterator(chunk_size=5000):
        school = by_path.get(path) or by_path.get(parent_path(path))
        if school is None:
            continue
        day = timezone.localtime(created).date()
        for period in periods:
            if not (period.start <= day <= period.end):
                continue
            row = rows[(school["id"], period.key)]
            if kind == Course.Kind.TOPIC:
                row["topics"] += 1
                row["topics_empty"] += int(quality == Course.Quality.EMPTY)
                row["topics_duplicate"] += int(quality == Course.Quality.DUPLICATE)
            else:
                row["courses"] += 1

    # Products handed in to the schools' professional groups.
    products = (
        Product.objects.alive()
        .filter(in_subtree_q(scope_path), created_at__date__gte=earliest)
        .values_list("unit__path", "created_at")
    )
    for path, created in products.iterator(chunk_size=5000):
        school = by_path.get(parent_path(path)) or by_path.get(path)
        if school is None:
            continue
        day = timezone.localtime(created).date()
        for period in periods:
            if period.start <= day <= period.end:
                rows[(school["id"], period.key)]["products"] += 1

    # Forum posts of the schools' teachers (a national forum's too: the author's school is what counts).
    posts = posts_counted().filter(
        in_subtree_q(scope_path, "author__unit"),
        author__account_type="teacher",
        author__is_active=True,
        created_at__date__gte=earliest,
    )
    school_ids = set(ids)
    for unit_id, created in posts.values_list("author__unit_id", "created_at").iterator(chunk_size=5000):
        if unit_id not in school_ids:
            continue
        day = timezone.localtime(created).date()
        for period in periods:
            if period.start <= day <= period.end:
                rows[(unit_id, period.key)]["posts"] += 1

    # Contests (issue #18): participants, products and awards per school and period, four grouped queries.
    for school_id, by_period in contest_school_figures(periods=periods, within=scope_path).items():
        if school_id not in school_ids:
            continue  # a registration counted at a unit that is not a school of this recompute
        for period, figures in by_period.items():
            row = rows[(school_id, period.key)]
            row["contest_participants"] = figures["participants"]
            row["contest_products"] = figures["products"]
            row["contest_awards"] = figures["awards"]

    _grade_entry(rows=rows, ids=ids, periods=periods)
    if share:
        _online_share(rows=rows, ids=ids, periods=periods)
    else:
        _kept_share(rows=rows, ids=ids, periods=periods)
    return rows


def _kept_share(*, rows: dict[tuple, dict], ids: list[int], periods: list[Period]) -> None:
    """The online-share figures the schools' rows had before this recompute (one query), for a recompute
    that leaves the share to its own Celery fan-out (reports.tasks.share_recompute): the rows are rewritten
    without a moment of zero shares, and the fan-out then refreshes them."""
    wanted = {key for keys in share_years(periods).values() for key in keys}
    where = Q(pk__in=[])
    for period in periods:
        if period.key in wanted:
            where |= Q(period_kind=period.kind, period_start=period.start)
    old = UnitStat.objects.filter(where, unit_id__in=ids).values(
        "unit_id", "period_kind", "period_start", *SHARE_FIELDS
    )
    for entry in old.iterator(chunk_size=5000):
        row = rows.get((entry["unit_id"], f"{entry['period_kind']}:{entry['period_start'].isoformat()}"))
        if row is not None:
            row.update({name: entry[name] for name in SHARE_FIELDS})


# Schools read per online-share batch: their plans and lessons sit in memory together (a 2,000-student
# school has ~130 plans and ~4,500 lessons), and the classes' query ORs one prefix per school.
SHARE_SCHOOLS_PER_BATCH = 200


def share_years(periods: list[Period]) -> dict[str, list[str]]:
    """{school year ("2026-2027"): keys of the periods that show its online share}: a year's row and its
    semesters' rows show that year's share (plans are yearly; "taught" is as of the computing time), the
    all-time row the share of the school year running at its end. Months show none."""
    years: dict[str, list[str]] = defaultdict(list)
    for period in periods:
        if period.kind in ("year", "semester") and period.first_year:
            first = period.first_year
        elif period.kind == "all":
            first = school_year_of(period.end).first_year
        else:
            continue
        years[f"{first}-{first + 1}"].append(period.key)
    return years


def share_figures(share) -> dict[str, int]:
    """A school's stored share figures from teaching's SchoolShare (its total; secondary_* only for a
    secondary school, the schools the 10% target counts)."""
    total = share.total
    secondary = share.is_secondary
    return {
        "share_programme": total.programme,
        "share_planned": total.planned,
        "share_taught": total.taught,
        "secondary_programme": total.programme if secondary else 0,
        "secondary_planned": total.planned if secondary else 0,
        "secondary_taught": total.taught if secondary else 0,
    }


def schools_share(*, ids: list[int], school_year: str) -> dict[int, dict[str, int]]:
    """{school id: share figures} of these schools in `school_year`, through `teaching.selectors.school_shares`
    (the rules of the school's own page), SHARE_SCHOOLS_PER_BATCH schools at a time."""
    result = {}
    schools = list(Unit.objects.filter(pk__in=ids).order_by("pk"))
    for start in range(0, len(schools), SHARE_SCHOOLS_PER_BATCH):
        for share in school_shares(schools=schools[start : start + SHARE_SCHOOLS_PER_BATCH], school_year=school_year):
            result[share.school.pk] = share_figures(share)
    return result


def _online_share(*, rows: dict[tuple, dict], ids: list[int], periods: list[Period]) -> None:
    """Each school's online share (teaching, issue #17) into the periods that show it (share_years)."""
    for school_year, keys in share_years(periods).items():
        for school_id, figures in schools_share(ids=ids, school_year=school_year).items():
            for key in keys:
                rows[(school_id, key)].update(figures)


def _grade_entry(*, rows: dict[tuple, dict], ids: list[int], periods: list[Period]) -> None:
    """Grade-entry progress (gradebook, issue #16) of each school: a semester's row has that semester's
    expected, entered and deadline-missed marks; a school year's row the sum of its two semesters. A
    fixed number of grouped queries per semester (gradebook.progress), whatever the number of schools."""
    semesters: dict[tuple[str, int], list[str]] = defaultdict(list)
    for period in periods:
        if not period.first_year:
            continue
        label = f"{period.first_year}-{period.first_year + 1}"
        if period.kind == "semester" and period.number:
            semesters[(label, period.number)].append(period.key)
        elif period.kind == "year":
            semesters[(label, 1)].append(period.key)
            semesters[(label, 2)].append(period.key)
    for (label, number), keys in semesters.items():
        for school_id, total in schools_totals(school_ids=ids, school_year=label, semester=number).items():
            for key in keys:
                row = rows[(school_id, key)]
                row["marks_expected"] += total.expected
                row["marks_entered"] += total.entered
                row["marks_missed"] += total.missed


def _data_problems(school_ids: list[int]) -> dict[int, list]:
    problems: dict[int, list] = defaultdict(list)
    for unit_id, before, after in AuditEntry.objects.filter(
        action="seed.data_problem", unit_id__in=school_ids
    ).values_list("unit_id", "before", "after"):
        problems[unit_id].append({"published": before, "loaded": after})
    return problems


@transaction.atomic
def stats_recompute(*, unit: Unit | None = None, periods: list[Period] | None = None, share: bool = True) -> int:
    """Recompute the snapshots of `unit`'s subtree (or of everything) and every unit above schools,
    for the given periods (by default: all time, this year, this semester, the last 12 months).
    Idempotent: running it twice gives the same rows. Returns the number of rows written.
    `share=False` keeps the schools' online-share figures as they were (the Celery task then refreshes
    them school by school, reports.tasks.share_recompute); by default they are computed here too."""
    periods = periods or current_periods()
    key = PROGRESS_KEY.format(unit.pk if unit is not None else "all")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a double click or the nightly run: wait, don't collide
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK])
    try:
        cache.set(key, {"done": 0, "total": 3}, 600)
        rows = _recompute(unit=unit, periods=periods, key=key, share=share)
    finally:
        cache.delete(key)
    analyze_tables(UnitStat)
    return rows


def counts_in(unit: dict, period: Period) -> bool:
    """`units.selectors.open_during_q`'s rule, for a unit read with its "is_active" and "closed_on"."""
    return unit["is_active"] or (unit["closed_on"] is not None and unit["closed_on"] >= period.start)


def _recompute(*, unit: Unit | None, periods: list[Period], key: str, share: bool = True) -> int:
    scope_path = unit.path if unit is not None else ""
    earliest = min(p.start for p in periods)
    schools = list(
        Unit.objects.below(scope_path)
        .filter(open_during_q(earliest), kind__in=SCHOOL_KINDS)
        .values("id", "path", "declared_teachers", "declared_students", "is_active", "closed_on")
    )
    figures = _school_figures(schools=schools, periods=periods, scope_path=scope_path, share=share)
    problems = _data_problems([s["id"] for s in schools])
    now = timezone.now()
    cache.set(key, {"done": 1, "total": 3}, 600)

    period_q = Q(pk__in=[])
    for p in periods:
        period_q |= Q(period_kind=p.kind, period_start=p.start)
    # School rows of the scope (merged schools lose theirs, closed ones keep those of the periods that
    # started on or before their closing date), then fresh ones.
    UnitStat.objects.filter(period_q, in_subtree_q(scope_path), unit__kind__in=SCHOOL_KINDS).delete()
    school_rows = [
        UnitStat(
            unit_id=school["id"], period_kind=p.kind, period_start=p.start, period_end=p.end, computed_at=now,
            data_problems=problems.get(school["id"], []), **figures[(school["id"], p.key)],
        )
        for school in schools
        for p in periods
        if counts_in(school, p)
    ]  # fmt: skip
    UnitStat.objects.bulk_create(school_rows, batch_size=2000)
    cache.set(key, {"done": 2, "total": 3}, 600)

    # Every Office, Department and the Ministry: the sum of the stored rows of the schools that were
    # below it at the end of each period (the tree as it was then: `units.selectors.tree_history`, so a
    # school moved to another Office stays under its old one in the periods that ended before the move).
    # All of them, not only this subtree's parents: a school that moved or merged changes an old parent
    # too. One read of the school rows (a few tens of thousands at a national scale) and one of the moves.
    above = list(
        Unit.objects.filter(open_during_q(earliest), kind__in=ROLLUP_KINDS).values(
            "id", "path", "is_active", "closed_on"
        )
    )
    stored = UnitStat.objects.filter(
        period_q, open_during_q(F("period_start"), "unit"), unit__kind__in=SCHOOL_KINDS
    ).values("unit__path", "period_kind", "period_start", *UnitStat.SUMMED)
    history = tree_history(after=min(p.end for p in periods))
    totals = _add_up(
        above,
        periods,
        ((e["unit__path"], e, f"{e['period_kind']}:{e['period_start'].isoformat()}") for e in stored.iterator()),
        history,
    )
    UnitStat.objects.filter(period_q, unit__kind__in=ROLLUP_KINDS).delete()
    above_rows = [
        UnitStat(unit_id=u["id"], period_kind=p.kind, period_start=p.start, period_end=p.end, computed_at=now,
                 **totals[(u["id"], p.key)])
        for u in above
        for p in periods
        if counts_in(u, p)
    ]  # fmt: skip
    UnitStat.objects.bulk_create(above_rows, batch_size=2000)
    return len(school_rows) + len(above_rows)


def _add_up(above: list[dict], periods: list[Period], school_rows, history: TreeHistory) -> dict[tuple, dict]:
    """{(unit id, period key): sums} of the school rows below each unit of `above` at the end of the
    row's period, as `history` knows the tree then."""
    totals = {(u["id"], p.key): _blank_row() for u in above for p in periods}
    ids_by_path = {u["path"]: u["id"] for u in above}
    end_of = {p.key: p.end for p in periods}
    for school_path, figures, key in school_rows:
        for ancestor in history.ancestor_paths_at(school_path, end_of[key]):
            unit_id = ids_by_path.get(ancestor)
            if unit_id is not None:
                row = totals[(unit_id, key)]
                for field in UnitStat.SUMMED:
                    row[field] += figures[field]
    return totals


def analyze_tables(*models) -> None:
    """After writing many rows, give PostgreSQL fresh statistics: without them the planner believes the
    tables hold one row and picks nested loops that turn a 2 ms dashboard query into 90 ms."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def recompute_progress(*, unit: Unit) -> dict | None:
    """The progress of a recompute that covers this unit (its own, or a full one), if one is running."""
    return cache.get(PROGRESS_KEY.format(unit.pk)) or cache.get(PROGRESS_KEY.format("all"))


# --- the online share alone (issue #17): recomputed school by school in Celery (reports.tasks) ------------
def share_recompute_schools(*, school_ids: list[int], periods: list[Period] | None = None) -> int:
    """Refresh the online-share figures of these schools' stored rows (the periods `share_years` gives),
    leaving their other figures alone: what one task of a province's fan-out does. Idempotent (the
    figures are set, not added). A school without rows yet gets them from the next `stats_recompute`.
    Returns the number of rows updated."""
    periods = periods or current_periods()
    by_key = {p.key: p for p in periods}
    updated = 0
    now = timezone.now()
    with transaction.atomic():
        for school_year, keys in share_years(periods).items():
            figures = schools_share(ids=school_ids, school_year=school_year)
            where = Q(pk__in=[])
            for key in keys:
                where |= Q(period_kind=by_key[key].kind, period_start=by_key[key].start)
            stats = list(UnitStat.objects.filter(where, unit_id__in=list(figures)).only("pk", "unit_id"))
            for stat in stats:
                for name, value in figures[stat.unit_id].items():
                    setattr(stat, name, value)
                stat.computed_at = now  # the figures changed: the dashboards' cached tables key on it
            UnitStat.objects.bulk_update(stats, [*SHARE_FIELDS, "computed_at"], batch_size=1000)
            updated += len(stats)
    return updated


@transaction.atomic
def share_rollup(*, periods: list[Period] | None = None) -> int:
    """Re-add the online-share figures of every Office, Department and the Ministry from the stored school
    rows (the tree at each period's end, as `stats_recompute` adds them), after the schools' tasks: the
    same numbers as a full recompute. Returns the number of rows updated."""
    periods = periods or current_periods()
    wanted = {key for keys in share_years(periods).values() for key in keys}
    periods = [p for p in periods if p.key in wanted]
    if not periods:
        return 0
    earliest = min(p.start for p in periods)
    now = timezone.now()
    period_q = Q(pk__in=[])
    for p in periods:
        period_q |= Q(period_kind=p.kind, period_start=p.start)
    above = list(
        Unit.objects.filter(open_during_q(earliest), kind__in=ROLLUP_KINDS).values(
            "id", "path", "is_active", "closed_on"
        )
    )
    stored = UnitStat.objects.filter(
        period_q, open_during_q(F("period_start"), "unit"), unit__kind__in=SCHOOL_KINDS
    ).values("unit__path", "period_kind", "period_start", *UnitStat.SUMMED)
    totals = _add_up(
        above,
        periods,
        ((e["unit__path"], e, f"{e['period_kind']}:{e['period_start'].isoformat()}") for e in stored.iterator()),
        tree_history(after=min(p.end for p in periods)),
    )
    stats = list(
        UnitStat.objects.filter(period_q, unit__kind__in=ROLLUP_KINDS).only(
            "pk", "unit_id", "period_kind", "period_start"
        )
    )
    for stat in stats:
        row = totals.get((stat.unit_id, f"{stat.period_kind}:{stat.period_start.isoformat()}"))
        for name in SHARE_FIELDS:
            setattr(stat, name, row[name] if row else 0)
        stat.computed_at = now  # the figures changed: the dashboards' cached tables key on it
    UnitStat.objects.bulk_update(stats, [*SHARE_FIELDS, "computed_at"], batch_size=1000)
    return len(stats)
