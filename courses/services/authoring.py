"""Writing courses: creating and editing a course, its sections and their files, publishing and closing,
and co-instructors. Every refusal raises ValidationError with a message for the person and changes
nothing; publishing, closing and co-instructor changes leave an audit entry."""

from dataclasses import dataclass
from datetime import date
from typing import Required, TypedDict, Unpack

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from forums.models import Forum
from forums.services import clean_body, forum_for_owner
from truonghoc.text import fold, nfc
from truonghoc.uploads import DOCUMENT_TYPES, VIDEO_TYPES, check_upload, files_removed_on_failure, normal_extension
from units.models import Cluster, Unit
from units.permissions import INSTRUCTOR_ROLES, forget_grants
from units.selectors import people_holding
from units.services import audit_log

from ..models import Course, Section
from ..permissions import TEACH_PERM, can_create_course, can_edit_course, is_instructor, lives_where
from .roster import roster_sync
from .topics import topic_quality_assess

IMAGE_TYPES = ("jpg", "png", "gif", "webp")
AUDIO_TYPES = ("mp3", "ogg", "wav")
SECTION_TYPES = (*VIDEO_TYPES, *DOCUMENT_TYPES, *IMAGE_TYPES, *AUDIO_TYPES)
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
IMAGE_MAX_BYTES = 20 * 1024 * 1024
AUDIO_MAX_BYTES = 200 * 1024 * 1024
TEXT_MAX_CHARS = 100_000

FILE_KINDS = {
    "video": Section.FileKind.VIDEO,
    "pdf": Section.FileKind.PDF,
    "document": Section.FileKind.DOCUMENT,
    "image": Section.FileKind.IMAGE,
    "audio": Section.FileKind.AUDIO,
}


def has_text(html: str) -> bool:
    return bool(nh3.clean(html or "", tags=set()).replace("&nbsp;", " ").strip())


def _clean_html(value: str | None, field: str) -> str:
    if len(value or "") > TEXT_MAX_CHARS:
        raise ValidationError({field: _("This text can have at most %(max)d characters.") % {"max": TEXT_MAX_CHARS}})
    html = clean_body(value)
    return html if has_text(html) else ""


def _check_edit(actor, course: Course) -> None:
    if not can_edit_course(actor, course):
        raise ValidationError(str(course.words.only_instructors_edit))


# --- audience --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceChoice:
    key: str  # "u<pk>" for a unit's subtree, "c<pk>" for the schools of a cluster
    label: str
    unit: Unit | None = None
    cluster: Cluster | None = None


def base_unit(unit: Unit) -> Unit:
    """The school of a group or class; the unit itself otherwise."""
    return (unit.school() or unit) if unit.kind in (Unit.Kind.GROUP, Unit.Kind.CLASS) else unit


def audience_choices(unit: Unit) -> list[AudienceChoice]:
    """Who a course owned by `unit` may be opened to: the unit itself, each unit above it up to the nation,
    and the clusters its school belongs to. Never a sibling: a course cannot reach over its owner's head
    sideways."""
    chain = [*Unit.objects.get_ancestors(unit), unit]
    choices = []
    for node in reversed(chain):
        if node.kind == Unit.Kind.MINISTRY:
            label = _("The whole country (%(name)s)") % {"name": node.name}
        else:
            label = f"{node.get_kind_display()}: {node.name}"
        choices.append(AudienceChoice(key=f"u{node.pk}", label=label, unit=node))
    school = base_unit(unit)
    if school.is_school:
        for cluster in Cluster.objects.filter(schools=school).order_by("name"):
            label = _("School cluster: %(name)s") % {"name": cluster.name}
            choices.append(AudienceChoice(key=f"c{cluster.pk}", label=label, cluster=cluster))
    return choices


def default_audience_key(unit: Unit) -> str:
    return f"u{base_unit(unit).pk}"


def audience_key(course: Course) -> str:
    if course.audience_cluster_id:
        return f"c{course.audience_cluster_id}"
    return f"u{course.audience_unit_id or course.unit_id}"


def _resolve_audience(unit: Unit, key: str) -> AudienceChoice:
    for choice in audience_choices(unit):
        if choice.key == key:
            return choice
    raise ValidationError({"audience": _("Choose who may see the course among the units offered.")})


# --- courses ---------------------------------------------------------------------------------


class CourseFields(TypedDict, total=False):
    """What a course's form gives, as course_create and course_update take it (title required)."""

    title: Required[str]
    subject: str
    grade: int | None
    purpose: str
    body: str
    audience: str  # a key of audience_choices(unit); empty: the default for a new course, the current one
    starts_on: date | None
    ends_on: date | None


def _course_fields(
    *,
    unit: Unit,
    title: str,
    subject: str = "",
    grade: int | None = None,
    purpose: str = "",
    body: str = "",
    audience: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> dict:
    title = nfc(title)
    if not title:
        raise ValidationError({"title": _("Give the course a title.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    choice = _resolve_audience(unit, audience)
    return {
        "title": title[:255],
        "subject": nfc(subject)[:100],
        "grade": grade,
        "purpose": _clean_html(purpose, "purpose"),
        "body": _clean_html(body, "body"),
        "audience_unit": choice.unit,
        "audience_cluster": choice.cluster,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


@transaction.atomic
def course_create(*, actor, unit: Unit, kind: str, **form: Unpack[CourseFields]) -> Course:
    """A new draft. It may be saved without its purpose; it cannot be published without one."""
    if kind not in Course.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of course.")})
    if not can_create_course(actor, unit, kind):
        raise ValidationError(_("You cannot create this kind of course here."))
    fields = _course_fields(unit=unit, **{**form, "audience": form.get("audience") or default_audience_key(unit)})
    course = Course(unit=unit, kind=kind, author=actor, status=Course.Status.DRAFT, **fields)
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def course_update(*, actor, course: Course, **form: Unpack[CourseFields]) -> Course:
    _check_edit(actor, course)
    fields = _course_fields(unit=course.unit, **{**form, "audience": form.get("audience") or audience_key(course)})
    if course.status != Course.Status.DRAFT and not fields["purpose"]:
        raise ValidationError(
            {"purpose": _("A published course must keep its purpose and requirements: learners rely on them.")}
        )
    ended_on = course.ends_on
    for name, value in fields.items():
        setattr(course, name, value)
    course.full_clean()
    course.save()
    _reassess(course)
    if course.ends_on != ended_on:
        # A course that runs longer follows its classes again (and catches up with who came and went).
        roster_sync(course_ids=[course.pk])
    return course


def _reassess(course: Course) -> None:
    """A published topic's quality flag follows every change of its text or sections (point 9)."""
    if course.kind == Course.Kind.TOPIC and course.status != Course.Status.DRAFT:
        topic_quality_assess(course=course)


def _lock(course: Course) -> Course:
    return Course.objects.select_for_update(of=("self",)).get(pk=course.pk)


def course_item_to_change(item, *, actor, check, removed: str):
    """An assignment or a live session of a course, locked for a change by one of its instructors:
    `check(actor, course)` refuses the others in its own words, and a removed item must be restored
    before it is changed (`removed` says so). Written once for both, which follow the same rule."""
    item = type(item).objects.select_for_update(of=("self",)).select_related("course").get(pk=item.pk)
    check(actor, item.course)
    if item.is_deleted:
        raise ValidationError(removed)
    return item


def course_item_apply(item, fields: dict, *, allowed, cleaners=None) -> None:
    """Set a service's keyword fields on an assignment or a live session. A name the service does not
    take is a programming error, not a person's; titles are NFC and stripped; `cleaners` clean the other
    fields that need it, by name."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {type(item).__name__} fields: {sorted(unknown)}")
    cleaners = {"title": lambda value: nfc(value or "").strip(), **(cleaners or {})}
    for name, value in fields.items():
        setattr(item, name, cleaners[name](value) if name in cleaners else value)


@transaction.atomic
def course_publish(*, actor, course: Course) -> Course:
    """Opens a draft (or reopens a closed course) to its audience, and gives it its two forums."""
    _check_edit(actor, course)
    locked = _lock(course)
    if locked.status == Course.Status.PUBLISHED:
        raise ValidationError(_("This course is already published."))
    if not has_text(locked.purpose):
        raise ValidationError(
            _("Write the purpose and requirements (what learners will gain and must hand in) before publishing.")
        )
    before = {"status": locked.status}
    now = timezone.now()
    locked.status = Course.Status.PUBLISHED
    locked.published_at = locked.published_at or now
    locked.closed_at = None
    locked.save(update_fields=["status", "published_at", "closed_at", "updated_at"])
    forum_for_owner(
        owner=locked,
        unit=locked.unit,
        title=_("Discussion: %(title)s") % {"title": locked.title},
        kind=Forum.Kind.DISCUSSION,
    )
    forum_for_owner(
        owner=locked,
        unit=locked.unit,
        title=_("Questions: %(title)s") % {"title": locked.title},
        kind=Forum.Kind.QUESTIONS,
    )
    audit_log(
        actor=actor,
        action="course.publish",
        unit=locked.unit,
        target=locked,
        before=before,
        after={"status": "published"},
    )
    course.status, course.published_at, course.closed_at = locked.status, locked.published_at, None
    _reassess(locked)
    return locked


@transaction.atomic
def course_close(*, actor, course: Course) -> Course:
    """Ends a course: it stays readable, but nobody registers any more."""
    _check_edit(actor, course)
    locked = _lock(course)
    if locked.status != Course.Status.PUBLISHED:
        raise ValidationError(_("Only a published course can be closed."))
    locked.status = Course.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    audit_log(
        actor=actor,
        action="course.close",
        unit=locked.unit,
        target=locked,
        before={"status": "published"},
        after={"status": "closed"},
    )
    course.status, course.closed_at = locked.status, locked.closed_at
    return locked


# --- sections --------------------------------------------------------------------------------


def section_max_bytes(name: str) -> int:
    extension = normal_extension(name.rsplit(".", 1)[-1] if "." in name else "")
    if extension in VIDEO_TYPES:
        return settings.UPLOAD_MAX_BYTES
    if extension in IMAGE_TYPES:
        return IMAGE_MAX_BYTES
    if extension in AUDIO_TYPES:
        return AUDIO_MAX_BYTES
    return DOCUMENT_MAX_BYTES


def _check_section_file(upload):
    try:
        return check_upload(upload, allowed=SECTION_TYPES, max_bytes=section_max_bytes(getattr(upload, "name", "")))
    except ValidationError as exc:
        raise ValidationError({"upload": exc.messages}) from exc


def _section_fields(*, title: str, body: str, link_url: str, link_title: str) -> dict:
    title = nfc(title)
    if not title:
        raise ValidationError({"title": _("Give the section a title.")})
    return {
        "title": title[:255],
        "body": _clean_html(body, "body"),
        "link_url": (link_url or "").strip(),
        "link_title": nfc(link_title)[:255],
    }


def _store_file(section: Section, checked, saved: list[str]) -> None:
    storage = section.file.storage
    name = storage.save(section.file.field.generate_filename(section, checked.name), checked.upload)
    saved.append(name)
    section.file.name = name
    section.file_name = checked.name
    section.file_size = checked.size
    section.file_kind = FILE_KINDS.get(checked.family, Section.FileKind.DOCUMENT)


def _delete_file_after_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name) if storage.exists(name) else None)


@transaction.atomic
def section_create(
    *, actor, course: Course, title: str, body: str = "", upload=None, link_url: str = "", link_title: str = ""
) -> Section:
    _check_edit(actor, course)
    fields = _section_fields(title=title, body=body, link_url=link_url, link_title=link_title)
    checked = _check_section_file(upload) if upload else None
    last = Section.objects.filter(course=course).aggregate(last=Max("position"))["last"] or 0
    section = Section(course=course, position=last + 1, **fields)
    with files_removed_on_failure(section.file.storage) as saved:
        if checked:
            _store_file(section, checked, saved)
        section.full_clean()
        section.save()
    Course.objects.filter(pk=course.pk).update(updated_at=timezone.now())
    _reassess(course)
    return section


@transaction.atomic
def section_update(
    *,
    actor,
    section: Section,
    title: str,
    body: str = "",
    upload=None,
    remove_file: bool = False,
    link_url: str = "",
    link_title: str = "",
) -> Section:
    """Changes a section; a new file replaces the old one, which is deleted once the change is saved."""
    _check_edit(actor, section.course)
    if section.is_deleted:
        raise ValidationError(_("This section has been removed; restore it before changing it."))
    fields = _section_fields(title=title, body=body, link_url=link_url, link_title=link_title)
    checked = _check_section_file(upload) if upload else None
    storage = section.file.storage
    old_name = section.file.name
    for name, value in fields.items():
        setattr(section, name, value)
    with files_removed_on_failure(storage) as saved:
        if checked:
            _store_file(section, checked, saved)
        elif remove_file:
            section.file.name = ""
            section.file_name, section.file_size, section.file_kind = "", 0, Section.FileKind.NONE
        section.full_clean()
        section.save()
    if old_name and old_name != section.file.name:
        _delete_file_after_commit(storage, old_name)
    Course.objects.filter(pk=section.course_id).update(updated_at=timezone.now())
    _reassess(section.course)
    return section


@transaction.atomic
def section_move(*, actor, section: Section, direction: str) -> Section:
    """Swaps a section with its live neighbour above ("up") or below ("down"); positions are renumbered
    1..n first, so equal or gapped positions left by removals never block a move."""
    _check_edit(actor, section.course)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a section up or down."))
    Course.objects.select_for_update(of=("self",)).filter(pk=section.course_id).first()
    live = list(Section.objects.alive().filter(course_id=section.course_id).order_by("position", "id"))
    ids = [s.pk for s in live]
    if section.pk not in ids:
        raise ValidationError(_("This section has been removed; restore it before moving it."))
    index = ids.index(section.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(live):
        if direction == "up":
            raise ValidationError(_("This section is already the first one."))
        raise ValidationError(_("This section is already the last one."))
    live[index], live[other] = live[other], live[index]
    for position, item in enumerate(live, start=1):
        item.position = position
    Section.objects.bulk_update(live, ["position"])
    section.position = next(s.position for s in live if s.pk == section.pk)
    return section


# --- co-instructors --------------------------------------------------------------------------


def co_instructors(course: Course) -> list:
    users = get_users_with_perms(
        course, only_with_perms_in=["teach_course"], with_superusers=False, with_group_users=False
    ).select_related("unit")
    return sorted((u for u in users if u.pk != course.author_id), key=lambda u: (u.name_sort, u.pk))


def course_instructors(course: Course) -> list:
    """Everyone who teaches the course, the author first: those told of work handed in and of posts. Only
    while they belong where the course lives (`permissions.is_instructor`): an author who moved to another
    school is not told of the old school's pupils' work."""
    author = [course.author] if course.author_id and course.author.is_active else []
    return [u for u in author + [u for u in co_instructors(course) if u.is_active] if lives_where(u, course)]


def co_instructor_candidates(course: Course, *, query: str = "", limit: int = 20) -> QuerySet:
    """Active people who teach or train in the course's school (or unit) subtree, matching the search."""
    root = base_unit(course.unit)
    # Who may be named co-instructor: the people who teach or train in the course's school or unit subtree.
    people = people_holding(roles=INSTRUCTOR_ROLES, below=root)
    if query:
        people = people.filter(Q(name_folded__contains=fold(query)) | Q(username__iexact=query.strip()))
    return people.exclude(pk=course.author_id).distinct().order_by("name_sort", "pk")[:limit]


def _may_teach(course: Course, user) -> bool:
    return people_holding(roles=INSTRUCTOR_ROLES, below=base_unit(course.unit)).filter(pk=user.pk).exists()


def _check_author(actor, course: Course) -> None:
    if course.author_id != getattr(actor, "pk", None) or not can_edit_course(actor, course):
        raise ValidationError(_("Only the course's author can choose its co-instructors."))


@transaction.atomic
def co_instructor_add(*, actor, course: Course, user) -> None:
    _check_author(actor, course)
    if user.pk == course.author_id:
        raise ValidationError(_("You are the course's author already."))
    if not _may_teach(course, user):
        raise ValidationError(
            str(course.words.co_instructor_cannot) % {"name": user.full_name, "unit": base_unit(course.unit).name}
        )
    if is_instructor(user, course):
        raise ValidationError(str(course.words.co_instructor_already) % {"name": user.full_name})
    assign_perm(TEACH_PERM, user, course)
    user.__dict__.pop("_course_teach_cache", None)
    forget_grants(user)
    audit_log(actor=actor, action="course.co_instructor_add", unit=course.unit, target=course, after={"user": user.pk})


@transaction.atomic
def co_instructor_remove(*, actor, course: Course, user) -> None:
    _check_author(actor, course)
    if user.pk == course.author_id or user.pk not in {u.pk for u in co_instructors(course)}:
        raise ValidationError(_("%(name)s is not a co-instructor of this course.") % {"name": user.full_name})
    remove_perm(TEACH_PERM, user, course)
    user.__dict__.pop("_course_teach_cache", None)
    forget_grants(user)
    audit_log(
        actor=actor, action="course.co_instructor_remove", unit=course.unit, target=course, before={"user": user.pk}
    )
