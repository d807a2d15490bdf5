"""News pages: the public list and article page, writing and editing, sending for approval, the
review queue and review page, promotion, removal and restore, and "my articles"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truonghoc.forms import add_service_errors, form_saved, service_outcome
from truonghoc.params import parse_id
from truonghoc.storage import file_response
from units.models import Unit

from ..forms.news import ArticleForm, ReviewForm
from ..models import Article, ArticleImage
from ..permissions import news as perms
from ..selectors import news as selectors
from ..services import news as services

PAGE_SIZE = 12
MINE_PAGE_SIZE = 30


def news_list(request):
    """Approved news, newest first; `?unit=` shows one unit's space (its own, those of the units
    directly below it, and those promoted to it). Public."""
    unit = None
    if request.GET.get("unit"):
        unit = get_object_or_404(Unit, pk=parse_id(request.GET["unit"]) or 0)
    page = Paginator(selectors.news_published(unit=unit), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unit": unit,
        "may_write": bool(request.user.is_authenticated and selectors.writable_units(user=request.user)),
    }
    return render(request, "publications/news_list.html", context)


def news_detail(request, pk: int):
    user = request.user
    article = perms.article_for_user_or_404(user, pk)
    is_public = perms.is_visible_to_public(article)
    forum, threads = (None, [])
    if is_public:
        forum, threads = selectors.article_comments(article=article)
    target = None
    if user.is_authenticated and perms.is_visible_to_public(article):
        target = perms.next_promotion(article)
    context = {
        "article": article,
        "images": selectors.article_images(article=article),
        "forum": forum,
        "threads": threads,
        "is_public": perms.is_visible_to_public(article),
        "level": perms.article_level(article) if perms.is_visible_to_public(article) else None,
        "may_edit": perms.can_edit_article(user, article),
        "may_submit": perms.can_submit_article(user, article),
        "may_review": perms.can_review_article(user, article),
        "may_manage": perms.can_manage_article(user, article),
        "may_restore": article.is_deleted and perms.can_restore_article(user, article),
        "promote_to": target if target is not None and perms.can_promote_article(user, article, target) else None,
        "may_unpromote": perms.can_unpromote_article(user, article),
        "share_url": request.build_absolute_uri(),
        # Shared links show the cover only of a published article (anyone may fetch it).
        "cover_url": request.build_absolute_uri(article.cover_url) if article.cover and is_public else "",
    }
    return render(request, "publications/news_detail.html", context)


# A published article's pictures may be kept by browsers and shared caches; a replaced picture gets a new
# address (`?v=`), and a removed article's pictures leave the caches within this time.
PUBLIC_PICTURE_CACHE = "public, max-age=3600"


def _picture_response(request, field, *, article: Article, name: str):
    stored = selectors.picture_file(field)
    if stored is None:
        raise Http404
    published = perms.is_visible_to_public(article)
    cache = PUBLIC_PICTURE_CACHE if published else "private, no-store"
    return file_response(stored, name=name, inline=True, request=request, cache=cache, content_type="image/jpeg")


def cover(request, pk: int):
    """An article's cover: to anyone while the article is published, else to those who see the article."""
    article = perms.article_pictures_for_user_or_404(request.user, pk)
    if not article.cover:
        raise Http404
    return _picture_response(request, article.cover, article=article, name=f"tin-{article.pk}.jpg")


def picture(request, pk: int, image_pk: int):
    """A picture of an article's gallery, under the same rule as its cover."""
    article = perms.article_pictures_for_user_or_404(request.user, pk)
    image = get_object_or_404(ArticleImage, pk=image_pk, article=article)
    return _picture_response(request, image.image, article=article, name=f"tin-{article.pk}-{image.pk}.jpg")


def _article_for(user, pk: int, allowed) -> Article:
    """The article as this user sees it (404 otherwise), if `allowed(user, article)` (403 otherwise)."""
    article = perms.article_for_user_or_404(user, pk)
    if not allowed(user, article):
        raise PermissionDenied
    return article


def _bound(request, **kwargs) -> ArticleForm:
    if request.method == "POST":
        return ArticleForm(request.POST, request.FILES, **kwargs)
    return ArticleForm(**kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request):
    user = request.user
    units = selectors.writable_units(user=user)
    if not units:
        raise PermissionDenied
    initial = {}
    if request.GET.get("unit"):
        chosen = next((u for u in units if str(u.pk) == request.GET["unit"]), None)
        if chosen is None:
            raise Http404
        initial["unit"] = chosen
    form = _bound(request, units=units, initial=initial)

    def save():
        article = services.article_create(actor=user, unit=form.cleaned_data["unit"], **form.service_data())
        return article, _("The article was saved as a draft. Send it for approval when it is ready.")

    return _article_form_page(request, form, article=None, save=save)


def _article_form_page(request, form: ArticleForm, *, article, save):
    """The article form, new or edited. On POST the uploads and the form are checked, then `save()`
    calls the service and returns the article and what to tell the author; a refusal stays on the form."""
    # Pictures dropped for their size are refused above the form (NON_FIELD_ERRORS), as before.
    saved = form_saved(request, form, lambda _data: save(), upload_field=NON_FIELD_ERRORS)
    if saved is not None:
        article, done = saved.result
        messages.success(request, done)
        return redirect("news:detail", article.pk)
    return render(request, "publications/news_form.html", {"form": form, "article": article})


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request, pk: int):
    user = request.user
    article = _article_for(user, pk, perms.can_edit_article)
    initial = {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "for_parents": article.for_parents,
    }
    form = _bound(request, article=article, initial=initial)

    def save():
        was_published = article.status == Article.Status.APPROVED
        services.article_update(
            actor=user,
            article=article,
            remove_cover=form.cleaned_data.get("remove_cover", False),
            image_captions=form.image_captions(),
            remove_images=form.removed_images(),
            **form.service_data(),
        )
        if was_published:
            return article, _("The article was saved and sent to the unit above: it is shown again once approved.")
        return article, _("The article was saved.")

    return _article_form_page(request, form, article=article, save=save)


@login_required
@require_POST
def article_submit(request, pk: int):
    done = _("The article was sent for approval to the unit above.")
    return _article_step(request, pk, allowed=perms.can_edit_article, service=services.article_submit, done=done)


def _article_step(request, pk: int, *, allowed, service, done: str):
    """A POST that changes one article and goes back to it (submit, restore): the article as this user
    sees it, their permission, then the service, whose refusal becomes an error message."""
    user = request.user
    article = _article_for(user, pk, allowed)
    with service_outcome(request, done):
        service(actor=user, article=article)
    return redirect("news:detail", article.pk)


@login_required
def review_queue(request):
    page = Paginator(selectors.review_queue(user=request.user), MINE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publications/news_review_queue.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def article_review(request, pk: int):
    user = request.user
    article = perms.article_for_user_or_404(user, pk)
    if article.status != Article.Status.SUBMITTED:
        messages.info(request, _("This article is not waiting for approval any more."))
        return redirect("news:detail", article.pk)
    if not perms.can_review_article(user, article):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.article_review(actor=user, article=article, approve=approve, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if approve:
                messages.success(request, _("The article was approved and published."))
            else:
                messages.success(request, _("The article was returned to its author with your note."))
            return redirect("news:review_queue")
    context = {"article": article, "images": selectors.article_images(article=article), "form": form}
    return render(request, "publications/news_review.html", context)


@login_required
@require_POST
def article_promote(request, pk: int):
    user = request.user
    article = perms.article_for_user_or_404(user, pk)
    down = request.POST.get("direction") == "down"
    allowed = perms.can_unpromote_article(user, article) if down else perms.can_promote_article(user, article)
    if not allowed and not (not down and perms.is_visible_to_public(article) and perms.next_promotion(article) is None):
        raise PermissionDenied
    with service_outcome(request):
        if down:
            services.article_unpromote(actor=user, article=article)
            messages.success(request, _("The article was taken one level down."))
        else:
            services.article_promote(actor=user, article=article)
            messages.success(
                request, _("The article now appears on the space of %(unit)s.") % {"unit": article.promoted_to}
            )
    return redirect("news:detail", article.pk)


@login_required
@require_http_methods(["GET", "POST"])
def article_delete(request, pk: int):
    user = request.user
    article = _article_for(user, pk, perms.can_manage_article)
    if request.method == "POST":
        with service_outcome(request, _("The article was removed. It can be restored from its page.")):
            services.article_delete(actor=user, article=article)
        return redirect("news:detail", article.pk)
    return render(request, "publications/news_delete.html", {"article": article})


@login_required
@require_POST
def article_restore(request, pk: int):
    done = _("The article was restored.")
    return _article_step(request, pk, allowed=perms.can_restore_article, service=services.article_restore, done=done)


@login_required
def mine(request):
    page = Paginator(selectors.my_articles(user=request.user), MINE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "may_write": bool(selectors.writable_units(user=request.user))}
    return render(request, "publications/news_mine.html", context)
