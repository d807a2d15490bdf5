"""Every write of news articles: writing and editing (text sanitised, pictures re-encoded), sending for
approval, the review by the unit above, promotion up to the national front page, removal and restore.

Pictures are checked and re-encoded before anything is written, and every problem of the text and of
each picture is reported together; a picture saved before a later step fails is removed again, so a
refusal leaves neither rows nor files behind. News is public, so pictures go to public media storage.
"""

from collections.abc import Iterable, Mapping

import nh3
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forums.services import clean_body, forum_for_owner
from notifications.services import notify
from truonghoc.text import nfc
from truonghoc.uploads import files_removed_on_failure, human_size, image_reencode
from units.models import Unit
from units.permissions import AUTHORITY_ROLES
from units.selectors import ancestor_path_at, people_holding
from units.services import audit_log
from units.trash import soft_remove, soft_restore

from ..models import Article, ArticleImage
from ..permissions.news import (
    can_edit_article,
    can_manage_article,
    can_promote_article,
    can_restore_article,
    can_review_article,
    can_submit_article,
    can_unpromote_article,
    can_write_news,
    next_promotion,
    parent_path,
    review_path,
)

S = Article.Status
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGES_MAX = 20
IMAGE_MAX_SIDE = 1920
BODY_MAX_CHARS = 100_000
CAPTION_MAX = 255
NOTE_MAX = 500


def _storage():
    return Article._meta.get_field("cover").storage


def _url(article: Article) -> str:
    return reverse("news:detail", args=[article.pk])


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update(of=("self",)).select_related("unit", "author").get(pk=article.pk)


def _picture(upload, errors: list) -> object | None:
    """The re-encoded picture, or None with the problem added to `errors`."""
    try:
        return image_reencode(upload, max_side=IMAGE_MAX_SIDE, max_bytes=IMAGE_MAX_BYTES)
    except ValidationError as error:
        errors.extend(error.messages)
        return None


def _cover(cover, errors: dict) -> object | None:
    """The checked cover picture, None when none was sent; what is wrong with it goes to errors["cover"]."""
    if cover is None:
        return None
    problems: list[str] = []
    checked = _picture(cover, problems)
    if problems:
        errors["cover"] = problems
    return checked


def _caption(value: str | None) -> str:
    return nfc(value)[:CAPTION_MAX]


def _text_fields(*, title: str, summary: str, body: str, errors: dict) -> tuple[str, str, str]:
    title, summary = nfc(title), nfc(summary)
    if not title:
        errors.setdefault("title", []).append(_("Give the article a title."))
    elif len(title) > 255:
        errors.setdefault("title", []).append(_("A title can have at most 255 characters."))
    if len(summary) > 500:
        errors.setdefault("summary", []).append(_("A summary can have at most 500 characters."))
    if len(body or "") > BODY_MAX_CHARS:
        errors.setdefault("body", []).append(
            _("An article can have at most %(max)d characters.") % {"max": BODY_MAX_CHARS}
        )
        return title, summary, ""
    cleaned = clean_body(body)
    if not clean_body_has_text(cleaned):
        errors.setdefault("body", []).append(_("Write the article's text."))
    return title, summary, cleaned


def clean_body_has_text(html: str) -> bool:
    return bool(nh3.clean(html, tags=set()).replace("&nbsp;", " ").strip())


def _gallery(*, uploads: Iterable, captions: Iterable[str], existing: int, errors: dict) -> list[tuple[object, str]]:
    uploads, captions = list(uploads), list(captions)
    if existing + len(uploads) > IMAGES_MAX:
        errors.setdefault("images", []).append(
            _("An article can have at most %(max)d pictures in its gallery; it would have %(count)d.")
            % {"max": IMAGES_MAX, "count": existing + len(uploads)}
        )
        return []
    pictures = []
    problems: list[str] = []
    for index, upload in enumerate(uploads):
        picture = _picture(upload, problems)
        if picture is not None:
            pictures.append((picture, _caption(captions[index] if index < len(captions) else "")))
    if problems:
        errors.setdefault("images", []).extend(problems)
    return pictures


def _save_pictures(*, article: Article, cover, gallery, start: int, saved: list) -> None:
    if cover is not None:
        article.cover.save(cover.name, cover, save=False)
        saved.append(article.cover.name)
    rows = []
    for offset, (picture, caption) in enumerate(gallery):
        row = ArticleImage(article=article, caption=caption, position=start + offset)
        row.image.save(picture.name, picture, save=False)
        saved.append(row.image.name)
        rows.append(row)
    ArticleImage.objects.bulk_create(rows)


def _snapshot(article: Article) -> dict:
    return {
        "status": article.status,
        "title": article.title,
        "promoted_to": article.promoted_to_id,
        "published_at": article.published_at.isoformat() if article.published_at else None,
    }


@transaction.atomic
def article_create(
    *,
    actor,
    unit: Unit,
    title: str,
    summary: str = "",
    body: str,
    cover=None,
    images: Iterable = (),
    captions: Iterable[str] = (),
    for_parents: bool = False,
) -> Article:
    """A draft article of `unit`, with its cover and gallery; sent for approval separately."""
    if not can_write_news(actor, unit):
        raise ValidationError(_("You cannot write news for %(unit)s.") % {"unit": unit})
    errors: dict[str, list] = {}
    title, summary, body = _text_fields(title=title, summary=summary, body=body, errors=errors)
    cover_file = _cover(cover, errors)
    gallery = _gallery(uploads=images, captions=captions, existing=0, errors=errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    article = Article(
        unit=unit, author=actor, title=title, summary=summary, body=body, created_at=now, status=S.DRAFT,
        for_parents=bool(for_parents),
    )  # fmt: skip
    article.full_clean(exclude=["cover"])
    with files_removed_on_failure(_storage()) as saved:
        if cover_file is not None:
            article.cover.save(cover_file.name, cover_file, save=False)
            saved.append(article.cover.name)
        article.save()
        _save_pictures(article=article, cover=None, gallery=gallery, start=0, saved=saved)
    return article


@transaction.atomic
def article_update(
    *,
    actor,
    article: Article,
    title: str,
    summary: str = "",
    body: str,
    cover=None,
    remove_cover: bool = False,
    images: Iterable = (),
    captions: Iterable[str] = (),
    image_captions: Mapping[int, str] | None = None,
    remove_images: Iterable[int] = (),
    for_parents: bool | None = None,
) -> Article:
    """Change the text and pictures. Allowed to the author in every state. A published article goes back to
    the unit above for approval (the approval was of what it said, not of whatever it says later): it leaves
    the spaces and front pages until approved again, keeping its first publication date and its promotion.
    `image_captions` renames gallery pictures by id;
    `remove_images` takes them out (the files stay: nothing a person made is deleted)."""
    locked = _locked(article)
    if not can_edit_article(actor, locked):
        raise ValidationError(_("Only the author can edit this article."))
    errors: dict[str, list] = {}
    title, summary, body = _text_fields(title=title, summary=summary, body=body, errors=errors)
    cover_file = _cover(cover, errors)
    current = {image.pk: image for image in locked.images.all()}
    removed = {pk for pk in remove_images if pk in current}
    kept = len(current) - len(removed)
    gallery = _gallery(uploads=images, captions=captions, existing=kept, errors=errors)
    if errors:
        raise ValidationError(errors)
    before = _snapshot(locked)
    locked.title, locked.summary, locked.body = title, summary, body
    if for_parents is not None:
        locked.for_parents = bool(for_parents)
    if remove_cover and cover_file is None:
        locked.cover = ""
    locked.full_clean(exclude=["cover"])
    with files_removed_on_failure(_storage()) as saved:
        _save_pictures(
            article=locked,
            cover=cover_file,
            gallery=gallery,
            start=max((image.position for image in current.values()), default=-1) + 1,
            saved=saved,
        )
        locked.save(update_fields=["title", "summary", "body", "cover", "for_parents", "updated_at"])
    if removed:
        ArticleImage.objects.filter(pk__in=removed).delete()
    changed = []
    for pk, caption in (image_captions or {}).items():
        image = current.get(pk)
        if image is not None and pk not in removed and image.caption != _caption(caption):
            image.caption = _caption(caption)
            changed.append(image)
    ArticleImage.objects.bulk_update(changed, ["caption"])
    if locked.status == S.APPROVED:
        locked.status = S.SUBMITTED
        locked.save(update_fields=["status"])
        audit_log(actor=actor, action="article.update_published", unit=locked.unit, target=locked, before=before)
        notify(
            recipients=_reviewers(locked.unit),
            title=_("A published article was changed and waits for your approval again: %(title)s")
            % {"title": locked.title},
            body=_("From %(unit)s, by %(author)s.") % {"unit": locked.unit, "author": locked.author.full_name},
            url=reverse("news:review", args=[locked.pk]),
        )
    _copy(locked, article)
    return article


def _copy(source: Article, target: Article) -> None:
    for field in Article._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _changed(*, actor, action: str, locked: Article, before: dict, article: Article) -> Article:
    """The end of a change made on the locked row: audit it (before → after) and give the caller's object
    the new state."""
    audit_log(actor=actor, action=action, unit=locked.unit, target=locked, before=before, after=_snapshot(locked))
    _copy(locked, article)
    return article


def _reviewers(unit: Unit):
    return people_holding(roles=AUTHORITY_ROLES, units=Unit.objects.filter(path=review_path(unit), is_active=True))


@transaction.atomic
def article_submit(*, actor, article: Article) -> Article:
    """Send a draft (or a returned article) to the unit above for approval; its managers are told."""
    locked = _locked(article)
    if not can_edit_article(actor, locked):
        raise ValidationError(_("Only the author can send this article for approval."))
    if not can_submit_article(actor, locked):
        raise ValidationError(
            _("This article is already %(status)s.") % {"status": locked.get_status_display().lower()}
        )
    locked.status = S.SUBMITTED
    locked.save(update_fields=["status", "updated_at"])
    notify(
        recipients=_reviewers(locked.unit),
        title=_("A news article waits for your approval: %(title)s") % {"title": locked.title},
        body=_("From %(unit)s, by %(author)s.") % {"unit": locked.unit, "author": locked.author.full_name},
        url=reverse("news:review", args=[locked.pk]),
    )
    _copy(locked, article)
    return article


@transaction.atomic
def article_review(*, actor, article: Article, approve: bool, note: str = "") -> Article:
    """The unit above approves the article (it is published on its unit's and its parent's spaces, and
    its comments open) or returns it to the author with a note saying what to change."""
    locked = _locked(article)
    note = nfc(note)
    if locked.status != S.SUBMITTED or locked.is_deleted:
        raise ValidationError(_("This article is not waiting for approval any more."))
    if not can_review_article(actor, locked):
        raise ValidationError(_("Only the managers of the unit above can approve this article."))
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("A note can have at most %(max)d characters.") % {"max": NOTE_MAX}})
    if not approve and not note:
        raise ValidationError({"note": _("Say what the author should change.")})
    before = _snapshot(locked)
    now = timezone.now()
    locked.status = S.APPROVED if approve else S.REJECTED
    locked.reviewed_by, locked.reviewed_at, locked.review_note = actor, now, note
    if approve and locked.published_at is None:
        locked.published_at = now
    locked.full_clean(exclude=["cover"])
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "published_at", "updated_at"])
    if approve:
        forum_for_owner(owner=locked, unit=locked.unit, title=_("Comments: %(title)s") % {"title": locked.title})
    audit_log(
        actor=actor,
        action="article.approve" if approve else "article.return",
        unit=locked.unit,
        target=locked,
        before=before,
        after={**_snapshot(locked), "note": note},
    )
    if approve:
        title = _("Your article was approved and published: %(title)s") % {"title": locked.title}
    else:
        title = _("Your article was returned for changes: %(title)s") % {"title": locked.title}
    notify(recipients=[locked.author], title=title, body=note, url=_url(locked))
    _copy(locked, article)
    return article


@transaction.atomic
def article_backdate(*, actor, article: Article, published_at) -> Article:
    """Date an approved article back to when it was really published: news carried over from an earlier
    site, and the demo province's news (`seed_demo`). It was written, approved and last changed that day
    too; the front pages order news by this date. Never a date in the future, never for an article not
    yet approved."""
    locked = _locked(article)
    if locked.status != S.APPROVED or locked.is_deleted:
        raise ValidationError(_("Only a published article can be given an earlier publication date."))
    if published_at > timezone.now():
        raise ValidationError(_("A publication date cannot be in the future."))
    before = _snapshot(locked)
    locked.published_at = locked.reviewed_at = locked.updated_at = published_at
    locked.created_at = min(locked.created_at, published_at)
    # An update rather than save(): `updated_at` moves back too, or the page would say "last updated today".
    Article.objects.filter(pk=locked.pk).update(
        published_at=published_at, reviewed_at=published_at, created_at=locked.created_at, updated_at=published_at
    )
    return _changed(actor=actor, action="article.backdate", locked=locked, before=before, article=article)


@transaction.atomic
def article_promote(*, actor, article: Article) -> Article:
    """Move an approved article one level up: to the unit above its current level, at most to the
    actor's own unit, up to the Ministry (the national front page)."""
    locked = _locked(article)
    if locked.status != S.APPROVED or locked.is_deleted:
        raise ValidationError(_("Only a published article can be promoted."))
    target = next_promotion(locked)
    if target is None:
        raise ValidationError(_("This article is already on the national front page."))
    if not can_promote_article(actor, locked, target):
        raise ValidationError(
            _("Only the managers of %(unit)s (or of a unit above it) can promote this article there.")
            % {"unit": target}
        )
    before = _snapshot(locked)
    locked.promoted_to, locked.promoted_at = target, timezone.now()
    locked.save(update_fields=["promoted_to", "promoted_at", "updated_at"])
    notify(
        recipients=[locked.author],
        title=_("Your article now appears on the space of %(unit)s: %(title)s")
        % {"unit": target, "title": locked.title},
        url=_url(locked),
    )
    return _changed(actor=actor, action="article.promote", locked=locked, before=before, article=article)


@transaction.atomic
def article_unpromote(*, actor, article: Article) -> Article:
    """Take a promoted article one level back down (to where approval alone shows it, at the lowest)."""
    locked = _locked(article)
    if locked.promoted_to_id is None:
        raise ValidationError(_("This article has not been promoted."))
    if not can_unpromote_article(actor, locked):
        raise ValidationError(
            _("Only the managers of %(unit)s (or of a unit above it) can take this article off its space.")
            % {"unit": locked.promoted_to}
        )
    before = _snapshot(locked)
    below = ancestor_path_at(locked.unit.path, locked.promoted_to.depth + 1)
    if below == locked.unit.path or below == parent_path(locked.unit.path):
        locked.promoted_to, locked.promoted_at = None, None
    else:
        locked.promoted_to = Unit.objects.get(path=below)
    locked.save(update_fields=["promoted_to", "promoted_at", "updated_at"])
    return _changed(actor=actor, action="article.unpromote", locked=locked, before=before, article=article)


@transaction.atomic
def article_delete(*, actor, article: Article) -> Article:
    locked = _locked(article)
    if not can_manage_article(actor, locked):
        raise ValidationError(_("Only the author or the unit's managers can remove this article."))
    if locked.is_deleted:
        raise ValidationError(_("This article has already been removed."))
    soft_remove(
        locked, by=actor, action="article.delete", unit=locked.unit, before=_snapshot(locked), also=["updated_at"]
    )
    _copy(locked, article)
    return article


@transaction.atomic
def article_restore(*, actor, article: Article) -> Article:
    locked = _locked(article)
    if not can_restore_article(actor, locked):
        raise ValidationError(
            _("Only the unit's managers, or the author of an article they removed themselves, can restore it.")
        )
    if not locked.is_deleted:
        raise ValidationError(_("This article has not been removed."))
    soft_restore(
        locked, by=actor, action="article.restore", unit=locked.unit, after=_snapshot(locked), also=["updated_at"]
    )
    _copy(locked, article)
    return article


def image_limits_text() -> str:
    """For form help texts."""
    return _("JPEG, PNG, GIF or WebP, at most %(size)s each; pictures are resized to %(side)d px.") % {
        "size": human_size(IMAGE_MAX_BYTES),
        "side": IMAGE_MAX_SIDE,
    }


def pictures_move_private(*, batch_size: int = 500) -> int:
    """Move the news pictures still kept in public media (uploaded before issue #14) to private storage,
    under the same names, so no web server hands them out by URL any more. Idempotent: a picture already
    in private storage is left as it is (its public copy removed). Returns how many were moved."""
    public, private = default_storage, _storage()
    names = [
        *Article.objects.exclude(cover="").values_list("cover", flat=True).iterator(chunk_size=batch_size),
        *ArticleImage.objects.values_list("image", flat=True).iterator(chunk_size=batch_size),
    ]
    moved = 0
    for name in names:
        if not name or not public.exists(name):
            continue
        if not private.exists(name):
            with public.open(name, "rb") as handle:
                private.save(name, handle)
            moved += 1
        public.delete(name)
    return moved
