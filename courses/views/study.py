"""Studying a course: the course page (purpose first, then the sections), section files, marking sections
done, registering and withdrawing, learning groups, enrolling a whole class or group, and everyone's
progress for the instructors and those who oversee the course."""

from functools import partial
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from accounts.profile import missing_profile_items
from forums.selectors import owner_forums
from truonghoc import fragments
from truonghoc.formatting import datetime_text
from truonghoc.forms import cleaned_values, form_saved, service_outcome
from truonghoc.links import url_maker
from truonghoc.params import parse_id
from truonghoc.richtext import clean_html
from truonghoc.storage import file_response
from truonghoc.xlsx import xlsx_bytes, xlsx_response
from units.models import Unit
from units.services import audit_export

from ..forms.enrolment import EnrolUnitForm, LeaderForm, LearningGroupForm
from ..models import Course, LearningGroup, Section
from ..permissions import (
    can_edit_course,
    can_follow_learners,
    can_list_learning_groups,
    can_see_content,
    can_study,
    can_view_course_forum,
    can_view_group_forum,
    course_for_user_or_404,
    enrolment_of,
    in_audience,
    is_instructor,
)
from ..selectors import catalogue as selectors
from ..services import enrolment as services
from ..services.authoring import base_unit, has_text

INLINE_KINDS = (Section.FileKind.VIDEO, Section.FileKind.PDF, Section.FileKind.IMAGE, Section.FileKind.AUDIO)


def _register_refusal(user, course: Course) -> str:
    """Why the user cannot register now ("" when they can); the page shows it instead of the button."""
    try:
        services.check_course_open(course)
    except ValidationError as exc:
        return " ".join(exc.messages)
    if not in_audience(user, course):
        return str(course.words.not_open)
    return ""


def _progress(done: int, total: int) -> int:
    return min(100, round(100 * done / total)) if total else 0


# --- the course page -------------------------------------------------------------------------


# The section cards are the same for everyone of one role class (those who edit the course see its tools),
# so they are rendered once per version of the sections (`course_section_stamps`) and kept as a shared
# fragment. What differs per person stays out: the "done" tick or button is rendered per request between
# the cards, and the forms of the editors' tools carry fragments.CSRF_SLOT, filled per request.
CARD_END = "<!--section-card-end-->"  # comments never survive the sanitiser, so no text can fake it
_done_url = url_maker("courses:section_done")


class SectionCard(NamedTuple):
    pk: int
    html: SafeString
    done_url: str


# The links of the page's header, action bar and learner box: one reversal per pattern per process, then
# the course's id filled in (the page has some fifteen of them).
_LINKS = {
    "edit": url_maker("courses:course_edit"),
    "section_create": url_maker("courses:section_create"),
    "close": url_maker("courses:course_close"),
    "publish": url_maker("courses:course_publish"),
    "co_instructors": url_maker("courses:co_instructors"),
    "enrol_unit": url_maker("courses:enrol_unit"),
    "progress": url_maker("courses:progress"),
    "withdraw": url_maker("courses:withdraw"),
    "enrol": url_maker("courses:enrol"),
    "learning_groups": url_maker("courses:learning_groups"),
    "assignments": url_maker("courses:assignments"),
    "live_sessions": url_maker("courses:live_sessions"),
}
_forum_url = url_maker("forums:forum")
_group_url = url_maker("courses:learning_group")


def _course_links(course: Course, forums: dict[str, int], group_forum, enrolment) -> dict[str, str]:
    links = {name: make(course.pk) for name, make in _LINKS.items()}
    links["catalogue"] = reverse("courses:catalogue")
    links["delete"] = reverse("courses:delete", args=["course", course.pk])
    for name, forum_id in forums.items():
        links[name] = _forum_url(forum_id)
    if group_forum is not None:
        links["group_forum"] = _forum_url(group_forum.pk)
    if enrolment is not None and enrolment.group_id:
        links["group"] = _group_url(enrolment.group_id)
    return links


def _done_ticks(cards: list[SectionCard], done_ids: set[int], may_study: bool, request) -> SafeString:
    """The cards with each one's "done" tick or "mark as done" button (the viewer's own), closed: one
    pass in Python instead of a partial rendered per section. The same HTML as the `section-done` partial,
    which answers htmx after a section is marked done. Joined as plain strings: every piece is safe already
    (the cached cards, the escaped labels, ids and url_maker's addresses), and format_html per card cost
    the page a tenth of its time."""
    done = format_html(
        '<span class="badge text-bg-success" data-testid="section-done"><i class="bi bi-check2-circle"></i> {}</span>',
        _("Done"),
    )
    button = ""
    if may_study:
        button = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
            '      <button class="btn btn-sm btn-outline-success" data-testid="mark-done"><i class="bi bi-check2"></i>'
            " {}</button>\n    </form>",
            get_token(request),
            _("Mark as done"),
        )
    pieces = []
    for card in cards:
        pk = int(card.pk)
        if pk in done_ids:
            tick = done
        elif may_study:
            url = escape(card.done_url)
            tick = (
                f'<form method="post" action="{url}" hx-post="{url}" hx-target="#done-{pk}" hx-swap="outerHTML">'
                f"{button}"
            )
        else:
            tick = ""
        pieces.append(
            f'{card.html}        <div id="done-{pk}" class="mt-2">\n  {tick}\n</div>\n      </div>\n    </div>\n'
        )
    return mark_safe("".join(pieces))  # noqa: S308 - safe pieces only (see above)


def _section_cards(request, course: Course, stamps: tuple, may_edit: bool) -> list[SectionCard]:
    def build() -> list[SectionCard]:
        sections = selectors.course_sections(course=course)
        context = {"sections": sections, "may_edit": may_edit, "csrf_token": fragments.CSRF_SLOT}
        pieces = render_to_string("courses/course_detail.html#section-cards", context).split(CARD_END)
        return [
            SectionCard(s.pk, mark_safe(html), _done_url(s.pk))  # noqa: S308 - rendered by the template
            for s, html in zip(sections, pieces, strict=False)
        ]

    cards = fragments.shared("course-section-cards", build, course.pk, stamps, "edit" if may_edit else "read")
    if may_edit:
        cards = [card._replace(html=fragments.with_csrf(request, card.html)) for card in cards]
    return cards


def _course_texts(course: Course) -> tuple[bool, str, str]:
    """Whether the purpose is written, the purpose and the introduction sanitised: once per content (keyed
    by the texts themselves, so an edit is seen at once)."""

    def build() -> tuple[bool, str, str]:
        purpose, body = clean_html(course.purpose), clean_html(course.body)
        return has_text(course.purpose), mark_safe(purpose), mark_safe(body)  # noqa: S308 - sanitised

    return fragments.shared("course-texts", build, course.purpose, course.body)


def _course_forum_ids(course: Course) -> dict[str, int]:
    """{kind: forum id} of the course's discussion and questions. They are made when the course is published,
    which changes its updated_at, so the pair is kept under it."""

    def build() -> dict[str, int]:
        return {kind: forum.pk for kind, forum in owner_forums(owner=course).items()}

    return fragments.shared("course-forums", build, course.pk, course.updated_at)


def _course_context(request, course: Course) -> dict:
    user = request.user
    instructor = is_instructor(user, course)
    enrolment = enrolment_of(user, course)
    may_edit = can_edit_course(user, course)
    stamps = selectors.course_section_stamps(course=course)
    cards = _section_cards(request, course, stamps, may_edit) if can_see_content(user, course) else None
    titles = selectors.course_sections(course=course) if cards is None else []
    done_ids = selectors.sections_done_ids(enrolment=enrolment) & {pk for pk, _changed in stamps}
    forums = _course_forum_ids(course) if can_view_course_forum(user, course) else {}
    group_forum = None
    if enrolment is not None and enrolment.group_id:
        group_forum = owner_forums(owner=enrolment.group).get("discussion")
    refusal = "" if enrolment or instructor else _register_refusal(user, course)
    has_purpose, purpose_html, body_html = _course_texts(course)
    may_study = enrolment is not None and can_study(user, course)
    return {
        "course": course,
        "links": _course_links(course, forums, group_forum, enrolment),
        "sections": cards,
        "sections_html": _done_ticks(cards, done_ids, may_study, request) if cards else "",
        "section_titles": titles,
        "done_ids": done_ids,
        "total": len(stamps),
        "done": len(done_ids),
        "percent": _progress(len(done_ids), len(stamps)),
        "enrolment": enrolment,
        "is_instructor": instructor,
        "may_edit": may_edit,
        "is_author": course.author_id == user.pk,
        "may_see_progress": can_follow_learners(user, course),
        "may_study": may_study,
        "may_register": enrolment is None and not instructor and not refusal,
        "register_refusal": refusal,
        "profile_missing": missing_profile_items(user),
        "discussion": forums.get("discussion"),
        "questions": forums.get("questions"),
        "group_forum": group_forum,
        "instructors": selectors.course_instructor_names(course=course),
        "has_purpose": has_purpose,
        "purpose_html": purpose_html,
        "body_html": body_html,
        "audience_label": course.audience_cluster or course.audience_unit or course.unit,
    }


@login_required
def course_detail(request, pk: int):
    course = course_for_user_or_404(request.user, pk)
    return render(request, "courses/course_detail.html", _course_context(request, course))


def _section_for_user_or_404(user, pk) -> Section:
    section = get_object_or_404(Section.objects.alive().select_related("course"), pk=pk)
    section.course = course_for_user_or_404(user, section.course_id)
    return section


@login_required
@xframe_options_sameorigin  # PDFs are shown in an <iframe> of the course page
def section_file(request, pk: int):
    """A section's file for those who may study it. Videos answer byte ranges, so players can seek."""
    section = _section_for_user_or_404(request.user, pk)
    if not section.file or not can_see_content(request.user, section.course):
        raise Http404
    name = section.file_name or section.file.name.rsplit("/", 1)[-1]
    inline = section.file_kind in INLINE_KINDS
    return file_response(section.file, name=name, inline=inline, request=request, cache="private, max-age=3600")


@login_required
@require_POST
def section_done(request, pk: int):
    section = _section_for_user_or_404(request.user, pk)
    course = section.course
    try:
        services.section_mark_done(actor=request.user, section=section)
    except ValidationError as exc:
        if request.htmx:
            # htmx swaps only 2xx answers: say why in place of the button.
            return HttpResponse(
                format_html(
                    '<div id="done-{}" class="alert alert-warning small mt-2 mb-0">{}</div>',
                    section.pk,
                    " ".join(exc.messages),
                )
            )
        messages.error(request, " ".join(exc.messages))
        return redirect("courses:course", course.pk)
    if request.htmx:
        context = _course_context(request, course)
        section.done_url = _done_url(section.pk)
        context.update({"section": section, "oob": True})
        html = render_to_string("courses/course_detail.html#section-done", context, request=request)
        html += render_to_string("courses/course_detail.html#progress", context, request=request)
        return HttpResponse(html)
    return redirect(reverse("courses:course", args=[course.pk]) + f"#section-{section.pk}")


# --- registering -----------------------------------------------------------------------------


@login_required
@require_POST
def enrol(request, pk: int):
    course = course_for_user_or_404(request.user, pk)
    with service_outcome(request, str(course.words.welcome)):
        services.enrolment_register(actor=request.user, course=course)
    return redirect("courses:course", course.pk)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    course = course_for_user_or_404(request.user, pk)
    enrolment = enrolment_of(request.user, course)
    if enrolment is None:
        messages.error(request, str(course.words.not_registered))
        return redirect("courses:course", course.pk)
    if request.method == "POST":
        with service_outcome(request, str(course.words.left)):
            services.enrolment_withdraw(actor=request.user, course=course)
        return redirect("courses:course", course.pk)
    leads = enrolment.group_id and enrolment.group.leader_id == request.user.pk
    return render(
        request, "courses/enrolment_withdraw.html", {"course": course, "enrolment": enrolment, "leads": leads}
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol_unit(request, pk: int):
    course = course_for_user_or_404(request.user, pk)
    if not is_instructor(request.user, course) or course.is_deleted:
        raise PermissionDenied
    units = services.enrolment_units(course).below(base_unit(course.unit))
    form = EnrolUnitForm(request.POST or None, units=units)
    saved = form_saved(
        request, form, lambda data: services.enrolment_add_unit(actor=request.user, course=course, unit=data["unit"])
    )
    if saved:
        added, already = saved.result
        messages.success(
            request,
            str(course.words.unit_given) % {"added": added, "unit": form.cleaned_data["unit"].name, "already": already},
        )
        return redirect("courses:progress", course.pk)
    return render(request, "courses/course_enrol_unit.html", {"course": course, "form": form})


@login_required
@require_POST
def unenrol_unit(request, pk: int, unit_pk: int):
    course = course_for_user_or_404(request.user, pk)
    if not is_instructor(request.user, course):
        raise PermissionDenied
    unit = get_object_or_404(Unit, pk=unit_pk)
    with service_outcome(request) as outcome:
        ended = services.enrolment_remove_unit(actor=request.user, course=course, unit=unit)
        outcome.success = str(course.words.unit_taken_back) % {"unit": unit.name, "ended": ended}
    return redirect("courses:progress", course.pk)


# --- learning groups -------------------------------------------------------------------------


@login_required
def learning_groups(request, pk: int):
    course = course_for_user_or_404(request.user, pk)
    if not can_list_learning_groups(request.user, course):
        raise PermissionDenied
    page = Paginator(selectors.course_groups(course=course), selectors.PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "course": course,
        "page": page,
        "may_register_group": services.can_register_group(request.user, course)
        and not _register_refusal_for_groups(course),
    }
    return render(request, "courses/learning_group_list.html", context)


def _register_refusal_for_groups(course: Course) -> str:
    try:
        services.check_course_open(course)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def learning_group_create(request, pk: int):
    user = request.user
    course = course_for_user_or_404(user, pk)
    scopes = services.group_scopes(actor=user, course=course)
    if not scopes:
        raise PermissionDenied
    refusal = _register_refusal_for_groups(course)
    if refusal:
        messages.error(request, refusal)
        return redirect("courses:learning_groups", course.pk)
    by_key = {key: (school, cluster) for key, _label, school, cluster in scopes}
    data = request.POST or None
    chosen = (data or request.GET).get("scope") or (scopes[0][0] if len(scopes) == 1 else "")
    if chosen in by_key:
        school, cluster = by_key[chosen]
        candidates = services.group_candidates(course=course, school=school, cluster=cluster)
    else:
        candidates = get_user_model().objects.none()
    form = LearningGroupForm(data, initial={"scope": chosen}, scopes=scopes, candidates=candidates)
    saved = form_saved(
        request,
        form,
        lambda data: services.learning_group_register(
            actor=user, course=course, **cleaned_values(form, ("name", "scope", "leader", "members"))
        ),
    )
    if saved:
        group = saved.result
        messages.success(request, _("The learning group %(name)s is registered.") % {"name": group.name})
        return redirect("courses:learning_group", group.pk)
    context = {"course": course, "form": form, "scopes": scopes, "chosen": chosen}
    return render(request, "courses/learning_group_form.html", context)


def _group_for_user_or_404(user, pk) -> LearningGroup:
    group = get_object_or_404(LearningGroup.objects.select_related("leader", "unit", "cluster"), pk=pk)
    group.course = course_for_user_or_404(user, group.course_id)
    if not (user.is_superuser or can_view_group_forum(user, group)):
        raise Http404
    return group


@login_required
def learning_group_detail(request, pk: int):
    user = request.user
    group = _group_for_user_or_404(user, pk)
    course = group.course
    members = selectors.group_members(group=group)
    active_members = [e.user for e in members if e.withdrawn_at is None and e.user.is_active]
    leader_missing = services.leader_is_missing(group)
    instructor = is_instructor(user, course)
    mine = enrolment_of(user, course)
    may_set_leader = instructor or (leader_missing and mine is not None and mine.group_id == group.pk)
    form = None
    if may_set_leader:
        choices = [m.pk for m in active_members if m.pk != group.leader_id]
        form = LeaderForm(members=get_user_model().objects.filter(pk__in=choices).order_by("name_sort", "pk"))
    context = {
        "course": course,
        "group": group,
        "members": members,
        "leader_missing": leader_missing,
        "form": form,
        "forum": owner_forums(owner=group).get("discussion"),
    }
    return render(request, "courses/learning_group_detail.html", context)


@login_required
@require_POST
def learning_group_leader(request, pk: int):
    user = request.user
    group = _group_for_user_or_404(user, pk)
    chosen = parse_id(request.POST.get("leader"))
    leader = get_user_model().objects.filter(pk=chosen).first() if chosen else None
    if leader is None:
        messages.error(request, _("Choose the new leader among the group's members."))
        return redirect("courses:learning_group", group.pk)
    with service_outcome(request, _("%(name)s now leads the group.") % {"name": leader.full_name}):
        services.learning_group_set_leader(actor=user, group=group, leader=leader)
    return redirect("courses:learning_group", group.pk)


# --- everyone's progress ---------------------------------------------------------------------


@login_required
def progress(request, pk: int):
    course = course_for_user_or_404(request.user, pk)
    if not can_follow_learners(request.user, course):
        raise PermissionDenied
    total = selectors.live_section_count(course=course)
    rows = selectors.course_progress(course=course)
    if request.GET.get("format") == "xlsx":
        return _progress_xlsx(request.user, course, rows, total)
    page = Paginator(rows, selectors.PROGRESS_PER_PAGE).get_page(request.GET.get("page"))
    for enrolment in page:
        enrolment.percent = _progress(enrolment.sections_done, total)
    context = {
        "course": course,
        "page": page,
        "total": total,
        "is_instructor": is_instructor(request.user, course),
        "enrolled_units": selectors.enrolled_units(course=course),
    }
    return render(request, "courses/course_progress.html", context)


def _progress_xlsx(actor, course: Course, rows, total: int) -> HttpResponse:
    words = course.words

    def when(value):
        return datetime_text(value)

    body = (
        [
            e.user.full_name,
            e.user.username,
            e.group.name if e.group_id else "",
            words.source_label(e.source),
            min(e.sections_done, total),
            total,
            _progress(e.sections_done, total),
            when(e.enrolled_at),
            when(e.last_activity),
            when(e.completed_at),
            when(e.withdrawn_at),
        ]
        for e in rows.iterator(chunk_size=2000)
    )
    content = xlsx_bytes(
        title=_("Progress: %(title)s") % {"title": course.title},
        header=[
            str(words.learner),
            _("Username"),
            _("Learning group"),
            _("How"),
            _("Sections done"),
            _("Sections"),
            _("%"),
            _("Registered"),
            _("Last activity"),
            _("Completed"),
            _("Left"),
        ],
        rows=body,
        sheet_name=_("Progress"),
    )
    audit = partial(audit_export, actor=actor, kind="course_progress", unit=course.unit, target=course)
    return xlsx_response(content, f"tien-do-khoa-hoc-{course.pk}.xlsx", audit=audit)


urlpatterns = [
    path("<id:pk>/", course_detail, name="course"),
    path("<id:pk>/dang-ky/", enrol, name="enrol"),
    path("<id:pk>/roi-khoa-hoc/", withdraw, name="withdraw"),
    path("<id:pk>/ghi-danh/", enrol_unit, name="enrol_unit"),
    path("<id:pk>/ghi-danh/<id:unit_pk>/thoi/", unenrol_unit, name="unenrol_unit"),
    path("<id:pk>/tien-do/", progress, name="progress"),
    path("<id:pk>/nhom-hoc-tap/", learning_groups, name="learning_groups"),
    path("<id:pk>/nhom-hoc-tap/dang-ky/", learning_group_create, name="learning_group_create"),
    path("nhom-hoc-tap/<id:pk>/", learning_group_detail, name="learning_group"),
    path("nhom-hoc-tap/<id:pk>/truong-nhom/", learning_group_leader, name="learning_group_leader"),
    path("phan/<id:pk>/tep/", section_file, name="section_file"),
    path("phan/<id:pk>/da-hoc/", section_done, name="section_done"),
]
