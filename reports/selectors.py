"""Dashboard reads: snapshots only (never raw rows), a fixed number of queries per page."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from truonghoc.formatting import date_text, number, percent
from truonghoc.params import parse_int
from units.models import Target, Unit
from units.periods import Period
from units.selectors import EffectiveTarget, in_subtree_q, in_subtrees, open_during_q, tree_history

from .models import UnitStat

K = Unit.Kind
SORTABLE = ("name", "teacher_accounts", "student_accounts", "teachers_photo_ok", "topics", "teacher_coverage",
            "student_coverage", "photo_ok_rate")  # fmt: skip


class Flag(str):
    """A flag's text, with its kind: "data" (a data problem), "declare" (numbers not declared),
    "target" (a target missed) or "quality" (empty or duplicate topics)."""

    kind = "target"
    # How much of the target is reached (0 = nothing, 1 = all): lagging units are listed worst first.
    reached = 1.0

    @classmethod
    def of(cls, kind: str, text: str, reached: float = 1.0) -> "Flag":
        flag = cls(text)
        flag.kind = kind
        flag.reached = reached
        return flag


def flags_for(stat: UnitStat, targets: dict[str, EffectiveTarget], period: Period) -> list[Flag]:
    """Why a unit is lagging (or what is wrong with its data), in words a Department would write. A unit
    closed before the period's end is not lagging in it: it says when it closed instead (kind "closed")."""
    flags: list[Flag] = []
    for problem in stat.data_problems or []:
        published = (problem.get("published") or {}).get("teacher_photo_ok")
        loaded = (problem.get("loaded") or {}).get("teacher_photo_ok")
        if published is not None:
            flags.append(
                Flag.of(
                    "data",
                    _("data problem: the published table gives %(published)s proper photos for %(loaded)s teachers")
                    % {"published": number(published), "loaded": number(loaded)},
                )
            )
    closed_on = stat.unit.closed_on if not stat.unit.is_active else None
    if closed_on is not None and closed_on < period.end:
        flags.append(Flag.of("closed", _("closed on %(day)s") % {"day": date_text(closed_on)}))
        return flags
    if stat.schools and stat.schools_declared < stat.schools:
        text = (
            _("numbers of teachers and students not declared")
            if stat.schools == 1
            else _("%(n)d of %(total)d schools have not declared their numbers of teachers and students")
            % {"n": stat.schools - stat.schools_declared, "total": stat.schools}
        )
        flags.append(Flag.of("declare", text))
    # The words are translated only for the flags raised (gettext_noop): a dashboard asks 150 units.
    for metric, value, label in (
        (Target.Metric.TEACHER_COVERAGE, stat.teacher_coverage, gettext_noop("teachers with an account")),
        (Target.Metric.STUDENT_COVERAGE, stat.student_coverage, gettext_noop("students with an account")),
        (Target.Metric.PHOTO_OK, stat.photo_ok_rate, gettext_noop("teachers with a proper photo")),
    ):
        target = targets[metric].value
        if value is not None and Decimal(str(value)) < target:
            flags.append(
                Flag.of(
                    "target",
                    _("%(label)s: %(value)s (target %(target)s)")
                    % {"label": _(label), "value": percent(value), "target": percent(target)},
                    _reached(Decimal(str(value)), target),
                )
            )
    # Grade entry (issue #16): behind the target share of expected marks, or marks still empty after a
    # column's deadline.
    if stat.marks_expected:
        target = targets[Target.Metric.GRADE_ENTRY].value
        rate = Decimal(str(stat.grade_entry_rate))
        if rate < target:
            flags.append(
                Flag.of(
                    "target",
                    _("marks entered: %(value)s of those expected (target %(target)s)")
                    % {"value": percent(stat.grade_entry_rate), "target": percent(target)},
                    _reached(rate, target),
                )
            )
        if stat.marks_missed:
            flags.append(
                Flag.of(
                    "target",
                    _("%(n)s marks still empty after their deadline") % {"n": number(stat.marks_missed)},
                    _reached(Decimal(stat.marks_expected - stat.marks_missed), Decimal(stat.marks_expected)),
                )
            )
    # The online share (issue #17): the secondary schools' planned online periods against the programme's,
    # a ratio of sums; primary schools do not count (they have no 10% rule).
    # Before any online period is planned (the rules' first year, plans not yet approved) the unit gets a
    # mild flag of its own kind ("share"), not counted as lagging: every secondary school of the country
    # would otherwise lead the lagging list at 0% and hide the other figures; the list of the schools that
    # pull the share down (share_pulling_down) still names them.
    if stat.secondary_programme and not stat.secondary_planned:
        flags.append(Flag.of("share", _("no online teaching planned yet at secondary level"), 0.0))
    elif stat.secondary_programme:
        target = targets[Target.Metric.ONLINE_SHARE].value
        rate = stat.secondary_planned_rate
        if rate < target:
            flags.append(
                Flag.of(
                    "target",
                    _("online teaching planned at secondary level: %(value)s of the periods (target %(target)s)")
                    % {"value": percent(rate), "target": percent(target)},
                    _reached(rate, target),
                )
            )
    if stat.teacher_accounts and stat.teachers_photo_ok == 0:
        flags.append(Flag.of("target", _("no teacher has a proper photo"), 0.0))
    # Targets counted per group or per teacher and per semester: (measure, how many there are, for how
    # many, the words, and the names the words give those two numbers).
    semesters = {"semester": 1, "year": 2}.get(period.kind)
    for metric, have, per, text, names in (
        (
            Target.Metric.TOPICS_PER_GROUP,
            stat.real_topics,
            stat.groups,
            gettext_noop("%(real)s real topics for %(groups)s groups (target %(needed)s)"),
            ("real", "groups"),
        ),
        (
            Target.Metric.PRODUCTS_PER_TEACHER,
            stat.products,
            stat.teacher_accounts,
            gettext_noop("%(products)s products for %(teachers)s teachers (target %(needed)s)"),
            ("products", "teachers"),
        ),
    ):
        if not (semesters and per):
            continue
        needed = targets[metric].value * per * semesters
        if have < needed:
            words = _(text) % {names[0]: number(have), names[1]: number(per), "needed": number(needed)}
            flags.append(Flag.of("target", words, _reached(Decimal(have), needed)))
    if stat.topics_empty:
        flags.append(
            Flag.of(
                "quality",
                _("%(n)d topics with a title only (a title and its purpose, no content), not counted as real topics")
                % {"n": stat.topics_empty},
            )
        )
    if stat.topics_duplicate:
        flags.append(
            Flag.of(
                "quality",
                _("%(n)d near-duplicate topics, not counted as real topics") % {"n": stat.topics_duplicate},
            )
        )
    if stat.teacher_accounts == 0 and stat.schools:
        flags.append(Flag.of("target", _("no teacher account issued"), 0.0))
    if stat.student_accounts == 0 and stat.schools:
        flags.append(Flag.of("target", _("no student account issued"), 0.0))
    return flags


def _reached(value: Decimal, target: Decimal) -> float:
    return float(max(Decimal(0), min(Decimal(1), value / target))) if target else 1.0


def lagging_first(rows: list[tuple[UnitStat, list[Flag]]]) -> list[tuple[UnitStat, list[Flag]]]:
    """The units that miss a target (or post empty or copied topics), worst first: the lowest share of a
    target reached, then the most targets missed, then by name; each unit's flags worst first, so the
    first one is the figure that puts it there."""
    lagging = []
    for row, flags in rows:
        missed = sorted((f for f in flags if f.kind in ("target", "quality")), key=lambda f: f.reached)
        if missed:
            lagging.append((row, missed))
    return sorted(lagging, key=lambda r: (r[1][0].reached, -len(r[1]), r[0].unit.name_folded))


@dataclass
class Section:
    title: str
    unit: Unit | None
    rows: list[UnitStat] = field(default_factory=list)
    total: UnitStat | None = None


def _sort(rows: list[UnitStat], sort: str, descending: bool) -> list[UnitStat]:
    if sort not in SORTABLE or sort == "name":
        return rows if sort != "name" else sorted(rows, key=lambda r: r.unit.name_folded, reverse=descending)
    return sorted(rows, key=lambda r: (getattr(r, sort) is None, getattr(r, sort) or 0), reverse=descending)


def dashboard(
    *, unit: Unit, period: Period, sort: str = "", descending: bool = False
) -> tuple[UnitStat | None, list[Section]]:
    """The unit's own row and its sections, as the Hà Nam table lays them out: under a Department, the
    schools it manages directly, then each Office with its schools; under the Ministry, the
    Departments; under an Office, its schools. The tree is the one at the period's end
    (`units.selectors.tree_history`, as the roll-up counted it): a school moved to another Office after
    the period ended shows under its old Office. Closed units show in the periods that started on or
    before their closing date. Three queries whatever the number of schools."""
    return own_stat(unit=unit, period=period), dashboard_sections(
        unit=unit, period=period, sort=sort, descending=descending
    )


def own_stat(*, unit: Unit, period: Period) -> UnitStat | None:
    """The unit's own snapshot row in `period` (one query): its computed_at says when the figures last changed."""
    return UnitStat.objects.filter(unit=unit, period_kind=period.kind, period_start=period.start).first()


def dashboard_sections(*, unit: Unit, period: Period, sort: str = "", descending: bool = False) -> list[Section]:
    """The sections of `dashboard` without the unit's own row (two queries)."""
    levels = 2 if unit.kind == K.DEPARTMENT else 1  # only a Department's page shows two levels
    rows = _rows_below(unit=unit, period=period, levels=levels)
    parent_then = {row.pk: row.parent_then for row in rows}
    children = [r for r in rows if r.level == 1]
    sections: list[Section] = []
    if unit.kind == K.DEPARTMENT:
        direct = [r for r in children if r.unit.kind in (K.SCHOOL, K.UNIVERSITY)]
        if direct:
            sections.append(Section(_("Schools managed by the Department"), None, _sort(direct, sort, descending)))
        for office in (r for r in children if r.unit.kind == K.OFFICE):
            schools = [r for r in rows if r.level == 2 and parent_then[r.pk] == office.unit.path]
            sections.append(Section(office.unit.name, office.unit, _sort(schools, sort, descending), office))
    elif children:
        sections.append(Section(_("Units below"), None, _sort(children, sort, descending)))
    return sections


def _rows_below(*, unit: Unit, period: Period, levels: int, only: tuple[str, ...] = ()) -> list[UnitStat]:
    """The snapshot rows of the units `levels` levels below `unit` in `period`, placed by the tree at the
    period's end (a unit moved since shows under its old parent), each with `.level` (1 = a child) and
    `.parent_then` (its parent's path then); in tree order. Two queries whatever the number of units."""
    history = tree_history(after=period.end)
    depths = [unit.depth + n for n in range(1, levels + 1)]
    where = Q(in_subtree_q(unit), unit__depth__in=depths)
    if history.moves:  # units that were below this one then, wherever they are now
        where |= Q(pk__in=in_subtrees(UnitStat.objects.all(), history.moved_paths).values("pk"))
    candidates = (
        UnitStat.objects.filter(where, open_during_q(period.start, "unit"), period_kind=period.kind)
        .filter(period_start=period.start)
        .select_related("unit")
        .order_by("unit__path")
    )
    if only:
        candidates = candidates.only(*only)
    rows = []
    for row in candidates:
        above = history.ancestor_paths_at(row.unit.path, period.end)
        if unit.path in above[:levels]:
            row.level = above.index(unit.path) + 1
            row.parent_then = above[0]
            rows.append(row)
    return rows


def trend(*, unit: Unit, months: int = 12) -> list[UnitStat]:
    return list(UnitStat.objects.filter(unit=unit, period_kind="month").order_by("-period_start")[:months])[::-1]


SUMMARY_FIELDS = {"schools": "schools", "teachers": "teacher_accounts", "students": "student_accounts",
                  "groups": "groups", "courses": "courses", "topics": "topics", "products": "products"}  # fmt: skip


def level_summary(*, unit: Unit, period: Period) -> list[dict]:
    """Accounts, courses, groups and products by school level, like the Đắk Lắk summary; one grouped
    query over the school snapshots (not raw rows), with the schools below the unit at the period's end
    (a school moved after it ended counts under its old parent, as in the roll-up: two more queries then)."""
    schools = UnitStat.objects.filter(
        open_during_q(period.start, "unit"), period_kind=period.kind, period_start=period.start,
        unit__kind__in=[K.SCHOOL, K.UNIVERSITY],
    )  # fmt: skip
    history = tree_history(after=period.end)
    here = schools.filter(in_subtree_q(unit))
    moved = []
    if history.moves:
        maybe_elsewhere = in_subtrees(schools, history.moved_paths)
        here = here.exclude(pk__in=maybe_elsewhere.values("pk"))
        moved = [
            row
            for row in maybe_elsewhere.select_related("unit")
            if unit.path in history.ancestor_paths_at(row.unit.path, period.end)
        ]
    summary = {
        row["unit__school_level"]: row
        for row in here.values("unit__school_level")
        .annotate(**{name: Sum(figure) for name, figure in SUMMARY_FIELDS.items()})
        .order_by("unit__school_level")
    }
    for row in moved:
        level = summary.setdefault(
            row.unit.school_level, {"unit__school_level": row.unit.school_level, **dict.fromkeys(SUMMARY_FIELDS, 0)}
        )
        for name, figure in SUMMARY_FIELDS.items():
            level[name] = (level[name] or 0) + getattr(row, figure)
    return [summary[level] for level in sorted(summary)]


def teacher_activity(*, school: Unit, year: str | None = None) -> tuple[list, list[dict]]:
    """(months, rows): for each teacher of the school, their topics per month of a school year, the
    total, the dates of their latest topics and their forum posts in that year (counted as the
    statistics count them). The year is the one asked for, else the school year of the school's latest
    topic. Four queries."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from forums.selectors import posts_counted
    from units.periods import month_of, school_year_numbered, school_year_of

    topics = school_topic_list(school=school).order_by("-created_at")
    if (first_year := parse_int(year, minimum=2000, maximum=2100)) is not None:
        span = school_year_numbered(first_year, school)
    else:
        latest = topics.values_list("created_at", flat=True).first()
        span = school_year_of(timezone.localtime(latest).date() if latest else timezone.localdate(), school)
    months, day = [], span.start
    while day <= span.end:
        months.append(month_of(day))
        day = months[-1].end + timedelta(days=1)
    per_teacher: dict[int, dict] = {}
    for author_id, created in topics.filter(
        created_at__date__gte=span.start, created_at__date__lte=span.end
    ).values_list("author_id", "created_at"):
        local = timezone.localtime(created)
        entry = per_teacher.setdefault(author_id, {"by_month": {}, "dates": []})
        key = local.strftime("%Y-%m")
        entry["by_month"][key] = entry["by_month"].get(key, 0) + 1
        entry["dates"].append(local)
    teachers = (
        get_user_model().objects.filter(unit=school, account_type="teacher", is_active=True).order_by("name_sort")
    )
    posts = dict(
        posts_counted()
        .filter(author__unit=school, created_at__date__gte=span.start, created_at__date__lte=span.end)
        .values_list("author_id")
        .annotate(n=Count("id"))
        .values_list("author_id", "n")
    )
    rows = []
    for teacher in teachers.only("id", "full_name", "username"):
        entry = per_teacher.get(teacher.pk, {"by_month": {}, "dates": []})
        rows.append(
            {
                "teacher": teacher,
                "counts": [entry["by_month"].get(m.start.strftime("%Y-%m"), 0) for m in months],
                "total": len(entry["dates"]),
                "latest": entry["dates"][:5],
                "posts": posts.get(teacher.pk, 0),
            }
        )
    return months, rows


def school_topic_list(*, school: Unit, period: Period | None = None):
    """The topics behind a school's figure: the same ones the statistics count (posted — published or
    closed since — not deleted, in the period), newest first."""
    from courses.models import Course

    topics = Course.objects.counted_topics().filter(in_subtree_q(school))
    if period is not None:
        topics = topics.filter(created_at__date__gte=period.start, created_at__date__lte=period.end)
    return topics.select_related("author", "unit").order_by("-created_at", "-id")


def definitions() -> list[tuple[str, str]]:
    """How each figure is counted, as the dashboard publishes it (the same rules reports.services applies)."""
    return [
        (
            _("Accounts"),
            _("Active teacher and student accounts of the school, joined by the end of the period."),
        ),
        (
            _("Coverage"),
            _(
                "Accounts in percent of the numbers of teachers and students the school declared; a school that "
                "has not declared them is left out and shows “—”."
            ),
        ),
        (
            _("Topics posted"),
            _("Professional topics published (or closed since) in the period by the school's groups, not removed."),
        ),
        (
            _("Real topics"),
            _(
                "Topics posted, minus those flagged “title only” (a title and its purpose and requirements, with "
                "nothing in the content or sections) and near-copies of an earlier topic of the same school."
            ),
        ),
        (
            _("Forum posts"),
            _(
                "Posts written in the period by the school's active teachers, in any forum, not removed or hidden "
                "by a moderator; per teacher: posts divided by teacher accounts."
            ),
        ),
        (
            _("Products"),
            _("Products the school's teachers handed in to their professional groups in the period, not removed."),
        ),
        (
            _("Online teaching share"),
            _(
                "Online periods (live or on the LMS) of the schools' approved teaching plans, in percent of the "
                "programme's periods of the subjects they teach, planned and already taught, for the school year "
                "of the period. Above a school it is the sum of the online periods divided by the sum of the "
                "periods, not an average of percentages. The target counts secondary schools only."
            ),
        ),
        (
            _("Contests"),
            _(
                "Participants: people registered in a contest in the period (each member of a team), counted at "
                "the school they registered from; products: contest products handed in (at least one version) in "
                "the period; awards: prizes given in the period in rounds whose results are already published."
            ),
        ),
    ]


# --- grade entry (gradebook, issue #16) -----------------------------------------------------------------


def grade_entry_behind(*, unit: Unit, period: Period, resolve) -> list[UnitStat]:
    """The schools below `unit` behind in entering marks in `period` (below their grade-entry target or
    with marks still empty after a deadline), least entered first; read from the snapshots (one query)."""
    rows = (
        UnitStat.objects.filter(
            in_subtree_q(unit),
            period_kind=period.kind,
            period_start=period.start,
            unit__kind__in=[K.SCHOOL, K.UNIVERSITY],
            unit__is_active=True,
            marks_expected__gt=0,
        )
        .exclude(unit=unit)
        .select_related("unit")
    )
    metric = Target.Metric.GRADE_ENTRY
    behind = [row for row in rows if grade_entry_is_behind(row, resolve(row.unit.path)[metric].value)]
    return sorted(behind, key=lambda row: (row.grade_entry_rate, row.unit.name_folded))


def grade_entry_is_behind(stat: UnitStat, target: Decimal) -> bool:
    """Behind in entering marks: some marks expected, and fewer entered than the target share, or marks
    still empty after a column's deadline (the rule the dashboard's flags and the report request use)."""
    if not stat.marks_expected:
        return False
    return bool(stat.marks_missed) or Decimal(str(stat.grade_entry_rate)) < target


GRADE_ENTRY_FIELDS = (
    "unit__id", "unit__name", "unit__name_folded", "unit__code", "unit__kind", "unit__path", "unit__depth",
    "unit__is_active", "unit__closed_on", "period_kind", "period_start", "computed_at", "marks_expected",
    "marks_entered", "marks_missed",
)  # fmt: skip


@dataclass
class GradeEntryLine:
    """One unit's grade-entry figures on the progress page, with its texts prepared (the template prints)."""

    unit: Unit
    expected: int
    entered: int
    missed: int
    rate: float | None
    target: Decimal
    behind: bool
    name_folded: str


def grade_entry_progress(*, unit: Unit, period: Period, resolve) -> tuple[UnitStat | None, list[GradeEntryLine]]:
    """The unit's own grade-entry snapshot and one line per unit directly below it (its Offices and
    schools, or Departments), placed by the tree at the period's end, with its target (`resolve`, from
    `units.selectors.targets_resolver`) and whether it is behind; snapshots only, three queries whatever
    the number of units."""
    own = UnitStat.objects.filter(unit=unit, period_kind=period.kind, period_start=period.start).first()
    lines = []
    for row in _rows_below(unit=unit, period=period, levels=1, only=GRADE_ENTRY_FIELDS):
        target = resolve(row.unit.path)[Target.Metric.GRADE_ENTRY].value
        lines.append(
            GradeEntryLine(
                unit=row.unit, expected=row.marks_expected, entered=row.marks_entered, missed=row.marks_missed,
                rate=row.grade_entry_rate, target=target, behind=grade_entry_is_behind(row, target),
                name_folded=row.unit.name_folded,
            )
        )  # fmt: skip
    return own, lines


@dataclass
class ShareLine:
    """A secondary school below the online-share target: its planned and taught share and the online periods
    it misses to reach the target (what it takes off its Office's and Department's share)."""

    stat: UnitStat
    target: Decimal
    missing: Decimal


def share_pulling_down(*, unit: Unit, period: Period, resolve) -> list[ShareLine]:
    """The secondary schools under `unit` whose planned online share is below their target in `period`, the
    most online periods missing first (they pull the unit's ratio down the most). One query whatever their
    number; the schools where they are now (the share is the school year's, not a month's history)."""
    rows = (
        UnitStat.objects.filter(
            in_subtree_q(unit),
            unit__kind__in=(K.SCHOOL, K.UNIVERSITY),
            period_kind=period.kind,
            period_start=period.start,
            secondary_programme__gt=0,
        )
        .select_related("unit")
        .order_by("unit__path")
    )
    lines = []
    for row in rows:
        target = resolve(row.unit.path)[Target.Metric.ONLINE_SHARE].value
        if row.secondary_planned_rate < target:
            missing = target * row.secondary_programme / 100 - row.secondary_planned
            lines.append(ShareLine(row, target, missing.quantize(Decimal("0.1"))))
    return sorted(lines, key=lambda line: (-line.missing, line.stat.unit.name_folded))
