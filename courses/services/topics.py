"""Professional topics (chuyên đề) of the groups: bulk creation for the demo, the quality flags the Hà Nam
letter asks for (a title with no content, or a near-copy of an earlier topic of the same school), and the
products teachers hand in to their group.

A flagged topic stays visible but is counted apart from the real ones (reports read `Course.quality`).
"""

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.profile import profile_refusal
from forums.services import clean_body
from notifications.services import notify
from truonghoc.storage import private_storage
from truonghoc.text import fold, nfc
from truonghoc.uploads import DOCUMENT_TYPES, check_upload, files_removed_on_failure
from units.models import Role, Unit
from units.permissions import TEACHING_ROLES, holds_role_at
from units.selectors import in_subtree_q, in_subtrees, people_holding, school_path_of

from ..models import COUNTED_STATUSES, Course, Product, Section
from ..permissions import product_review_problem

# Near-duplicate titles: the same words in any order, or token sets this similar (Jaccard) when both
# titles have enough words for the measure to mean something.
JACCARD_MIN = 0.85
JACCARD_MIN_TOKENS = 4
# Identical content makes a copy only when there is enough of it: a one-line boilerplate sentence that a
# school's template puts in every topic ("Chuyên đề sinh hoạt chuyên môn của Tổ Toán.") proves nothing.
BODY_MIN_CHARS = 200
MEDIA_TAG = re.compile(r"<(img|video|audio|iframe|object|embed)\b", re.IGNORECASE)
NOT_WORD = re.compile(r"[\W_]+")

PRODUCT_TYPES = (*DOCUMENT_TYPES, "mp4")
PRODUCT_MAX_BYTES = 50 * 1024 * 1024


@dataclass
class TopicSpec:
    title: str
    unit_id: int
    author_id: int | None
    body: str
    created_at: datetime


# --- quality ------------------------------------------------------------------------------------


def text_of(value: str | None) -> str:
    """The readable text of stored HTML, white space collapsed."""
    if not value:
        return ""
    return nfc(html.unescape(nh3.clean(value, tags=set())).replace("\xa0", " "))


def _has_content(value: str | None) -> bool:
    return bool(text_of(value)) or bool(value and MEDIA_TAG.search(value))


def title_tokens(title: str) -> frozenset[str]:
    """The folded words of a title, punctuation dropped (word order is ignored by using a set)."""
    return frozenset(NOT_WORD.sub(" ", fold(title)).split())


def body_key(body: str | None) -> str:
    """The folded text of a body when it is long enough to identify a copy, else ''."""
    text = NOT_WORD.sub(" ", fold(text_of(body))).strip()
    return text if len(text) >= BODY_MIN_CHARS else ""


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@dataclass
class _Pool:
    """The proper topics of one school seen so far, indexed for the three near-duplicate tests."""

    titles: dict = field(default_factory=dict)  # token set -> original
    bodies: dict = field(default_factory=dict)  # body key -> original
    long_titles: list = field(default_factory=list)  # (token set, original) with enough words

    def original_of(self, tokens: frozenset, body: str):
        if tokens and tokens in self.titles:
            return self.titles[tokens]
        if len(tokens) >= JACCARD_MIN_TOKENS:
            for other, original in self.long_titles:
                # |A∩B|/|A∪B| ≥ t needs min/max size ≥ t: skip the hopeless ones cheaply.
                sizes_close = min(len(other), len(tokens)) >= JACCARD_MIN * max(len(other), len(tokens))
                if sizes_close and _jaccard(tokens, other) >= JACCARD_MIN:
                    return original
        if body and body in self.bodies:
            return self.bodies[body]
        return None

    def add(self, tokens: frozenset, body: str, ref) -> None:
        if tokens:
            self.titles.setdefault(tokens, ref)
            if len(tokens) >= JACCARD_MIN_TOKENS:
                self.long_titles.append((tokens, ref))
        if body:
            self.bodies.setdefault(body, ref)


def _school_path(unit_path: str, unit_kind: str) -> str:
    return school_path_of(unit_path, unit_kind)


def _order_key(course_or_row) -> datetime:
    return course_or_row.published_at or course_or_row.created_at


def _group_leaders(unit_id: int):
    return list(people_holding(roles=[Role.GROUP_LEADER], units=[unit_id], active_only=False))


def _course_url(course: Course) -> str:
    try:
        return reverse("courses:course", args=[course.pk])
    except NoReverseMatch:  # the course page lives in another module; a notification without a link still helps
        return ""


@transaction.atomic
def topic_quality_assess(*, course: Course) -> Course:
    """Decide whether a topic is proper, empty (title only: nothing in its content or sections) or a
    near-duplicate of a topic published earlier in the same school; store it on the course and tell the
    group's leaders when a published topic becomes flagged. Other kinds of course are left alone.

    The purpose ("Mục đích – Yêu cầu") does not make a topic: publishing requires one, so a topic holding
    only its title and that line was always "proper" and the Hà Nam rule could never fire."""
    if course.kind != Course.Kind.TOPIC:
        return course
    unit = course.unit
    sections = Section.objects.alive().filter(course=course).values_list("body", "file", "link_url")
    empty = not (_has_content(course.body) or any(_has_content(body) or file or link for body, file, link in sections))
    original = None
    if not empty:
        school_path = _school_path(unit.path, unit.kind)
        earlier = (
            Course.objects.counted_topics()
            .filter(in_subtree_q(school_path))
            .exclude(pk=course.pk)
            .exclude(quality=Course.Quality.EMPTY)
            .only("pk", "title", "body", "published_at", "created_at")
        )
        mine = (_order_key(course), course.pk or 0)
        pool = _Pool()
        for other in sorted(earlier, key=lambda c: (_order_key(c), c.pk)):
            if (_order_key(other), other.pk) >= mine:
                break
            pool.add(title_tokens(other.title), body_key(other.body), other)
        original = pool.original_of(title_tokens(course.title), body_key(course.body))
    quality = Course.Quality.EMPTY if empty else Course.Quality.DUPLICATE if original else Course.Quality.OK
    duplicate_of_id = original.pk if original is not None else None
    if (course.quality, course.duplicate_of_id) == (quality, duplicate_of_id):
        return course
    was = course.quality
    course.quality, course.duplicate_of = quality, original
    # Not an edit by a person: the "last changed" date stays.
    Course.objects.filter(pk=course.pk).update(quality=quality, duplicate_of=original)
    if quality != Course.Quality.OK and quality != was and course.status in COUNTED_STATUSES:
        if quality == Course.Quality.EMPTY:
            body = _(
                "“%(title)s” has only a title and its purpose, so it is not counted as a topic until its content "
                "or a section is filled in."
            )
            body %= {"title": course.title}
        else:
            body = _(
                "“%(title)s” looks like a copy of the earlier topic “%(original)s”, so it is not counted as a "
                "separate topic."
            ) % {"title": course.title, "original": original.title}
        notify(
            recipients=_group_leaders(course.unit_id),
            title=_("Topic to check: %(title)s") % {"title": course.title},
            body=body,
            url=_course_url(course),
        )
    return course


def _existing_topics_by_school(school_paths: set[str]):
    """The proper topics already posted in these schools, as light rows, in one query."""
    if not school_paths:
        return []
    topics = Course.objects.counted_topics().exclude(quality=Course.Quality.EMPTY)
    return list(
        in_subtrees(topics, school_paths).values_list(
            "pk", "unit__path", "unit__kind", "title", "body", "published_at", "created_at"
        )
    )


def topics_bulk_create(*, specs: Iterable[TopicSpec], batch_size: int = 2000) -> int:
    """Published topics in bulk (the demo province), their quality assessed in one pass in memory against
    each other and the school's earlier topics; callers run it in their own transaction."""
    specs = list(specs)
    objs = [
        Course(
            kind=Course.Kind.TOPIC,
            status=Course.Status.PUBLISHED,
            title=nfc(spec.title),
            body=spec.body,
            unit_id=spec.unit_id,
            author_id=spec.author_id,
            created_at=spec.created_at,
            published_at=spec.created_at,
        )
        for spec in specs
    ]
    unit_rows = Unit.objects.filter(pk__in={o.unit_id for o in objs}).values_list("pk", "path", "kind")
    units = {pk: _school_path(path, kind) for pk, path, kind in unit_rows}
    # (when, existing before new, pk or position, school path, title, body, new course or None)
    events = []
    for pk, path, kind, title, body, published_at, created_at in _existing_topics_by_school(set(units.values())):
        events.append((published_at or created_at, 0, pk, _school_path(path, kind), title, body, None))
    for n, obj in enumerate(objs):
        events.append((obj.created_at, 1, n, units.get(obj.unit_id, ""), obj.title, obj.body, obj))
    events.sort(key=lambda e: e[:3])
    pools: dict[str, _Pool] = defaultdict(_Pool)
    points_to_new: list[tuple[Course, Course]] = []
    for _when, _order, pk, school, title, body, obj in events:
        pool = pools[school]
        tokens, key = title_tokens(title), body_key(body)
        if obj is None:
            pool.add(tokens, key, pk)
            continue
        if not _has_content(obj.body):
            obj.quality = Course.Quality.EMPTY
            continue
        original = pool.original_of(tokens, key)
        if original is not None:
            obj.quality = Course.Quality.DUPLICATE
            if isinstance(original, Course):
                points_to_new.append((obj, original))  # linked once both have a primary key
            else:
                obj.duplicate_of_id = original
        pool.add(tokens, key, obj)
    Course.objects.bulk_create(objs, batch_size=batch_size)
    if points_to_new:
        for obj, original in points_to_new:
            obj.duplicate_of_id = original.pk
        Course.objects.bulk_update([obj for obj, _o in points_to_new], ["duplicate_of"], batch_size=batch_size)
    return len(objs)


# --- products -----------------------------------------------------------------------------------


def is_group_member(user, group: Unit) -> bool:
    """A teacher or the leader of the professional group (roles held at the group itself)."""
    return holds_role_at(user, group, TEACHING_ROLES)


@transaction.atomic
def product_create(
    *,
    actor,
    group: Unit,
    title: str,
    description: str = "",
    upload=None,
    link_url: str = "",
    topic: Course | None = None,
) -> Product:
    """A teacher hands a product (lesson plan, report, video…) in to their professional group: a file
    (PDF, Word, Excel, PowerPoint or MP4 video, at most 50 MB) or a link, optionally for one of the group's
    topics."""
    if group.kind != Unit.Kind.GROUP or not group.is_active:
        raise ValidationError(_("Products are handed in to an active professional group."))
    if not is_group_member(actor, group):
        raise ValidationError(_("Only the teachers of %(group)s can hand in products here.") % {"group": group.name})
    if refusal := profile_refusal(actor):
        raise ValidationError(refusal)
    errors: dict[str, list[str]] = {}
    link_url = (link_url or "").strip()
    if not upload and not link_url:
        errors["file"] = [_("Attach the product's file, or give a link to it.")]
    checked = None
    if upload:
        try:
            checked = check_upload(upload, allowed=PRODUCT_TYPES, max_bytes=PRODUCT_MAX_BYTES)
        except ValidationError as exc:
            errors["file"] = exc.messages
    if topic is not None and (topic.unit_id != group.pk or topic.kind != Course.Kind.TOPIC or topic.is_deleted):
        errors["topic"] = [_("Choose one of this group's topics.")]
    product = Product(
        unit=group,
        author=actor,
        topic=topic,
        title=nfc(title)[:255],
        description=clean_body(description) if text_of(description) else "",
        link_url=link_url,
        file_name=checked.name if checked else "",
        file_size=checked.size if checked else 0,
    )
    try:
        product.full_clean(exclude=["file", *errors])
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    with files_removed_on_failure(private_storage()) as saved:
        if checked is not None:
            product.file.save(checked.name, upload, save=False)
            saved.append(product.file.name)
        product.save()
    _tell_reviewers(product, actor)
    return product


def _tell_reviewers(product: Product, actor) -> None:
    """The group's leaders (and the author of the topic it answers) learn of a product to review."""
    people = _group_leaders(product.unit_id)
    if product.topic_id is not None and product.topic.author_id:
        people.append(product.topic.author)
    notify(
        recipients=(u for u in people if u.pk != actor.pk),
        title=_("New product to review in %(group)s: “%(title)s”")
        % {"group": product.unit.name, "title": product.title},
        body=_("Handed in by %(name)s.") % {"name": actor},
        url=reverse("courses:product", args=[product.pk]),
    )


@transaction.atomic
def product_review(*, actor, product: Product) -> Product:
    """A group leader (or the topic's author) marks a colleague's product reviewed; its author is told.
    Refused, changing nothing, when they may not or it was already reviewed."""
    product = (
        Product.objects.select_for_update(of=("self",)).select_related("unit", "topic", "author").get(pk=product.pk)
    )
    problem = product_review_problem(actor, product)
    if problem:
        raise ValidationError(problem, code="refused")
    product.reviewed_at, product.reviewed_by = timezone.now(), actor
    product.save(update_fields=["reviewed_at", "reviewed_by", "updated_at"])
    notify(
        recipients=[product.author],
        title=_("Your product “%(title)s” has been reviewed by %(name)s") % {"title": product.title, "name": actor},
        url=reverse("courses:product", args=[product.pk]),
    )
    return product
