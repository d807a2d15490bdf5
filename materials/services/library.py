"""Every write of the learning-material library: creating items, their versions, the approval steps
at the group and the school, and proposals to share an item up the tree (Office, Department, Ministry).

Each step leaves a `MaterialReview` (the trail the author reads) and an audit entry, and notifies the
author and whoever the item now waits for. Files are checked by content before anything is written,
and a refusal leaves neither rows nor files behind.
"""

import html
import os
import posixpath
import stat
import zipfile
from collections.abc import Iterable

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forums.services import clean_body
from notifications.services import notify
from truonghoc.storage import private_storage
from truonghoc.text import fold, nfc
from truonghoc.uploads import check_upload, files_removed_on_failure, human_size, image_reencode
from units.models import Role, Unit
from units.permissions import SCHOOL_MANAGER_ROLES
from units.selectors import people_holding
from units.services import audit_log

from ..models import Kind, Material, MaterialReview, MaterialVersion, VersionStatus
from ..permissions import (
    OPEN_STATUSES,
    STAFF_ROLE_AT,
    can_decide_proposal,
    can_edit_material,
    can_propose,
    can_remove_material,
    can_review_group,
    can_review_school,
    group_step_by_school,
    materials_visible_q,
    may_make_at,
    proposal_targets,
    school_path,
)

MB = 1024 * 1024
# kind → (allowed extensions, largest file)
FILE_RULES = {
    Kind.VIDEO: (("mp4", "webm"), 500 * MB),
    Kind.DOCUMENT: (("pdf", "docx", "xlsx", "pptx"), 50 * MB),
    Kind.IMAGE: (("jpg", "png"), 20 * MB),
    Kind.AUDIO: (("mp3", "ogg", "wav"), 100 * MB),
    Kind.SIMULATION: (("zip",), 100 * MB),
}
LESSON_KINDS = (Kind.ILLUSTRATIVE_LESSON, Kind.INTERACTIVE_LESSON)
PACKAGE_MAX_FILES = 2000
PACKAGE_MAX_UNPACKED = 300 * MB
TEXT_MAX_CHARS = 200_000
Level = MaterialReview.Level
Decision = MaterialReview.Decision
LEVEL_OF_KIND = {
    Unit.Kind.OFFICE: Level.OFFICE,
    Unit.Kind.DEPARTMENT: Level.DEPARTMENT,
    Unit.Kind.MINISTRY: Level.MINISTRY,
}


# --- helpers -----------------------------------------------------------------------------------


def _plain(body_html: str) -> str:
    return html.unescape(nh3.clean(body_html or "", tags=set()))


def search_text_for(material: Material, version: MaterialVersion) -> str:
    """What the library searches, folded once here instead of at every search."""
    parts = [version.title, material.subject, material.topic]
    if material.grade:
        parts.append(f"lop {material.grade}")
    parts.append(_plain(version.description))
    return fold(" ".join(p for p in parts if p))


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def people_with(roles: Iterable[str], unit_path: str):
    return people_holding(roles=roles, units=Unit.objects.filter(path=unit_path)).order_by("pk")


def group_reviewers(material: Material):
    if not group_step_by_school(material):
        return people_with([Role.GROUP_LEADER], material.unit.path)
    return people_with(SCHOOL_MANAGER_ROLES, school_path(material.unit) or "")


def school_reviewers(material: Material):
    return people_with(SCHOOL_MANAGER_ROLES, school_path(material.unit) or "")


def school_unit(material: Material) -> Unit:
    return Unit.objects.get(path=school_path(material.unit))


def check_package(upload) -> None:
    """An HTML5 package: a zip with index.html at its root, only relative paths inside it, at most
    PACKAGE_MAX_FILES files and PACKAGE_MAX_UNPACKED bytes once unpacked. Raises ValidationError."""
    name = getattr(upload, "name", "")
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ValidationError(
            _("%(name)s could not be opened as a zip package.") % {"name": name}, code="bad_package"
        ) from error
    finally:
        upload.seek(0)
    files = [info for info in infos if not info.is_dir()]
    if len(files) > PACKAGE_MAX_FILES:
        raise ValidationError(
            _("The package %(name)s holds %(count)d files; a package can hold at most %(max)d.")
            % {"name": name, "count": len(files), "max": PACKAGE_MAX_FILES},
            code="too_many_files",
        )
    unpacked = sum(info.file_size for info in files)
    if unpacked > PACKAGE_MAX_UNPACKED:
        raise ValidationError(
            _("The package %(name)s is %(size)s once unpacked; it can be at most %(max)s.")
            % {"name": name, "size": human_size(unpacked), "max": human_size(PACKAGE_MAX_UNPACKED)},
            code="too_big_unpacked",
        )
    for info in infos:
        path = info.filename.replace("\\", "/")
        parts = path.split("/")
        is_link = stat.S_ISLNK(info.external_attr >> 16)
        if path.startswith("/") or ":" in parts[0] or ".." in parts or is_link:
            raise ValidationError(
                _(
                    "The package %(name)s contains an unsafe path (%(path)s): files must stay inside the "
                    "package, with no absolute paths, “..” or links."
                )
                % {"name": name, "path": info.filename[:200]},
                code="unsafe_path",
            )
    if not any(posixpath.normpath(info.filename) == "index.html" for info in files):
        raise ValidationError(
            _("The package %(name)s has no index.html at its top level, so it cannot be played.") % {"name": name},
            code="no_index",
        )


def _checked_file(kind: str, upload):
    """(content to store, file name shown, size) for an upload allowed for this kind."""
    allowed, max_bytes = FILE_RULES[kind]
    checked = check_upload(upload, allowed=allowed, max_bytes=max_bytes)
    if kind == Kind.IMAGE:
        content = image_reencode(upload, max_bytes=max_bytes)
        stem = os.path.splitext(checked.name)[0]
        return content, f"{stem}.jpg", content.size
    if kind == Kind.SIMULATION:
        check_package(upload)
    return upload, checked.name, checked.size


def _clean_text(fields: dict) -> dict:
    errors = {}
    title = nfc(fields.get("title"))
    if not title:
        errors["title"] = [_("Give the item a title.")]
    out = {"title": title[:255]}
    for name in ("description", "usage_guide", "body"):
        raw = fields.get(name) or ""
        if len(raw) > TEXT_MAX_CHARS:
            errors[name] = [_("This text is too long: at most %(max)d characters.") % {"max": TEXT_MAX_CHARS}]
        out[name] = clean_body(raw) if raw.strip() else ""
    if errors:
        raise ValidationError(errors)
    return out


def _content_rules(kind: str, *, version: MaterialVersion, upload, link_url: str, uses) -> list:
    """Checks what the kind needs (a file, a link, a lesson's content) and returns the uses to set."""
    errors: dict[str, list[str]] = {}
    has_file = upload is not None or bool(version.file)
    if kind in LESSON_KINDS:
        if not _plain(version.body).strip():
            errors["body"] = [_("Write the lesson's content.")]
        if upload is not None:
            errors["file"] = [_("A lesson has no file: write its content and choose the items it uses.")]
    elif kind == Kind.SIMULATION:
        if upload is not None and link_url:
            errors["link_url"] = [_("Give either a package or a link, not both.")]
        elif not has_file and not link_url:
            errors["file"] = [_("Upload an HTML5 package (.zip) or give a link to the simulation.")]
    else:
        if link_url:
            errors["link_url"] = [_("Only a simulation can be a link; upload the file instead.")]
        if not has_file:
            errors["file"] = [_("Choose the file to upload.")]
    if errors:
        raise ValidationError(errors)
    return list(uses or [])


def _check_uses(actor, material: Material | None, uses) -> list[Material]:
    uses = list({m.pk: m for m in uses or []}.values())
    if not uses:
        return []
    visible = set(
        Material.objects.filter(materials_visible_q(actor), pk__in=[m.pk for m in uses], live_version__isnull=False)
        .exclude(pk=getattr(material, "pk", None))
        .values_list("pk", flat=True)
    )
    bad = [m for m in uses if m.pk not in visible]
    if bad:
        raise ValidationError(
            {
                "uses": [
                    _("A lesson can only use approved items you can see: %(titles)s.")
                    % {"titles": ", ".join(m.title for m in bad)}
                ]
            }
        )
    return uses


def _store(version: MaterialVersion, content, name: str, size: int, saved: list) -> None:
    extension = os.path.splitext(name)[1].lower()
    version.file.save(f"upload{extension}", content, save=False)
    saved.append(version.file.name)
    version.file_name = name
    version.file_size = size


def _trail(*, material, version, level, unit, decision, by, reason="", is_open=False) -> MaterialReview:
    review = MaterialReview(
        material=material,
        version=version,
        level=level,
        unit=unit,
        decision=decision,
        reason=reason,
        is_open=is_open,
        by=by,
        at=timezone.now(),
    )
    review.full_clean()
    review.save()
    return review


def _lock(material: Material) -> Material:
    return Material.objects.select_for_update(of=("self",)).select_related("unit", "shared_with").get(pk=material.pk)


def _lock_version(version: MaterialVersion) -> MaterialVersion:
    return (
        MaterialVersion.objects.select_for_update(of=("self",))
        .select_related("material__unit", "material__shared_with", "material__author")
        .get(pk=version.pk)
    )


# --- creating and editing ----------------------------------------------------------------------


@transaction.atomic
def material_create(
    *,
    actor,
    unit: Unit,
    kind: str,
    title: str,
    subject: str = "",
    grade: int | None = None,
    topic: str = "",
    licence: str = "",
    description: str = "",
    usage_guide: str = "",
    body: str = "",
    file=None,
    link_url: str = "",
    uses: Iterable[Material] = (),
) -> Material:
    """A new item in `unit` (the author's group or school) with its first version, as a draft."""
    if not may_make_at(actor, unit):
        raise ValidationError(
            _("You cannot add learning materials to %(unit)s.") % {"unit": unit.name}, code="forbidden"
        )
    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Choose a kind of material.")]})
    text = _clean_text({"title": title, "description": description, "usage_guide": usage_guide, "body": body})
    material = Material(
        kind=kind,
        title=text["title"],
        subject=nfc(subject)[:100],
        grade=grade,
        topic=nfc(topic)[:255],
        licence=licence or Material._meta.get_field("licence").default,
        author=actor,
        unit=unit,
    )
    version = MaterialVersion(material=material, number=1, created_by=actor, link_url=link_url or "", **text)
    uses = _check_uses(actor, None, _content_rules(kind, version=version, upload=file, link_url=link_url, uses=uses))
    material.full_clean(exclude=["live_version", "shared_with"])
    material.save()
    version.material = material
    with files_removed_on_failure(private_storage()) as saved:
        if file is not None and kind not in LESSON_KINDS:
            _store(version, *_checked_file(kind, file), saved)
        version.full_clean(exclude=["material"])
        version.save()
        version.uses.set(uses)
    audit_log(actor=actor, action="material.create", unit=unit, target=material, after={"title": material.title})
    return material


def open_version(material: Material) -> MaterialVersion | None:
    return material.versions.filter(status__in=OPEN_STATUSES).first()


@transaction.atomic
def version_update(
    *,
    actor,
    version: MaterialVersion,
    title: str,
    description: str = "",
    usage_guide: str = "",
    body: str = "",
    file=None,
    link_url: str = "",
    uses: Iterable[Material] = (),
    subject: str | None = None,
    grade: int | None = None,
    topic: str | None = None,
    licence: str | None = None,
) -> MaterialVersion:
    """Change the draft version. The catalogue fields (subject, grade, topic, licence) only change while
    the item was never approved: once it is live they are what reviewers approved."""
    version = _lock_version(version)
    material = version.material
    if not can_edit_material(actor, material):
        raise ValidationError(_("Only the author can change this item."), code="forbidden")
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)d is waiting for review and cannot be changed now.") % {"number": version.number},
            code="not_draft",
        )
    text = _clean_text({"title": title, "description": description, "usage_guide": usage_guide, "body": body})
    for name, value in text.items():
        setattr(version, name, value)
    version.link_url = link_url or ""
    if link_url and file is None and material.kind == Kind.SIMULATION:
        version.file = ""
        version.file_name = ""
        version.file_size = 0
    uses = _check_uses(
        actor, material, _content_rules(material.kind, version=version, upload=file, link_url=link_url, uses=uses)
    )
    if material.live_version_id is None:
        material.title = version.title
        if subject is not None:
            material.subject = nfc(subject)[:100]
            material.grade = grade
            material.topic = nfc(topic)[:255]
            material.licence = licence or material.licence
        material.full_clean(exclude=["live_version", "shared_with"])
        material.save(update_fields=["title", "subject", "grade", "topic", "licence", "updated_at"])
    with files_removed_on_failure(private_storage()) as saved:
        if file is not None and material.kind not in LESSON_KINDS:
            version.link_url = ""
            _store(version, *_checked_file(material.kind, file), saved)
        version.full_clean()
        version.save()
        version.uses.set(uses)
    return version


@transaction.atomic
def version_new(*, actor, material: Material, **fields) -> MaterialVersion:
    """A new draft version of an item with no open version, copying the latest one (the live one, or a
    refused one so nothing typed is lost); the live version stays live meanwhile. `fields`, when given,
    are applied through `version_update`."""
    material = _lock(material)
    if not can_edit_material(actor, material):
        raise ValidationError(_("Only the author can change this item."), code="forbidden")
    if open_version(material) is not None:
        raise ValidationError(
            _("This item already has a version on its way through approval; change that one."), code="open"
        )
    source = material.versions.exclude(status=VersionStatus.SUPERSEDED).order_by("-number").first()
    if source is None:
        source = material.versions.order_by("-number").first()
    number = (material.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = MaterialVersion(
        material=material,
        number=number,
        title=source.title,
        description=source.description,
        usage_guide=source.usage_guide,
        body=source.body,
        file=source.file.name if source.file else "",
        file_name=source.file_name,
        file_size=source.file_size,
        link_url=source.link_url,
        created_by=actor,
        status=VersionStatus.DRAFT,
    )
    version.full_clean()
    version.save()
    version.uses.set(source.uses.all())
    if fields:
        version = version_update(actor=actor, version=version, **fields)
    return version


# --- approval at the school ---------------------------------------------------------------------


@transaction.atomic
def version_submit(*, actor, version: MaterialVersion) -> MaterialVersion:
    version = _lock_version(version)
    material = version.material
    if not can_edit_material(actor, material):
        raise ValidationError(_("Only the author can send this item for approval."), code="forbidden")
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be sent for approval."), code="not_draft")
    version.status = VersionStatus.SUBMITTED
    version.save(update_fields=["status", "updated_at"])
    _trail(
        material=material,
        version=version,
        level=Level.GROUP,
        unit=material.unit,
        decision=Decision.SUBMITTED,
        by=actor,
    )
    audit_log(
        actor=actor, action="material.submit", unit=material.unit, target=material, after={"version": version.number}
    )
    notify(
        recipients=group_reviewers(material),
        title=_("A learning material waits for your approval: %(title)s") % {"title": version.title},
        url=_url("materials:review", version.pk),
    )
    return version


def _decided(actor, version: MaterialVersion, *, allowed, status_needed) -> MaterialVersion:
    version = _lock_version(version)
    if version.status != status_needed or version.material.is_deleted:
        raise ValidationError(_("This version is not waiting for this decision any more."), code="stale")
    if version.material.author_id == actor.pk:
        raise ValidationError(_("Nobody approves or refuses their own material: another reviewer decides."), code="own")
    if not allowed(actor, version.material):
        raise ValidationError(_("You cannot decide on this item at this step."), code="forbidden")
    return version


@transaction.atomic
def version_approve_group(*, actor, version: MaterialVersion) -> MaterialVersion:
    version = _decided(actor, version, allowed=can_review_group, status_needed=VersionStatus.SUBMITTED)
    material = version.material
    version.status = VersionStatus.GROUP_APPROVED
    version.save(update_fields=["status", "updated_at"])
    _trail(
        material=material, version=version, level=Level.GROUP, unit=material.unit, decision=Decision.APPROVED, by=actor
    )
    audit_log(
        actor=actor,
        action="material.approve_group",
        unit=material.unit,
        target=material,
        after={"version": version.number},
    )
    notify(
        recipients=[material.author],
        title=_("%(title)s was approved by the group and waits for the principal.") % {"title": version.title},
        url=_url("materials:history", material.pk),
    )
    notify(
        recipients=school_reviewers(material),
        title=_("A learning material waits for your approval: %(title)s") % {"title": version.title},
        url=_url("materials:review", version.pk),
    )
    return version


@transaction.atomic
def version_approve_school(*, actor, version: MaterialVersion) -> MaterialVersion:
    """The version goes live for the school: the previous live version is superseded and the catalogue
    fields and search text are copied onto the item."""
    version = _decided(actor, version, allowed=can_review_school, status_needed=VersionStatus.GROUP_APPROVED)
    material = version.material
    school = school_unit(material)
    now = timezone.now()
    previous = material.live_version_id
    if previous:
        MaterialVersion.objects.filter(pk=previous).update(status=VersionStatus.SUPERSEDED, updated_at=now)
    version.status = VersionStatus.APPROVED
    version.save(update_fields=["status", "updated_at"])
    material.live_version = version
    material.title = version.title
    material.search_text = search_text_for(material, version)
    if material.shared_with_id is None:
        material.shared_with = school
    material.approved_at = now
    material.save(update_fields=["live_version", "title", "search_text", "shared_with", "approved_at", "updated_at"])
    _trail(material=material, version=version, level=Level.SCHOOL, unit=school, decision=Decision.APPROVED, by=actor)
    audit_log(
        actor=actor,
        action="material.approve",
        unit=school,
        target=material,
        before={"live_version": previous},
        after={"live_version": version.pk, "version": version.number},
    )
    notify(
        recipients=[material.author],
        title=_("%(title)s was approved and is now in the library.") % {"title": version.title},
        url=_url("materials:history", material.pk),
    )
    return version


@transaction.atomic
def version_refuse(*, actor, version: MaterialVersion, reason: str) -> MaterialVersion:
    """Refused at the step it waits at, with a reason the author reads; the live version (if any) stays."""
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say why the item is refused, so the author can fix it.")]})
    version = _lock_version(version)
    material = version.material
    if version.status == VersionStatus.SUBMITTED:
        allowed, level, unit = can_review_group(actor, material), Level.GROUP, material.unit
    elif version.status == VersionStatus.GROUP_APPROVED:
        allowed, level, unit = can_review_school(actor, material), Level.SCHOOL, school_unit(material)
    else:
        raise ValidationError(_("This version is not waiting for a decision any more."), code="stale")
    if not allowed or material.is_deleted:
        raise ValidationError(_("You cannot decide on this item at this step."), code="forbidden")
    version.status = VersionStatus.REFUSED
    version.save(update_fields=["status", "updated_at"])
    _trail(
        material=material, version=version, level=level, unit=unit, decision=Decision.REFUSED, reason=reason, by=actor
    )
    audit_log(
        actor=actor,
        action="material.refuse",
        unit=unit,
        target=material,
        after={"version": version.number, "reason": reason},
    )
    notify(
        recipients=[material.author],
        title=_("%(title)s was refused.") % {"title": version.title},
        body=reason,
        url=_url("materials:history", material.pk),
    )
    return version


# --- sharing up the tree -----------------------------------------------------------------------


@transaction.atomic
def material_propose(*, actor, material: Material, target: Unit) -> MaterialReview:
    """Propose an approved item to an Office, Department or the Ministry above the unit it is shared with."""
    material = _lock(material)
    if not can_propose(actor, material):
        raise ValidationError(_("You cannot propose this item for wider sharing."), code="forbidden")
    if target.pk not in {u.pk for u in proposal_targets(material)}:
        raise ValidationError(
            {"target": [_("%(unit)s is not above the unit this item is shared with.") % {"unit": target.name}]}
        )
    if material.reviews.filter(is_open=True).exists():
        raise ValidationError(
            {"target": [_("This item is already waiting for a decision on sharing.")]}, code="already_open"
        )
    review = _trail(
        material=material,
        version=material.live_version,
        level=LEVEL_OF_KIND[target.kind],
        unit=target,
        decision=Decision.PROPOSED,
        by=actor,
        is_open=True,
    )
    audit_log(actor=actor, action="material.propose", unit=target, target=material, after={"to": target.pk})
    notify(
        recipients=[material.author],
        title=_("%(title)s was proposed to %(unit)s for sharing.") % {"title": material.title, "unit": target.name},
        url=_url("materials:history", material.pk),
    )
    notify(
        recipients=people_with([STAFF_ROLE_AT[target.kind]], target.path),
        title=_("A learning material is proposed for sharing: %(title)s") % {"title": material.title},
        url=reverse("materials:review_queue"),
    )
    return review


@transaction.atomic
def proposal_decide(*, actor, review: MaterialReview, approve: bool, reason: str = "") -> MaterialReview:
    """Vetting (thẩm định) by the unit the item was proposed to: approved, it is shared with that unit's
    whole subtree; refused, it stays where it was, with the reason."""
    review = (
        MaterialReview.objects.select_for_update(of=("self",))
        .select_related("unit", "material__unit", "material__shared_with", "material__author")
        .get(pk=review.pk)
    )
    reason = nfc(reason)
    if not review.is_open:
        raise ValidationError(_("This proposal has already been decided."), code="stale")
    if not can_decide_proposal(actor, review):
        raise ValidationError(_("You cannot decide on this proposal."), code="forbidden")
    if not approve and not reason:
        raise ValidationError({"reason": [_("Say why the item is refused, so the school can fix it.")]})
    material = _lock(review.material)
    review.is_open = False
    review.save(update_fields=["is_open"])
    decision = _trail(
        material=material,
        version=material.live_version or review.version,
        level=review.level,
        unit=review.unit,
        decision=Decision.APPROVED if approve else Decision.REFUSED,
        reason=reason,
        by=actor,
    )
    before = {"shared_with": material.shared_with_id}
    if approve:
        material.shared_with = review.unit
        material.save(update_fields=["shared_with", "updated_at"])
        title = _("%(title)s is now shared by %(unit)s.")
    else:
        title = _("%(unit)s refused to share %(title)s.")
    audit_log(
        actor=actor,
        action="material.share" if approve else "material.share_refuse",
        unit=review.unit,
        target=material,
        before=before,
        after={"shared_with": material.shared_with_id, "reason": reason},
    )
    notify(
        recipients=[material.author, review.by],
        title=title % {"title": material.title, "unit": review.unit.name},
        body=reason,
        url=_url("materials:history", material.pk),
    )
    return decision


# --- removing and restoring ----------------------------------------------------------------------


@transaction.atomic
def material_delete(*, actor, material: Material) -> Material:
    """Removed, not erased: it leaves the library and lessons stop listing it, and its author or the
    school's managers can restore it with its versions and trail."""
    material = _lock(material)
    if material.is_deleted:
        raise ValidationError(_("This item has already been removed."), code="stale")
    if not can_remove_material(actor, material):
        raise ValidationError(_("Only the author or the school's managers can remove this item."), code="forbidden")
    material.deleted_at = timezone.now()
    material.deleted_by = actor
    material.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    audit_log(actor=actor, action="material.delete", unit=material.unit, target=material)
    if material.author_id != actor.pk:
        notify(
            recipients=[material.author],
            title=_("%(title)s was removed from the library by %(name)s.")
            % {"title": material.title, "name": actor.full_name or actor.username},
            url=_url("materials:history", material.pk),
        )
    return material


@transaction.atomic
def material_restore(*, actor, material: Material) -> Material:
    material = _lock(material)
    if not material.is_deleted:
        raise ValidationError(_("This item is not removed."), code="stale")
    if not can_remove_material(actor, material):
        raise ValidationError(_("Only the author or the school's managers can restore this item."), code="forbidden")
    before = {"deleted_by": material.deleted_by_id}
    material.deleted_at = None
    material.deleted_by = None
    material.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    audit_log(actor=actor, action="material.restore", unit=material.unit, target=material, before=before)
    return material
