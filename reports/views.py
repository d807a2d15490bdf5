import functools
import uuid
from datetime import timedelta
from html import escape
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import rolled_over_count, rollovers_of, schools_by_rollover
from publications.permissions.requests import can_issue_report_request
from publications.services.requests import AlreadyDone, report_request_create
from truonghoc import formatting, fragments
from truonghoc.enqueue import enqueue
from truonghoc.links import url_maker
from truonghoc.paging import page_number
from truonghoc.replica import reads_from_replica
from truonghoc.text import fold, search_text
from truonghoc.xlsx import download_response, xlsx_response
from units import periods
from units.models import Target, Unit
from units.permissions import can_manage_unit, can_view_rollovers, manages_path
from units.rollover import rollover_years
from units.selectors import school_year_for, targets_resolver, unit_ancestors
from units.services import audit_export, targets_set

from . import exports
from .permissions import can_recompute_stats, can_set_targets, can_view_stats, stats_unit_for_user_or_404
from .selectors import (
    SORTABLE,
    dashboard,
    dashboard_sections,
    definitions,
    flags_for,
    grade_entry_behind,
    grade_entry_progress,
    lagging_first,
    level_summary,
    own_stat,
    school_topic_list,
    share_pulling_down,
    teacher_activity,
    trend,
)
from .services import recompute_progress
from .tasks import stats_recompute_task

SECTIONS_PER_PAGE = 30
# Above this many rows on a page, each section (an Office and its schools) opens on a click: the page of a
# Department with 141 schools stays a page, not 50,000 px on a phone.
OPEN_ROWS_MAX = 40
LAGGING_SHOWN = 5
SHARE_DOWN_SHOWN = 10


def _view_options(request):
    period = periods.parse(request.GET.get("period", "all"))
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORTABLE else ""
    descending = request.GET.get("dir") == "desc"
    return period, sort, descending


def _flags_maker(resolve, period):
    """flags_of(stat): a snapshot row's flags against the targets in force there, each row worked out once."""
    flag_cache: dict[int, list[str]] = {}

    def flags_of(stat):
        if stat.pk not in flag_cache:
            flag_cache[stat.pk] = flags_for(stat, resolve(stat.unit.path), period)
        return flag_cache[stat.pk]

    flags_of.resolve = resolve  # the same targets (one query) for the online share's list
    return flags_of


def _data(request, unit):
    period, sort, descending = _view_options(request)
    own, sections = dashboard(unit=unit, period=period, sort=sort, descending=descending)
    return period, sort, descending, own, sections, _flags_maker(targets_resolver(unit=unit), period)


FLAG_CSS = {
    "data": "text-bg-danger", "declare": "text-bg-light border", "closed": "text-bg-secondary",
    "share": "text-bg-light border",
}  # fmt: skip


_DASHBOARD_URL = url_maker("reports:dashboard")
_DECLARE_URL = url_maker("units:declare")
_ACCOUNTS_URL = url_maker("accounts:school_accounts")
_TOPICS_URL = url_maker("reports:topics")


def _figure_labels() -> list[str]:
    """The four figures' names, which each card repeats on a phone (the table's header is hidden there)."""
    return [_("Teacher accounts"), _("Student accounts"), _("Proper photos"), _("Topics")]


def _line(number: int, row, flags, period_q: str, labels: list[str]) -> dict:
    """One table row with its links and formatted figures prepared here: the dashboard's template then
    only prints strings (a Department has 150 rows; template tags per cell would dominate the time)."""
    unit = row.unit
    line = {
        "number": number,
        "code": unit.code,
        "name": unit.name,
        "url": _DASHBOARD_URL(unit.pk) + period_q,
        "figures": [formatting.number(getattr(row, f)) for f in exports.FIGURES],
        "coverage": f"{formatting.percent(row.teacher_coverage)} / {formatting.percent(row.student_coverage)}",
        # The online share of its secondary schools (what the target reads), planned / taught.
        "share": f"{formatting.percent(row.secondary_planned_rate)} / {formatting.percent(row.secondary_taught_rate)}",
        # Contests (issue #18): participants / products / awards.
        "contests": " / ".join(
            formatting.number(getattr(row, f)) for f in ("contest_participants", "contest_products", "contest_awards")
        ),
        "declared": bool(row.schools_declared),
        # Numbers not declared are told once, above the table, not as a badge on every row.
        "flags": [(FLAG_CSS.get(f.kind, "text-bg-warning"), f) for f in flags if f.kind != "declare"],
        "links": [None, None, None, None],
    }
    if unit.is_school:
        accounts = _ACCOUNTS_URL(unit.pk)
        line["links"] = [f"{accounts}?type=teacher", f"{accounts}?type=student",
                         f"{accounts}?type=teacher&photo=proper", _TOPICS_URL(unit.pk) + period_q]  # fmt: skip
    line["cells"] = list(zip(line["figures"], line["links"], labels, strict=True))
    # The row's figure cells and flags as markup, escaped here once (html.escape, as Django's escape): per
    # row the template then prints two strings instead of looping over eight cells and flags, and a
    # Department's page has 150 rows.
    cells = []
    for figure, link, label in line["cells"]:
        text = f'<a href="{escape(link)}">{escape(figure)}</a>' if link else escape(figure)
        cells.append(f'<td class="text-end stat-cell" data-label="{escape(label)}">{text}</td>')
    flags_html = "".join(
        f'<span class="badge {escape(css)} text-wrap text-start fw-normal mb-1">{escape(flag)}</span> '
        for css, flag in line["flags"]
    )
    line["cells_html"] = mark_safe("".join(cells))  # noqa: S308 (every part escaped above)
    line["flags_html"] = mark_safe(flags_html or '<span class="text-success">✓</span>')  # noqa: S308
    return line


def _sort_headers(period, sort: str, descending: bool) -> list[dict]:
    """The sortable column headers of every section, made once per page (each section adds its anchor)."""
    up, down = mark_safe(' <i class="bi bi-caret-up-fill"></i>'), mark_safe(' <i class="bi bi-caret-down-fill"></i>')
    headers = []
    for key, label, css in (
        ("name", _("Unit"), ""),
        ("teacher_accounts", _("Teacher accounts"), "text-end"),
        ("student_accounts", _("Student accounts"), "text-end"),
        ("teachers_photo_ok", _("Proper photos"), "text-end"),
        ("topics", _("Topics"), "text-end"),
    ):
        direction = "desc" if sort == key and not descending else "asc"
        caret = (down if descending else up) if sort == key else ""
        href = f"?period={quote(period.key, safe='/')}&sort={key}&dir={direction}"
        headers.append({"css": css, "href": href, "label": label, "caret": caret})
    return headers


@login_required
@reads_from_replica
def stats_dashboard(request, pk: int):
    unit = stats_unit_for_user_or_404(request.user, pk)
    period, sort, descending = _view_options(request)
    own = own_stat(unit=unit, period=period)
    resolve = targets_resolver(unit=unit)
    flags_of = _flags_maker(resolve, period)

    # The tables, chart and lists below the totals read nothing but the snapshots and the targets: kept
    # rendered per unit, query string, language, snapshot and targets (below), so a Department's 141
    # schools are not laid out again on every visit.
    def build():
        return _figures(request, unit, period, sort, descending, own, flags_of)

    if own is None:
        figures = build()
    else:
        # The snapshot rows change only on a recompute, which writes the unit's own row again (computed_at),
        # and the flags depend on the targets (resolve.version); the query string carries the period, sort,
        # direction and page; fragments.shared adds the language.
        figures = fragments.shared(
            "reports:figures", build, unit.pk, own.computed_at.isoformat(), resolve.version,
            sorted(request.GET.lists()), seconds=FIGURES_CACHE_SECONDS,
        )  # fmt: skip
    context = {
        "unit": unit,
        "ancestors": [a for a in unit_ancestors(unit=unit) if can_view_stats(request.user, a)],
        "period": period,
        "period_choices": periods.current_periods(),
        "own": own,
        "totals_html": _with_request_link(request, unit, period, own, figures["totals_html"]),
        "declare": _declare_notice(request.user, unit, own, figures["undeclared"]),
        "summary_html": figures["summary_html"],
        "figures_html": figures["html"],
        "definitions_html": figures["definitions_html"],
        "has_chart": figures["has_chart"],
        "collapse": figures["collapse"],
        "can_recompute": can_recompute_stats(request.user, unit),
        "can_set_targets": can_set_targets(request.user, unit),
        "progress": recompute_progress(unit=unit),
        "querystring": request.GET.urlencode(),
    }
    return render(request, "reports/dashboard.html", context)


REQUEST_SLOT = "<!--grade-entry-request-->"


def _with_request_link(request, unit, period, own, totals_html: str) -> str:
    """The cached totals with the viewer's own button, when they may ask the schools behind to report."""
    link = ""
    if (
        own
        and own.marks_expected
        and period.kind in ("semester", "year")
        and can_issue_report_request(request.user, unit)
    ):
        url = reverse("reports:grade_entry_request", args=[unit.pk]) + f"?period={period.key}"
        link = render_to_string("reports/dashboard.html#grade-entry-request", {"grade_entry_request_url": url})
    return mark_safe(totals_html.replace(REQUEST_SLOT, link))  # noqa: S308 - both rendered by the template


# How long rendered figures are kept at most: the key already changes with every recompute and target;
# a unit renamed or moved between recomputes shows under its new name within this time.
FIGURES_CACHE_SECONDS = 60 * 60


def _figures(request, unit, period, sort, descending, own, flags_of) -> dict:
    """The dashboard's tables, chart, lagging units and the schools pulling the share down, rendered
    (the same for everyone who may see the unit), with what the rest of the page needs from them."""
    sections = dashboard_sections(unit=unit, period=period, sort=sort, descending=descending)
    page = Paginator(sections, SECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    period_q = f"?period={period.key}"
    labels = _figure_labels()
    for section in page:
        section.flagged = [(row, flags_of(row)) for row in section.rows]
        section.lines = [
            _line(n, row, flags, period_q, labels) for n, (row, flags) in enumerate(section.flagged, start=1)
        ]
    # Lagging: a target missed (not merely numbers still to declare), worst first with the figure, like the letter.
    lagging = []
    for section in page:
        rows = lagging_first(section.flagged)
        if rows:
            lagging.append((section.title, rows[:LAGGING_SHOWN], rows[LAGGING_SHOWN:]))
    chart_rows = [s.total for s in page if s.total is not None] or [r for s in page for r in s.rows][:40]
    # The secondary schools that pull the online share down (issue #17), most periods missing first.
    share_down = []
    if own and own.secondary_programme and not unit.is_school:
        share_down = share_pulling_down(unit=unit, period=period, resolve=flags_of.resolve)
    months = trend(unit=unit)
    collapse = sum(len(s.rows) for s in page) > OPEN_ROWS_MAX
    context = {
        "sort_headers": _sort_headers(period, sort, descending),
        "unit": unit,
        "period": period,
        "own": own,
        "page": page,
        "collapse": collapse,
        "labels": labels,
        "lagging": lagging,
        "share_down": share_down[:SHARE_DOWN_SHOWN],
        "share_down_more": max(0, len(share_down) - SHARE_DOWN_SHOWN),
        "chart": {
            "labels": [r.unit.name for r in chart_rows],
            "teachers": [r.teacher_accounts for r in chart_rows],
            "students": [r.student_accounts for r in chart_rows],
            "photo_ok_rate": [r.photo_ok_rate or 0 for r in chart_rows],
            "coverage": [r.student_coverage for r in chart_rows],
        },
        "trend": {
            "labels": [formatting.month_text(m.period_start) for m in months],
            "teachers": [m.teacher_accounts for m in months],
            "students": [m.student_accounts for m in months],
            "topics": [m.topics for m in months],
        },
    }
    # The summary by school level and the definitions read nothing but the snapshots and the language either;
    # nor do the totals above them, but for the viewer's own grade-entry request button (a slot).
    summary = level_summary(unit=unit, period=period)
    totals = {
        "own": own,
        "own_flags": [f for f in flags_of(own) if f.kind != "declare"] if own else [],
        "share_target": flags_of.resolve(unit.path)[Target.Metric.ONLINE_SHARE].value,
        "grade_entry_url": (
            _GRADE_ENTRY_URL(unit.pk) + f"?period={period.key}"
            if own and own.marks_expected and unit.kind in GRADE_ENTRY_KINDS
            else ""
        ),
        "request_slot": mark_safe(REQUEST_SLOT),  # noqa: S308 - a constant
    }
    return {
        "totals_html": render_to_string("reports/dashboard.html#totals", totals, request) if own else "",
        "summary_html": render_to_string("reports/dashboard.html#summary", {"summary": summary}, request)
        if len(summary) > 1
        else "",
        "definitions_html": render_to_string("reports/dashboard.html#definitions", {"definitions": definitions()}),
        "html": render_to_string("reports/dashboard.html#figures", context, request),
        "has_chart": bool(chart_rows),
        "collapse": collapse,
        # The schools still to declare their numbers: the notice links those the viewer may manage.
        # (pk, name, path): light to keep and read back, where 141 Unit instances were unpickled on every visit.
        "undeclared": [
            (row.unit.pk, row.unit.name, row.unit.path)
            for section in sections
            for row in section.rows
            if row.unit.is_school and not row.schools_declared
        ],
    }


def _declare_notice(user, unit, own, undeclared) -> dict | None:
    """One notice for the schools that have not declared their numbers of teachers and students (coverage
    needs them), with the way to do it and, for those who may, a link to each school's form."""
    if own is None or own.schools_declared >= own.schools:
        return None
    may_manage = manages_path(user)  # the viewer's scope worked out once, not once per school
    schools = [{"name": name, "url": _DECLARE_URL(pk) if may_manage(path) else ""} for pk, name, path in undeclared]
    # The list as markup, escaped here once (html.escape, as Django's escape): a Department may have 141
    # schools still to declare, and a template loop over them cost more than the rest of the notice.
    links = "; ".join(
        f'<a href="{escape(s["url"])}">{escape(s["name"])}</a>' if s["url"] else escape(s["name"]) for s in schools
    )
    own_url = _DECLARE_URL(unit.pk) if unit.is_school and can_manage_unit(user, unit) else ""
    return {
        "missing": own.schools - own.schools_declared,
        "total": own.schools,
        "schools": schools,
        "url": own_url,
        "schools_html": mark_safe(links),  # noqa: S308 (every part escaped above)
    }


@login_required
@reads_from_replica
def stats_export(request, pk: int, fmt: str):
    unit = stats_unit_for_user_or_404(request.user, pk)
    period, _sort, _desc, own, sections, flags_of = _data(request, unit)
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"so-lieu-{unit.code}-{stamp}.{fmt}"
    # The rows are the units listed (not the section totals); one audit entry per download, either format.
    audit = functools.partial(audit_export, actor=request.user, kind="statistics", unit=unit)
    rows = sum(len(section.rows) for section in sections)
    if fmt == "xlsx":
        content = exports.participation_xlsx(unit=unit, period=period, own=own, sections=sections, flags_of=flags_of)
        return xlsx_response(content, filename, audit=audit, rows=rows)
    if fmt == "csv":
        content = exports.participation_csv(sections=sections, flags_of=flags_of, own=own)
        return download_response(content.encode(), filename, "text/csv; charset=utf-8", audit=audit, rows=rows)
    raise Http404


@login_required
def stats_print(request, pk: int):
    unit = stats_unit_for_user_or_404(request.user, pk)
    period, _sort, _desc, own, sections, flags_of = _data(request, unit)
    lines = list(exports.table_rows(sections, flags_of))
    return render(
        request,
        "reports/print.html",
        {"unit": unit, "period": period, "own": own, "lines": lines, "header": exports.header(), "now": timezone.now()},
    )


@login_required
@require_POST
def stats_recompute(request, pk: int):
    unit = stats_unit_for_user_or_404(request.user, pk)
    if not can_recompute_stats(request.user, unit):
        raise Http404
    # The whole subtree and the units above it are recomputed in the background; the page polls. A second
    # click while one is queued or running does not queue another.
    if cache.add(f"reports:recompute-queued:{unit.pk}", True, 120):
        transaction.on_commit(lambda: enqueue(stats_recompute_task, args=[unit.pk]))
        messages.info(request, _("The figures are being updated; this page shows them when it is done."))
    else:
        messages.info(request, _("The figures of this unit are already being updated."))
    return redirect("reports:dashboard", pk=unit.pk)


@login_required
def stats_targets(request, pk: int):
    unit = stats_unit_for_user_or_404(request.user, pk)
    if not can_set_targets(request.user, unit):
        raise Http404
    current = targets_resolver(unit=unit)(unit.path)
    own = {t.metric: t.value for t in Target.objects.filter(unit=unit)}
    errors = {}
    if request.method == "POST":
        try:
            targets_set(
                actor=request.user, unit=unit, values={m: request.POST.get(m, "") for m in Target.Metric.values}
            )
        except ValidationError as exc:
            errors = {metric: messages_[0] for metric, messages_ in exc.message_dict.items()}
        else:
            messages.success(request, _("The targets have been saved; the units below inherit them."))
            return redirect("reports:dashboard", pk=unit.pk)
    rows = [
        {
            "metric": metric,
            "label": label,
            "own": request.POST.get(metric, "") if errors else own.get(metric, ""),
            "inherited": current[metric],
            "error": errors.get(metric),
        }
        for metric, label in Target.Metric.choices
    ]
    return render(request, "reports/targets.html", {"unit": unit, "rows": rows})


def _school_or_404(request, pk):
    unit = stats_unit_for_user_or_404(request.user, pk)
    if not unit.is_school:
        raise Http404
    return unit


@login_required
def school_activity(request, pk: int):
    """Each teacher's topics by month, with their dates, and their forum posts in the school year."""
    school = _school_or_404(request, pk)
    months, teachers = teacher_activity(school=school, year=request.GET.get("year"))
    page = Paginator(teachers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/activity.html",
        {"unit": school, "months": months, "page": page, "year": months[0].start.year if months else None},
    )


@login_required
def school_topics(request, pk: int):
    """The topics behind a school's figure, newest first, with who posted them, when, and their flags."""
    school = _school_or_404(request, pk)
    period = periods.parse(request.GET.get("period", "all"))
    page = Paginator(school_topic_list(school=school, period=period), 50).get_page(request.GET.get("page"))
    return render(request, "reports/topics.html", {"unit": school, "page": page, "period": period})


ROLLOVER_PAGE_SIZE = 50
ROLLOVER_STATES = ("done", "pending")  # the list's filter: rolled over, not yet (else every school)


@login_required
def rollover_status(request, pk: int):
    """Which of a Department's (an Office's, the Ministry's) schools have rolled over to the new school
    year, with the counts of each rollover and a link to the school; filtered by state (`?state=done|pending`)
    and name (`?q=`), both kept in the page links."""
    unit = get_object_or_404(Unit, pk=pk)
    if not can_view_rollovers(request.user, unit):
        raise Http404
    _from_year, to_year = rollover_years()
    schools = Unit.objects.schools_under(unit).filter(kind=Unit.Kind.SCHOOL, is_active=True)
    total = schools.count()
    done = rolled_over_count(schools=schools, to_year=to_year)
    shown = schools
    state = request.GET.get("state") if request.GET.get("state") in ROLLOVER_STATES else ""
    if state:
        shown = schools_by_rollover(schools=shown, to_year=to_year, done=state == "done")
    query = search_text(request.GET.get("q"))
    if query:
        shown = shown.filter(name_folded__contains=fold(query))
    page = Paginator(shown.order_by("name_folded", "pk"), ROLLOVER_PAGE_SIZE).get_page(request.GET.get("page"))
    found = rollovers_of(school_ids=[school.pk for school in page.object_list], to_year=to_year)
    rows = [(school, found.get(school.pk)) for school in page.object_list]
    context = {
        "unit": unit,
        "to_year": to_year,
        "total": total,
        "done": done,
        "page": page,
        "rows": rows,
        "query": query,
        "state": state,
    }
    return render(request, "reports/rollover_status.html", context)


# --- grade entry (issue #16): one click to ask the schools behind for a report ---------------------------

GRADE_ENTRY_REQUEST_DAYS = 7


@login_required
def grade_entry_request(request, pk: int):
    """From the dashboard: a report request to the schools behind in entering marks, prefilled (title,
    instructions, a deadline a week ahead, the lagging schools as recipients); a confirmation page first,
    the request is created on POST through publications' service."""
    unit = stats_unit_for_user_or_404(request.user, pk)
    if not can_issue_report_request(request.user, unit):
        raise Http404
    period = periods.parse(request.GET.get("period") or request.POST.get("period") or "")
    if period.kind not in ("semester", "year"):
        period = periods.current_periods()[2]
    behind = grade_entry_behind(unit=unit, period=period, resolve=targets_resolver(unit=unit))
    deadline = timezone.localtime() + timedelta(days=GRADE_ENTRY_REQUEST_DAYS)
    deadline = deadline.replace(hour=17, minute=0, second=0, microsecond=0)
    title = _("Report on grade entry, %(period)s") % {"period": period.label}
    instructions = _(
        "The figures of %(period)s show your school behind in entering marks in the electronic grade book "
        "(marks entered below the target, or columns still empty after their deadline). Please report the "
        "reasons and the date by which the marks will be complete."
    ) % {"period": period.label}
    if request.method == "POST":
        if not behind:
            messages.error(request, _("No school is behind in entering marks: no request was sent."))
            return redirect("reports:dashboard", pk=unit.pk)
        try:
            sent = report_request_create(
                actor=request.user, issuer=unit, title=title, instructions=instructions, deadline=deadline,
                units=[row.unit for row in behind], token=_token(request.POST.get("token")),
            )  # fmt: skip
        except AlreadyDone as done:
            sent = done.obj
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"{reverse('reports:grade_entry_request', args=[unit.pk])}?period={period.key}")
        messages.success(request, _("The report request was sent to %(n)d schools.") % {"n": len(behind)})
        return redirect("publications:status", pk=sent.pk)
    context = {"unit": unit, "period": period, "behind": behind, "title": title, "instructions": instructions,
               "deadline": deadline, "token": uuid.uuid4()}  # fmt: skip
    return render(request, "reports/grade_entry_request.html", context)


def _token(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- grade entry (issue #16): the progress page of an Office, a Department or the Ministry ---------------

GRADE_ENTRY_KINDS = (Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE)
GRADE_ENTRY_PAGE_SIZE = 50
GRADE_ENTRY_SORTS = {
    "name": lambda line: line.name_folded,
    "percent": lambda line: (line.rate is None, line.rate or 0, line.name_folded),
    "expected": lambda line: (line.expected, line.name_folded),
    "missed": lambda line: (line.missed, line.name_folded),
}
_GRADE_ENTRY_URL = url_maker("reports:grade_entry")
_SCHOOL_PROGRESS_URL = url_maker("gradebook:progress_school")


def _grade_entry_periods() -> list:
    """The periods grade entry is counted in: this school year's two semesters and the year."""
    year = school_year_for(None)
    return [periods.semester_period(year, 1), periods.semester_period(year, 2), periods.year_period(year)]


def _grade_entry_texts(number: int, line, period_q: str, school_q: str) -> dict:
    """A line's figures as the page prints them, and where its name leads (a school's own progress page,
    or this page for the Office below)."""
    unit = line.unit
    url = _SCHOOL_PROGRESS_URL(unit.pk) + school_q if unit.is_school else _GRADE_ENTRY_URL(unit.pk) + period_q
    return {
        "number": number,
        "code": unit.code,
        "name": unit.name,
        "url": url,
        "expected": formatting.number(line.expected),
        "entered": formatting.number(line.entered),
        "percent": formatting.percent(line.rate),
        "missed": formatting.number(line.missed) if line.missed else "",
        "target": formatting.percent(line.target),
        "behind": line.behind,
    }


@login_required
@reads_from_replica
def grade_entry(request, pk: int):
    """Tiến độ vào điểm of an Office, a Department or the Ministry, from the snapshots only: the unit's
    figure and one line per unit below (marks expected, entered, percent, marks empty after a deadline,
    behind the target or not), searched by name without accents (`?q=`), "behind only" (`?behind=1`),
    sorted (`?sort=name|percent|expected|missed&dir=asc|desc`), 50 a page; the report request to the
    schools behind one click away."""
    unit = stats_unit_for_user_or_404(request.user, pk)
    if unit.kind not in GRADE_ENTRY_KINDS:
        raise Http404
    choices = _grade_entry_periods()
    today = timezone.localdate()
    current = next((p for p in choices if p.kind == "semester" and p.start <= today <= p.end), choices[0])
    # One of this year's periods (matched by key: no second read of the school year), a semester or year
    # of another school year (a link from an older dashboard), else the current semester.
    key = request.GET.get("period") or ""
    period = next((p for p in choices if p.key == key), None)
    if period is None:
        period = periods.parse(key) if key else current
        if period.kind not in ("semester", "year"):
            period = current
        elif period not in choices:
            choices = [period, *choices]
    resolve = targets_resolver(unit=unit)
    own, lines = grade_entry_progress(unit=unit, period=period, resolve=resolve)
    behind_count = sum(line.behind for line in lines)
    query = search_text(request.GET.get("q"))
    behind_only = request.GET.get("behind") == "1"
    shown = lines
    if query:
        words = fold(query).split()
        shown = [line for line in shown if all(word in line.name_folded for word in words)]
    if behind_only:
        shown = [line for line in shown if line.behind]
    sort = request.GET.get("sort") if request.GET.get("sort") in GRADE_ENTRY_SORTS else "percent"
    descending = request.GET.get("dir") == "desc"
    shown = sorted(shown, key=GRADE_ENTRY_SORTS[sort], reverse=descending)
    page = Paginator(shown, GRADE_ENTRY_PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    period_q = f"?period={period.key}"
    school_q = f"?semester={period.number}" if period.kind == "semester" else ""
    rows = [
        _grade_entry_texts(number, line, period_q, school_q)
        for number, line in enumerate(page.object_list, start=page.start_index())
    ]
    target = resolve(unit.path)[Target.Metric.GRADE_ENTRY].value
    context = {
        "unit": unit,
        "period": period,
        "period_choices": choices,
        "own": own,
        "own_texts": {
            "percent": formatting.percent(own.grade_entry_rate),
            "entered": formatting.number(own.marks_entered),
            "expected": formatting.number(own.marks_expected),
            "missed": formatting.number(own.marks_missed) if own.marks_missed else "",
            "computed_at": formatting.datetime_text(own.computed_at),
        }
        if own
        else None,
        "target": formatting.percent(target),
        "total": len(lines),
        "behind_count": behind_count,
        "found": len(shown),
        "page": page,
        "rows": rows,
        "query": query,
        "behind_only": behind_only,
        "sort": sort,
        "descending": descending,
        "sorts": [
            ("percent", _("Least entered first")),
            ("name", _("Name")),
            ("expected", _("Marks expected")),
            ("missed", _("Empty after a deadline")),
        ],
        "dashboard_url": reverse("reports:dashboard", args=[unit.pk]) + period_q,
        "grade_entry_request_url": (
            reverse("reports:grade_entry_request", args=[unit.pk]) + period_q
            if own and own.marks_expected and can_issue_report_request(request.user, unit)
            else ""
        ),
    }
    return render(request, "reports/grade_entry.html", context)
